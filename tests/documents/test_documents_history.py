"""The audit trail of documents and grants, with their actor, on the client's history tab; and
restricted documents kept out of the history of whoever may not open them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from adv.tenancy.context import tenant_context
from documents.models import Document
from tests.documents import test_documents_support as support
from tests.documents.test_documents_support import document_type, pdf_file

pytestmark = pytest.mark.django_db

client_a = support.client_a
make_member = support.make_member
media = support.media
seeded_types = support.seeded_types


def history_rows(persona, client):
    url = reverse("clients:history", kwargs={"tenant_slug": persona.tenant.slug, "pk": client.pk})
    response = persona.client().get(url)
    assert response.status_code == 200
    return response.context["rows"]


def test_uploads_edits_new_versions_and_grants_are_in_the_history_with_their_actor(media, alice, client_a, make_member):
    # given alice uploads a K-bis from the client page, corrects it, adds a version, opens it to a colleague
    session = alice.client()
    slug = alice.tenant.slug
    kbis = document_type(alice, "kbis")
    upload_url = reverse("clients:document_upload", kwargs={"tenant_slug": slug, "client_pk": client_a.pk})
    data = {"document_type": str(kbis.pk), "title": "K-bis Helios", "security_level": "4", "file": pdf_file("kbis-v1.pdf")}
    assert session.post(upload_url, data).status_code == 302
    with tenant_context(alice.tenant):
        document = Document.objects.get(client=client_a)
    kwargs = {"tenant_slug": slug, "client_pk": client_a.pk, "pk": document.pk}
    edit = {"title": "K-bis Helios mars", "document_type": str(kbis.pk), "security_level": "4", "signed_on": "2026-03-01"}
    assert session.post(reverse("clients:document_edit", kwargs=kwargs), edit).status_code == 302
    assert session.post(reverse("clients:document_version_add", kwargs=kwargs), {"file": pdf_file("kbis-v2.pdf")}).status_code == 302
    colleague = make_member("consultant", clearance=1)
    grant_url = reverse("clients:document_grant_add", kwargs=kwargs)
    assert session.post(grant_url, {"member": str(colleague.membership.pk)}).status_code == 302
    revoke_url = reverse("clients:document_grant_revoke", kwargs={**kwargs, "member_pk": colleague.membership.pk})
    assert session.post(revoke_url).status_code == 302

    # when she opens the client's history (in this test every event shares one transaction time,
    # so rows are picked by what they are, not by their order)
    rows = [row for row in history_rows(alice, client_a) if row.subject_kind in ("Document", "Accès exceptionnel au document")]
    by_action = sorted((row.subject_kind, row.action_label) for row in rows)

    # then each change is one row (an upload with its first file: one creation), by alice
    assert by_action == [
        ("Accès exceptionnel au document", "Accès accordé"),
        ("Accès exceptionnel au document", "Accès retiré"),
        ("Document", "Création"),
        ("Document", "Modification"),  # the corrected title and date
        ("Document", "Modification"),  # the new version
    ]
    assert {row.actor for row in rows} == {alice.user.get_full_name()}
    grants = [row for row in rows if row.subject_kind != "Document"]
    assert {row.subject for row in grants} == {"K-bis Helios mars"}
    assert {row.changes[0].after for row in grants} == {colleague.user.get_full_name()}
    changes = [{c.field: (c.before, c.after) for c in row.changes} for row in rows if row.action_label == "Modification"]
    assert {"Fichier (version courante)": ("v1 · kbis-v1.pdf", "v2 · kbis-v2.pdf")} in changes
    corrected = next(c for c in changes if "titre" in c)
    assert corrected["titre"] == ("K-bis Helios", "K-bis Helios mars")
    assert corrected["signé / émis le"] == ("—", "01/03/2026")
    created = next({c.field: c.after for c in row.changes} for row in rows if row.action_label == "Création")
    assert created["type"] == "K-bis" and created["Fichier (version courante)"] == "v1 · kbis-v1.pdf"


def test_a_restricted_document_stays_out_of_the_history_of_members_below_its_level(media, alice, client_a, make_member):
    # given a level-4 document and a level-2 one on the client
    support.upload(alice, client_a, title="Contrat confidentiel", security_level=4)
    support.upload(alice, client_a, title="K-bis public", security_level=2)
    sales = make_member("sales", clearance=2)

    # when a sales member of clearance 2 reads the history
    subjects = {row.subject for row in history_rows(sales, client_a)}

    # then only the document she may open is there
    assert "K-bis public" in subjects
    assert "Contrat confidentiel" not in subjects
    assert "Contrat confidentiel" in {row.subject for row in history_rows(alice, client_a)}
