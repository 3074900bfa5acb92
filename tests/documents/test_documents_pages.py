"""The documents pages: the panel of a client (constant queries, filters, empty state), the
document page (versions, metadata), and the administration of types and expected documents."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from adv.tenancy.context import tenant_context
from documents.models import DocumentRequirement, DocumentType
from tests.documents import test_documents_support as support
from tests.documents.test_documents_support import document_type, pdf_file, upload

pytestmark = pytest.mark.django_db

# Fixtures shared by the document tests.
client_a = support.client_a
make_member = support.make_member
media = support.media
seeded_types = support.seeded_types


def panel_url(persona, client) -> str:
    return reverse("clients:document_panel", kwargs={"tenant_slug": persona.tenant.slug, "client_pk": client.pk})


def count_panel_queries(session, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(200) as context:
        response = session.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_panel_runs_the_same_number_of_queries_for_5_and_30_documents(
    media, alice, client_a, make_member, django_assert_max_num_queries
):
    # given 5 documents uploaded by different members
    uploaders = [make_member("adv", 4) for _ in range(3)] + [alice]
    for n in range(5):
        upload(uploaders[n % 4], client_a, title=f"Doc {n}", file=pdf_file(f"{n}.pdf"))
    session = alice.client()
    session.get(panel_url(alice, client_a))  # warm the session and caches
    five = count_panel_queries(session, panel_url(alice, client_a), django_assert_max_num_queries)
    # when there are 30
    for n in range(5, 30):
        upload(uploaders[n % 4], client_a, title=f"Doc {n}", file=pdf_file(f"{n}.pdf"))
    thirty = count_panel_queries(session, panel_url(alice, client_a), django_assert_max_num_queries)
    # then the panel (20 per page) runs exactly as many queries
    assert thirty == five


def test_the_panel_shows_type_dates_level_version_uploader_and_expiry(media, alice, client_a):
    today = timezone.localdate()
    upload(alice, client_a, title="K-bis périmé", signed_on=today - datetime.timedelta(days=120),
           valid_until=today - datetime.timedelta(days=3), security_level=2)
    upload(alice, client_a, code="contrat-cadre", title="Contrat cadre", valid_until=today + datetime.timedelta(days=10))
    html = alice.client().get(panel_url(alice, client_a), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="documents-panel"' in html
    assert "K-bis périmé" in html and "Contrat cadre" in html
    assert "Expiré" in html and "Expire dans" in html
    assert "2 – Interne" in html and "3 – Confidentiel" in html
    assert "v1" in html and "Alice" in html
    assert 'data-upload-zone' in html  # alice may upload
    # the partial is not a whole page; without htmx it is one
    assert "<html" not in html
    assert "<html" in alice.client().get(panel_url(alice, client_a)).content.decode()


def test_the_panel_filters_by_validity_on_the_server(media, alice, client_a):
    today = timezone.localdate()
    upload(alice, client_a, title="Ancien", valid_until=today - datetime.timedelta(days=1))
    upload(alice, client_a, title="Courant")
    html = alice.client().get(panel_url(alice, client_a), {"status": "expired", "list": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Ancien" in html and "Courant" not in html
    assert 'id="documents-list"' in html and 'data-upload-zone' not in html


def test_a_kbis_older_than_its_expected_age_is_expired_in_the_list_as_in_the_checklist(media, alice, client_a):
    # given a client that must have a K-bis of less than 90 days: one issued 120 days ago, one
    # issued 10 days ago, and a framework agreement without end date
    today = timezone.localdate()
    upload(alice, client_a, title="K-bis ancien", signed_on=today - datetime.timedelta(days=120))
    upload(alice, client_a, title="K-bis récent", signed_on=today - datetime.timedelta(days=10))
    upload(alice, client_a, code="contrat-cadre", title="Contrat cadre")

    def listed(status: str = "") -> str:
        params = {"status": status, "list": "1"} if status else {"list": "1"}
        return alice.client().get(panel_url(alice, client_a), params, HTTP_HX_REQUEST="true").content.decode()

    # then the old K-bis shows as expired, with the rule, where it used to say "no end of validity"
    html = listed()
    rows = html.split("<tr ")
    old = next(row for row in rows if "K-bis ancien" in row)
    assert 'data-testid="expiry-badge"' in old and "Expiré" in old
    assert "moins de 90 jours après émission" in old
    recent = next(row for row in rows if "K-bis récent" in row)
    expected_end = (today + datetime.timedelta(days=80)).strftime("%d/%m/%Y")
    assert expected_end in recent and "Expiré" not in recent
    # and the server-side filters agree
    expired, valid = listed("expired"), listed("valid")
    assert "K-bis ancien" in expired and "K-bis récent" not in expired and "Contrat cadre" not in expired
    assert "K-bis ancien" not in valid and "K-bis récent" in valid and "Contrat cadre" in valid


def test_an_empty_panel_says_so_and_a_reader_has_no_upload_zone(media, client_a, make_member, alice):
    accountant = make_member("accountant", 4)
    html = accountant.client().get(panel_url(alice, client_a), HTTP_HX_REQUEST="true").content.decode()
    assert "Aucun document pour ce client." in html
    assert "data-upload-zone" not in html


def test_the_document_page_lists_versions_with_their_sha256(media, alice, client_a):
    document = upload(alice, client_a)
    url = reverse("clients:document_detail", kwargs={"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk})
    html = alice.client().get(url).content.decode()
    with tenant_context(alice.tenant):
        sha = document.versions.get().sha256
    assert sha in html
    assert 'data-testid="version-row"' in html
    assert 'data-testid="version-form"' in html and 'data-testid="grant-form"' in html


def test_metadata_is_edited_from_its_page(media, alice, client_a):
    document = upload(alice, client_a)
    url = reverse("clients:document_edit", kwargs={"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk})
    session = alice.client()
    assert session.get(url).status_code == 200
    bad = session.post(url, {"title": "K-bis", "document_type": str(document.document_type_id), "security_level": "2",
                             "signed_on": "2026-03-01", "valid_until": "2026-01-01"})
    assert bad.status_code == 400
    assert "La date de fin de validité doit suivre la date de signature." in bad.content.decode()
    response = session.post(url, {"title": "K-bis mars 2026", "document_type": str(document_type(alice, "kbis").pk),
                                  "security_level": "3", "signed_on": "2026-03-01", "valid_until": ""})
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        document.refresh_from_db()
    assert (document.title, document.security_level, str(document.signed_on)) == ("K-bis mars 2026", 3, "2026-03-01")


# --- Administration -----------------------------------------------------------------------------------


def test_an_admin_creates_edits_and_deactivates_a_document_type(seeded_types, alice):
    session = alice.client()
    slug = alice.tenant.slug
    listing = session.get(reverse("clients:document_types", kwargs={"tenant_slug": slug}))
    assert listing.status_code == 200 and "Attestation de vigilance URSSAF" in listing.content.decode()
    # create (the code is derived from the name)
    response = session.post(
        reverse("clients:document_type_create", kwargs={"tenant_slug": slug}),
        {"name": "Attestation d'assurance RC Pro", "default_security_level": "2", "is_contractual": "", "is_active": "on"},
    )
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        created = DocumentType.objects.get(name="Attestation d'assurance RC Pro")
    assert created.code == "attestation-dassurance-rc-pro" and created.is_active
    # edit: the code stays
    edit = reverse("clients:document_type_edit", kwargs={"tenant_slug": slug, "pk": created.pk})
    session.post(edit, {"name": "Attestation RC Pro", "code": "autre", "default_security_level": "3", "is_contractual": "on", "is_active": "on"})
    # deactivate
    session.post(reverse("clients:document_type_toggle", kwargs={"tenant_slug": slug, "pk": created.pk}))
    with tenant_context(alice.tenant):
        created.refresh_from_db()
    assert (created.name, created.code, created.default_security_level, created.is_contractual, created.is_active) == (
        "Attestation RC Pro", "attestation-dassurance-rc-pro", 3, True, False,
    )


def test_a_duplicate_type_code_is_a_field_error(seeded_types, alice):
    response = alice.client().post(
        reverse("clients:document_type_create", kwargs={"tenant_slug": alice.tenant.slug}),
        {"name": "K-bis bis", "code": "kbis", "default_security_level": "2"},
    )
    assert response.status_code == 400
    assert "Ce code de type de document existe déjà." in response.content.decode()


def test_an_admin_manages_expected_documents(seeded_types, alice):
    session = alice.client()
    slug = alice.tenant.slug
    listing = session.get(reverse("clients:document_requirements", kwargs={"tenant_slug": slug})).content.decode()
    assert "Attendus pour les prospects" in listing and "Attendus pour les clients" in listing
    urssaf = document_type(alice, "attestation-urssaf")
    response = session.post(
        reverse("clients:document_requirement_create", kwargs={"tenant_slug": slug}),
        {"document_type": str(urssaf.pk), "applies_to": "client", "max_age_days": "180", "must_be_unexpired": "on",
         "responsible": "adv", "is_active": "on"},
    )
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        requirement = DocumentRequirement.objects.get(document_type=urssaf)
    assert (requirement.applies_to, requirement.max_age_days, requirement.responsible) == ("client", 180, "adv")
    duplicate = session.post(
        reverse("clients:document_requirement_create", kwargs={"tenant_slug": slug}),
        {"document_type": str(urssaf.pk), "applies_to": "client", "responsible": "owner"},
    )
    assert duplicate.status_code == 400 and "déjà attendu" in duplicate.content.decode()
    edit = reverse("clients:document_requirement_edit", kwargs={"tenant_slug": slug, "pk": requirement.pk})
    session.post(edit, {"document_type": str(urssaf.pk), "applies_to": "client", "max_age_days": "", "responsible": "owner"})
    with tenant_context(alice.tenant):
        requirement.refresh_from_db()
    assert (requirement.max_age_days, requirement.must_be_unexpired, requirement.is_active) == (None, False, False)
    session.post(reverse("clients:document_requirement_delete", kwargs={"tenant_slug": slug, "pk": requirement.pk}))
    with tenant_context(alice.tenant):
        assert not DocumentRequirement.objects.filter(pk=requirement.pk).exists()


def test_only_admins_reach_the_document_administration(seeded_types, alice, make_member):
    adv = make_member("adv", 4).client()
    for name in ("document_types", "document_type_create", "document_requirements", "document_requirement_create"):
        assert adv.get(reverse(f"clients:{name}", kwargs={"tenant_slug": alice.tenant.slug})).status_code == 403


def test_the_admin_sidebar_links_the_document_administration(seeded_types, alice, make_member):
    dashboard = reverse("dashboard", kwargs={"tenant_slug": alice.tenant.slug})
    html = alice.client().get(dashboard).content.decode()
    assert 'data-testid="nav-document-types"' in html and 'data-testid="nav-document-requirements"' in html
    html = make_member("adv", 4).client().get(dashboard).content.decode()
    assert 'data-testid="nav-document-types"' not in html
