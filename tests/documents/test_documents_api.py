"""The documents API: multipart upload, filters, versions, download, metadata; document types
and expected documents (read by the roles that see clients, written by admins)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from documents.models import Document, DocumentDownload, DocumentRequirement, DocumentType, DocumentVersion
from tests.documents import test_documents_support as support
from tests.documents.test_documents_support import HTML_BYTES, PDF_BYTES, document_type, pdf_file, stored_files, upload

pytestmark = pytest.mark.django_db

# Fixtures shared by the document tests.
client_a = support.client_a
make_member = support.make_member
media = support.media
seeded_types = support.seeded_types


def bearer(persona) -> Client:
    with tenant_context(persona.tenant):
        _token, raw = api_token_create(actor=persona.membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def alice_api(alice):
    return bearer(alice)


def test_a_document_is_uploaded_with_multipart_and_stored(media, alice, alice_api, client_a):
    # when an integration posts a file and its metadata
    response = alice_api.post(
        "/api/v1/documents/",
        {
            "file": pdf_file("Contrat cadre.pdf"),
            "client": str(client_a.pk),
            "document_type": str(document_type(alice, "contrat-cadre").pk),
            "title": "Contrat cadre 2026",
            "signed_on": "2026-01-05",
            "valid_until": "2028-01-04",
        },
    )
    # then the document exists with its first version, and the blob is stored
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Contrat cadre 2026"
    assert body["document_type"]["code"] == "contrat-cadre"
    assert body["security_level"] == 3  # the type's default level
    assert body["current_version"]["number"] == 1
    assert body["current_version"]["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()
    assert body["current_version"]["original_name"] == "Contrat cadre.pdf"
    assert body["is_expired"] is False
    assert len(stored_files(media)) == 1


def test_a_spoofed_api_upload_is_a_problem_and_stores_nothing(media, alice, alice_api, client_a):
    response = alice_api.post(
        "/api/v1/documents/",
        {"file": SimpleUploadedFile("facture.pdf", HTML_BYTES), "client": str(client_a.pk),
         "document_type": str(document_type(alice, "kbis").pk)},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "type_mismatch"
    assert "file" in response.json()["errors"]
    assert stored_files(media) == []
    with tenant_context(alice.tenant):
        assert Document.objects.count() == 0


def test_an_upload_on_another_tenants_client_is_refused(media, carol, alice, client_a):
    # given carol's token and the id of alice's client
    api = bearer(carol)
    with tenant_context(carol.tenant):
        from documents.services import document_types_seed_defaults

        document_types_seed_defaults()
        kbis = DocumentType.objects.get(code="kbis")
    response = api.post("/api/v1/documents/", {"file": pdf_file(), "client": str(client_a.pk), "document_type": str(kbis.pk)})
    # then the client "does not exist" for her, and nothing is stored
    assert response.status_code == 400
    assert "client" in response.json()["errors"]
    assert stored_files(media) == []


def test_the_list_filters_by_client_type_and_expiry(media, alice, alice_api, client_a):
    # given three documents: an expired K-bis, a valid one, and a purchase order on another client
    today = timezone.localdate()
    expired = upload(alice, client_a, title="K-bis ancien", signed_on=today - datetime.timedelta(days=200),
                     valid_until=today - datetime.timedelta(days=1))
    valid = upload(alice, client_a, title="K-bis récent", valid_until=today + datetime.timedelta(days=30))
    with tenant_context(alice.tenant):
        from clients.services import client_create

        other = client_create(actor=alice.membership, legal_name="Orbis SAS")
    order = upload(alice, other, code="bon-de-commande", title="BDC")

    def ids(**params):
        response = alice_api.get("/api/v1/documents/", params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {str(expired.pk), str(valid.pk), str(order.pk)}
    assert ids(client=str(client_a.pk)) == {str(expired.pk), str(valid.pk)}
    assert ids(document_type=str(document_type(alice, "bon-de-commande").pk)) == {str(order.pk)}
    assert ids(expired="true") == {str(expired.pk)}
    assert ids(expired="false") == {str(valid.pk), str(order.pk)}
    assert ids(search="récent") == {str(valid.pk)}
    titles = [row["title"] for row in alice_api.get("/api/v1/documents/", {"ordering": "title"}).json()["results"]]
    assert titles == ["BDC", "K-bis ancien", "K-bis récent"]


def test_versions_are_listed_added_and_downloaded(media, alice, alice_api, client_a):
    # given a document
    document = upload(alice, client_a)
    second = PDF_BYTES.replace(b"%%EOF", b"% v2\n%%EOF")
    # when a new version is posted
    response = alice_api.post(
        f"/api/v1/documents/{document.pk}/versions/",
        {"file": SimpleUploadedFile("kbis-v2.pdf", second, content_type="application/pdf"), "comment": "K-bis du mois"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["number"] == 2 and response.json()["is_current"] is True
    # then both versions are listed, newest first, and each downloads its own bytes
    versions = alice_api.get(f"/api/v1/documents/{document.pk}/versions/").json()
    assert [(v["number"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    assert versions[1]["superseded_at"] is not None
    current = alice_api.get(f"/api/v1/documents/{document.pk}/download/")
    assert current.status_code == 200
    assert b"".join(current.streaming_content) == second
    assert current["Content-Disposition"].startswith("attachment; ")
    old = alice_api.get(versions[1]["download_url"], HTTP_ACCEPT="application/pdf")
    assert old.status_code == 200
    assert b"".join(old.streaming_content) == PDF_BYTES
    assert alice_api.get(f"/api/v1/documents/{document.pk}/download/?version=9").status_code == 404
    # and every API download is recorded as such
    with tenant_context(alice.tenant):
        assert list(DocumentDownload.objects.values_list("via_api", flat=True)) == [True, True]


def test_metadata_is_patched_through_the_service(media, alice, alice_api, client_a):
    document = upload(alice, client_a)
    response = alice_api.patch(
        f"/api/v1/documents/{document.pk}/",
        {"title": "K-bis Helios (mars)", "valid_until": "2026-06-30", "security_level": 3},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "K-bis Helios (mars)"
    assert response.json()["security_level"] == 3
    bad = alice_api.patch(
        f"/api/v1/documents/{document.pk}/", {"signed_on": "2026-07-01", "valid_until": "2026-06-30"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "valid_until" in bad.json()["errors"]


def test_read_only_and_unrelated_roles_cannot_write_documents(media, alice, client_a, make_member):
    accountant, consultant = make_member("accountant", 4), make_member("consultant", 4)
    document = upload(alice, client_a)
    for persona in (accountant, consultant):
        api = bearer(persona)
        response = api.post(
            "/api/v1/documents/",
            {"file": pdf_file(), "client": str(client_a.pk), "document_type": str(document_type(alice, "kbis").pk)},
        )
        assert response.status_code == 403
        assert api.patch(f"/api/v1/documents/{document.pk}/", {"title": "x"}, content_type="application/json").status_code in (403, 404)
    assert stored_files(media) and len(stored_files(media)) == 1


def test_the_documents_list_runs_a_constant_number_of_queries(media, alice, alice_api, client_a, django_assert_max_num_queries):
    for n in range(3):
        upload(alice, client_a, title=f"Doc {n}", file=pdf_file(f"{n}.pdf"))
    with django_assert_max_num_queries(100) as few:
        alice_api.get("/api/v1/documents/")
    for n in range(3, 25):
        upload(alice, client_a, title=f"Doc {n}", file=pdf_file(f"{n}.pdf"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_api.get("/api/v1/documents/")
    assert response.json()["count"] == 25


# --- Document types and expected documents -------------------------------------------------------------


def test_document_types_are_read_by_client_viewers_and_written_by_admins(media, alice, alice_api, client_a, make_member, bob):
    # reading: roles that see clients, not a consultant
    sales_api = bearer(make_member("sales", 2))
    listed = sales_api.get("/api/v1/document-types/")
    assert listed.status_code == 200
    assert "kbis" in {row["code"] for row in listed.json()["results"]}
    assert bearer(bob).get("/api/v1/document-types/").status_code == 403
    # writing: admins only
    payload = {"code": "attestation-assurance", "name": "Attestation d'assurance", "default_security_level": 2}
    assert sales_api.post("/api/v1/document-types/", payload, content_type="application/json").status_code == 403
    created = alice_api.post("/api/v1/document-types/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert alice_api.post("/api/v1/document-types/", payload, content_type="application/json").status_code == 409
    type_id = created.json()["id"]
    patched = alice_api.patch(f"/api/v1/document-types/{type_id}/", {"is_active": False}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["is_active"] is False
    # a deactivated type is no longer accepted for new documents
    response = alice_api.post("/api/v1/documents/", {"file": pdf_file(), "client": str(client_a.pk), "document_type": type_id})
    assert response.status_code == 400 and "document_type" in response.json()["errors"]


def test_expected_documents_are_managed_by_admins(media, alice, alice_api, seeded_types, make_member):
    kbis = document_type(alice, "kbis")
    urssaf = document_type(alice, "attestation-urssaf")
    listed = alice_api.get("/api/v1/document-requirements/", {"applies_to": "client"})
    assert listed.status_code == 200
    assert {row["document_type"]["code"] for row in listed.json()["results"]} == {"kbis", "contrat-cadre", "rib"}
    payload = {"document_type": str(urssaf.pk), "applies_to": "client", "max_age_days": 180, "responsible": "adv"}
    assert bearer(make_member("adv", 4)).post("/api/v1/document-requirements/", payload, content_type="application/json").status_code == 403
    created = alice_api.post("/api/v1/document-requirements/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["max_age_days"] == 180 and created.json()["responsible"] == "adv"
    duplicate = {"document_type": str(kbis.pk), "applies_to": "client"}
    assert alice_api.post("/api/v1/document-requirements/", duplicate, content_type="application/json").status_code == 409
    requirement_id = created.json()["id"]
    patched = alice_api.patch(f"/api/v1/document-requirements/{requirement_id}/", {"max_age_days": 90}, content_type="application/json")
    assert patched.json()["max_age_days"] == 90
    assert alice_api.delete(f"/api/v1/document-requirements/{requirement_id}/").status_code == 204
    with tenant_context(alice.tenant):
        assert not DocumentRequirement.objects.filter(pk=requirement_id).exists()
        assert DocumentVersion.objects.count() == 0
