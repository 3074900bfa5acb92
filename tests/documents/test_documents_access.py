"""Who sees which document: role × clearance × per-object grant, on every way in (the panel,
the download, the preview, the API list and download); and nothing of another tenant."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from documents import services as document_services
from documents.models import DocumentDownload
from tests.documents import test_documents_support as support
from tests.documents.test_documents_support import pdf_file, upload

pytestmark = pytest.mark.django_db

# Fixtures shared by the document tests.
client_a = support.client_a
make_member = support.make_member
media = support.media
seeded_types = support.seeded_types

# The rule, written out: these roles see clients' documents up to their clearance level.
ROLES_THAT_SEE_CLIENTS = {"admin", "adv", "sales", "project_manager", "manager", "accountant"}
ALL_ROLES = ["admin", "adv", "sales", "project_manager", "manager", "consultant", "accountant"]
GRANTED_LEVEL = 4  # in the "with grant" cases, the level-4 document is opened to the member


@pytest.fixture
def documents_by_level(media, alice, client_a):
    """One document at each security level 1 to 4 on the same client, uploaded by alice."""
    return {
        level: upload(alice, client_a, title=f"Document niveau {level}", security_level=level, file=pdf_file(f"n{level}.pdf"))
        for level in (1, 2, 3, 4)
    }


def expected_visible(role: str, clearance: int, level: int, granted: bool) -> bool:
    return (role in ROLES_THAT_SEE_CLIENTS and clearance >= level) or (granted and level == GRANTED_LEVEL)


def bearer(persona) -> Client:
    with tenant_context(persona.tenant):
        _token, raw = api_token_create(actor=persona.membership, name="matrix")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("granted", [False, True], ids=["no-grant", "grant"])
@pytest.mark.parametrize("clearance", [1, 2, 3, 4])
@pytest.mark.parametrize("role", ALL_ROLES)
def test_document_permission_matrix(role, clearance, granted, alice, client_a, documents_by_level, make_member):
    # given a member of this role and clearance, and (maybe) the level-4 document opened to them
    member = make_member(role, clearance=clearance)
    if granted:
        with tenant_context(alice.tenant):
            document_services.document_grant(actor=alice.membership, document=documents_by_level[GRANTED_LEVEL], member=member.membership)
    expected = {level: expected_visible(role, clearance, level, granted) for level in documents_by_level}
    session, api = member.client(), bearer(member)
    slug = alice.tenant.slug

    # when they open the client's documents panel
    panel = session.get(reverse("clients:document_panel", kwargs={"tenant_slug": slug, "client_pk": client_a.pk}))
    # then they see exactly the documents their role, clearance and grants allow
    if any(expected.values()):
        assert panel.status_code == 200
        html = panel.content.decode()
        shown = {level for level in documents_by_level if f"Document niveau {level}<" in html}
        assert shown == {level for level, visible in expected.items() if visible}
    else:
        assert panel.status_code == 403

    # and the API lists the same
    listed = api.get("/api/v1/documents/", {"client": str(client_a.pk)})
    assert listed.status_code == 200
    assert {row["title"] for row in listed.json()["results"]} == {
        f"Document niveau {level}" for level, visible in expected.items() if visible
    }

    for level, document in documents_by_level.items():
        kwargs = {"tenant_slug": slug, "client_pk": client_a.pk, "pk": document.pk}
        ok = expected[level]
        # download, preview and API download: 200 when visible, 404 otherwise (like a missing one)
        assert session.get(reverse("clients:document_download", kwargs=kwargs)).status_code == (200 if ok else 404)
        assert session.get(reverse("clients:document_preview", kwargs=kwargs)).status_code == (200 if ok else 404)
        assert session.get(reverse("clients:document_detail", kwargs=kwargs)).status_code == (200 if ok else 404)
        assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == (200 if ok else 404)

    # and only what they could open was recorded
    with tenant_context(alice.tenant):
        recorded = DocumentDownload.objects.filter(membership=member.membership).count()
    assert recorded == 3 * sum(expected.values())


def test_revoking_a_grant_closes_the_document_again(media, alice, client_a, make_member):
    # given a confidential document opened to a consultant
    consultant = make_member("consultant", clearance=1)
    document = upload(alice, client_a, security_level=3)
    url = reverse("clients:document_download", kwargs={"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk})
    session = consultant.client()
    with tenant_context(alice.tenant):
        document_services.document_grant(actor=alice.membership, document=document, member=consultant.membership)
    assert session.get(url).status_code == 200
    # when alice revokes the grant from the document page
    revoke = reverse(
        "clients:document_grant_revoke",
        kwargs={"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk, "member_pk": consultant.membership.pk},
    )
    assert alice.client().post(revoke).status_code == 302
    # then the consultant gets 404 again
    assert session.get(url).status_code == 404


def test_grants_are_managed_from_the_document_page_by_admin_and_adv_only(media, alice, client_a, make_member):
    document = upload(alice, client_a, security_level=4)
    consultant, adv, sales = make_member("consultant", 1), make_member("adv", 4), make_member("sales", 4)
    kwargs = {"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk, "pk": document.pk}
    grant_url = reverse("clients:document_grant_add", kwargs=kwargs)
    # sales sees the document but may not open it to someone
    assert sales.client().post(grant_url, {"member": str(consultant.membership.pk)}).status_code == 403
    # the ADV may
    response = adv.client().post(grant_url, {"member": str(consultant.membership.pk)})
    assert response.status_code == 302
    page = adv.client().get(reverse("clients:document_detail", kwargs=kwargs)).content.decode()
    assert 'data-testid="grant-row"' in page and consultant.user.get_full_name() in page
    download = reverse("clients:document_download", kwargs=kwargs)
    assert consultant.client().get(download).status_code == 200


def test_carol_gets_404_on_alices_documents_pages_and_api(media, alice, carol, client_a):
    # given a document of tenant A
    document = upload(alice, client_a)
    session = carol.client()
    with tenant_context(carol.tenant):
        _token, raw = api_token_create(actor=carol.membership, name="carol")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    names = [
        "document_detail", "document_edit", "document_download", "document_preview", "document_preview_pane",
    ]
    # when carol (admin of tenant B) tries every page under her own firm and under alice's
    for slug in (carol.tenant.slug, alice.tenant.slug):
        for name in names:
            url = reverse(f"clients:{name}", kwargs={"tenant_slug": slug, "client_pk": client_a.pk, "pk": document.pk})
            assert session.get(url).status_code == 404, url
        panel = reverse("clients:document_panel", kwargs={"tenant_slug": slug, "client_pk": client_a.pk})
        assert session.get(panel).status_code == 404
        upload_url = reverse("clients:document_upload", kwargs={"tenant_slug": slug, "client_pk": client_a.pk})
        assert session.post(upload_url, {"file": pdf_file()}).status_code == 404
        version_url = reverse("clients:document_version_add", kwargs={"tenant_slug": slug, "client_pk": client_a.pk, "pk": document.pk})
        assert session.post(version_url, {"file": pdf_file()}).status_code == 404
    # and through the API with her token
    assert api.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert api.get(f"/api/v1/documents/{document.pk}/download/").status_code == 404
    assert api.get(f"/api/v1/documents/{document.pk}/versions/").status_code == 404
    assert api.post(f"/api/v1/documents/{document.pk}/versions/", {"file": pdf_file()}).status_code == 404
    assert api.patch(f"/api/v1/documents/{document.pk}/", {"title": "x"}, content_type="application/json").status_code == 404
    assert api.get("/api/v1/documents/").json()["count"] == 0
    # then nothing was recorded, nothing changed
    with tenant_context(alice.tenant):
        assert DocumentDownload.objects.count() == 0
        document.refresh_from_db()
        assert document.title == "K-bis Helios" and document.versions.count() == 1
