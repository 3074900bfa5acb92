"""Uploading documents on the local filesystem: what is refused (and leaves nothing behind),
versions, downloads (recorded, with safe headers), previews, contractual notifications."""

from __future__ import annotations

import datetime
import hashlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from adv.tenancy.context import tenant_context
from clients import services
from documents import services as document_services
from documents.errors import UploadRefused
from documents.models import Document, DocumentDownload, DocumentType, DocumentVersion
from notifications.models import Notification
from tests.documents import test_documents_support as support
from tests.documents.test_documents_support import (
    HTML_BYTES,
    PDF_BYTES,
    SVG_BYTES,
    TEXT_BYTES,
    document_type,
    fake_clamav,
    pdf_file,
    png_bytes,
    stored_files,
    unreachable_address,
    upload,
)

pytestmark = pytest.mark.django_db

# Fixtures shared by the document tests.
client_a = support.client_a
make_member = support.make_member
media = support.media
seeded_types = support.seeded_types


def upload_url(persona, client) -> str:
    return reverse("clients:document_upload", kwargs={"tenant_slug": persona.tenant.slug, "client_pk": client.pk})


def document_url(persona, document, name: str) -> str:
    return reverse(
        f"clients:{name}",
        kwargs={"tenant_slug": persona.tenant.slug, "client_pk": document.client_id, "pk": document.pk},
    )


def post_upload(persona, client, file, **fields):
    data = {"document_type": str(document_type(persona, fields.pop("code", "kbis")).pk), "title": "Pièce", "file": file}
    data.update(fields)
    return persona.client().post(upload_url(persona, client), data, HTTP_ACCEPT="application/json")


def count_documents(persona) -> tuple[int, int]:
    with tenant_context(persona.tenant):
        return Document.objects.count(), DocumentVersion.objects.count()


# --- Refused files: a clear message, no row, no blob ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "code", "message"),
    [
        ("devis.pdf", png_bytes(), "application/pdf", "type_mismatch", "ne correspond pas à son extension .pdf"),
        ("facture.pdf", HTML_BYTES, "application/pdf", "type_mismatch", "(text/html) ne correspond pas"),
        ("logo.svg", SVG_BYTES, "image/svg+xml", "type_not_allowed", "Type de fichier refusé (.svg)"),
        ("image.png", SVG_BYTES, "image/png", "type_mismatch", "(image/svg+xml) ne correspond pas"),
        ("vide.pdf", b"", "application/pdf", "empty", "Le fichier est vide."),
        ("script.html", HTML_BYTES, "text/html", "type_not_allowed", "Type de fichier refusé (.html)"),
    ],
    ids=["png-named-pdf", "html-named-pdf", "svg", "svg-named-png", "empty", "html"],
)
def test_spoofed_or_disallowed_files_are_refused_with_nothing_stored(
    media, alice, client_a, name, data, content_type, code, message
):
    # given a file whose bytes are not what its name claims (or a type never accepted)
    file = SimpleUploadedFile(name, data, content_type=content_type)
    # when alice uploads it from the documents panel
    response = post_upload(alice, client_a, file)
    # then it is refused with a French message naming the problem, and nothing is left behind
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert message in body["message"]
    assert body["errors"]["file"]
    assert count_documents(alice) == (0, 0)
    assert stored_files(media) == []


def test_an_oversized_file_is_refused_before_it_is_stored(media, settings, alice, client_a):
    # given a limit of 1 MB and a 1.5 MB PDF
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024 * 1024
    big = PDF_BYTES + b"%" + b"0" * (1536 * 1024)
    # when alice uploads it
    response = post_upload(alice, client_a, SimpleUploadedFile("gros.pdf", big, content_type="application/pdf"))
    # then it is refused as too large, and nothing is stored
    assert response.status_code == 400
    assert "Fichier trop volumineux" in response.json()["message"]
    assert "1 Mo au maximum" in response.json()["message"]
    assert count_documents(alice) == (0, 0)
    assert stored_files(media) == []


def test_a_database_failure_after_the_blob_is_stored_leaves_no_blob_and_no_row(media, alice, client_a):
    # given the database refuses to save the version once the file is in the storage
    with mock.patch.object(DocumentVersion, "save", side_effect=RuntimeError("database down")):
        # when alice uploads a valid PDF
        with pytest.raises(RuntimeError):
            upload(alice, client_a)
    # then neither the blob nor any row remains
    assert stored_files(media) == []
    assert count_documents(alice) == (0, 0)


def test_a_failed_new_version_leaves_the_previous_one_intact_and_no_blob(media, alice, client_a):
    # given a document with one version
    document = upload(alice, client_a)
    assert len(stored_files(media)) == 1
    # when saving its second version fails in the database
    with mock.patch.object(DocumentVersion, "save", side_effect=RuntimeError("database down")):
        with tenant_context(alice.tenant), pytest.raises(RuntimeError):
            document_services.document_add_version(actor=alice.membership, document=document, upload=pdf_file("v2.pdf"))
    # then only the first blob remains and the first version is still current
    assert len(stored_files(media)) == 1
    with tenant_context(alice.tenant):
        document.refresh_from_db()
        assert document.versions.count() == 1
        assert document.current_version.superseded_at is None


def test_an_infected_file_is_refused_by_the_antivirus(media, settings, alice, client_a):
    # given a ClamAV daemon that finds the EICAR test signature
    with fake_clamav() as (address, received):
        settings.CLAMAV_ADDRESS = address
        # when alice uploads a file
        response = post_upload(alice, client_a, pdf_file("contrat.pdf"))
    # then the daemon received the bytes, the file is refused, nothing is stored
    assert received == [PDF_BYTES]
    assert response.status_code == 400
    assert response.json()["message"] == "L'antivirus a détecté une menace dans ce fichier : refusé."
    assert count_documents(alice) == (0, 0)
    assert stored_files(media) == []


def test_a_clean_file_passes_the_antivirus(media, settings, alice, client_a):
    with fake_clamav(reply=b"stream: OK\0") as (address, received):
        settings.CLAMAV_ADDRESS = address
        response = post_upload(alice, client_a, pdf_file("contrat.pdf"))
    assert response.status_code == 201, response.content
    assert received == [PDF_BYTES]
    assert len(stored_files(media)) == 1


def test_an_unreachable_antivirus_refuses_the_file(media, settings, alice, client_a):
    # given ClamAV is configured but nobody answers (fail closed)
    settings.CLAMAV_ADDRESS = unreachable_address()
    # when alice uploads a file
    response = post_upload(alice, client_a, pdf_file())
    # then it is refused, nothing stored
    assert response.status_code == 400
    assert "L'antivirus est injoignable" in response.json()["message"]
    assert count_documents(alice) == (0, 0)
    assert stored_files(media) == []


# --- Accepted files -----------------------------------------------------------------------------------------


def test_an_upload_stores_the_file_its_metadata_and_its_sha256(media, alice, client_a):
    # when alice uploads a K-bis with its dates and no level
    response = post_upload(alice, client_a, pdf_file("Kbis Hélios.pdf"), signed_on="2026-01-10", valid_until="2026-04-10")
    # then the document, its first version and the blob exist, with the bytes' SHA-256
    assert response.status_code == 201, response.content
    with tenant_context(alice.tenant):
        document = Document.objects.get()
        version = document.current_version
        assert document.title == "Pièce"
        assert str(document.signed_on) == "2026-01-10"
        assert document.security_level == DocumentType.objects.get(code="kbis").default_security_level
        assert document.uploaded_by == alice.membership
        assert (version.number, version.original_name, version.size) == (1, "Kbis Hélios.pdf", len(PDF_BYTES))
        assert version.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
        assert version.content_type == "application/pdf"
    [blob] = stored_files(media)
    assert blob.read_bytes() == PDF_BYTES
    assert "Hélios" not in str(blob)  # the stored name owes nothing to the user's file name


def test_validity_before_signature_is_a_field_error(media, alice, client_a):
    response = post_upload(alice, client_a, pdf_file(), signed_on="2026-03-01", valid_until="2026-02-01")
    assert response.status_code == 400
    assert response.json()["errors"]["valid_until"] == ["La date de fin de validité doit suivre la date de signature."]
    assert stored_files(media) == []


def test_a_plain_form_post_redirects_back_with_a_message(media, alice, client_a):
    # given no JavaScript: the form posts normally, with where to come back
    panel = reverse("clients:document_panel", kwargs={"tenant_slug": alice.tenant.slug, "client_pk": client_a.pk})
    data = {"document_type": str(document_type(alice, "kbis").pk), "file": pdf_file(), "next": panel}
    response = alice.client().post(upload_url(alice, client_a), data, follow=True)
    assert response.redirect_chain[-1][0] == panel
    assert "est enregistré" in response.content.decode()


def test_a_plain_form_post_with_a_spoofed_file_shows_the_page_with_the_error(media, alice, client_a):
    data = {"document_type": str(document_type(alice, "kbis").pk), "file": SimpleUploadedFile("x.pdf", HTML_BYTES)}
    response = alice.client().post(upload_url(alice, client_a), data)
    assert response.status_code == 400
    assert "ne correspond pas à son extension .pdf" in response.content.decode()
    assert stored_files(media) == []


def test_a_member_cannot_upload_above_their_clearance(media, make_member, client_a):
    sales = make_member("sales", clearance=2)
    response = post_upload(sales, client_a, pdf_file(), security_level="3")
    assert response.status_code == 400
    assert "security_level" in response.json()["errors"]
    assert stored_files(media) == []


def test_a_consultant_cannot_upload(media, bob, client_a):
    response = post_upload(bob, client_a, pdf_file())
    assert response.status_code == 403
    assert stored_files(media) == []


# --- Versions ----------------------------------------------------------------------------------------------


def test_a_new_version_supersedes_the_previous_and_both_stay_downloadable(media, alice, client_a):
    # given a document with a first file
    document = upload(alice, client_a, file=pdf_file("contrat-v1.pdf"))
    second = PDF_BYTES.replace(b"%%EOF", b"% v2\n%%EOF")
    # when alice posts a second file as a new version
    response = alice.client().post(
        document_url(alice, document, "document_version_add"),
        {"file": SimpleUploadedFile("contrat-v2.pdf", second, content_type="application/pdf"), "comment": "Signé"},
        HTTP_ACCEPT="application/json",
    )
    # then version 2 is current, version 1 is superseded, both download with their own bytes
    assert response.status_code == 201, response.content
    with tenant_context(alice.tenant):
        v1, v2 = DocumentVersion.objects.filter(document=document).order_by("number")
        document.refresh_from_db()
    assert document.current_version_id == v2.pk
    assert v1.superseded_at is not None and v2.superseded_at is None
    assert v2.sha256 == hashlib.sha256(second).hexdigest() and v2.comment == "Signé"
    download = document_url(alice, document, "document_download")
    session = alice.client()
    assert b"".join(session.get(download).streaming_content) == second
    assert b"".join(session.get(f"{download}?version=1").streaming_content) == PDF_BYTES
    assert b"".join(session.get(f"{download}?version=2").streaming_content) == second
    assert session.get(f"{download}?version=3").status_code == 404
    assert len(stored_files(media)) == 2


def test_a_spoofed_new_version_is_refused_and_the_current_one_kept(media, alice, client_a):
    document = upload(alice, client_a)
    response = alice.client().post(
        document_url(alice, document, "document_version_add"),
        {"file": SimpleUploadedFile("v2.pdf", HTML_BYTES)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "ne correspond pas" in response.json()["message"]
    with tenant_context(alice.tenant):
        assert DocumentVersion.objects.count() == 1
    assert len(stored_files(media)) == 1


# --- Downloads and previews ------------------------------------------------------------------------------


def test_every_download_is_recorded_with_who_and_from_where(media, alice, client_a):
    document = upload(alice, client_a)
    session = alice.client()
    url = document_url(alice, document, "document_download")
    # when alice downloads twice and previews once
    session.get(url, REMOTE_ADDR="203.0.113.7")
    session.get(url, REMOTE_ADDR="203.0.113.8")
    session.get(document_url(alice, document, "document_preview"), REMOTE_ADDR="203.0.113.9")
    # then three downloads are recorded, each with its member and address
    with tenant_context(alice.tenant):
        rows = list(DocumentDownload.objects.order_by("created_at").values_list("membership_id", "ip_address", "via_api"))
    assert rows == [
        (alice.membership.pk, "203.0.113.7", False),
        (alice.membership.pk, "203.0.113.8", False),
        (alice.membership.pk, "203.0.113.9", False),
    ]


def test_a_download_is_an_attachment_named_after_the_original_file(media, alice, client_a):
    document = upload(alice, client_a, file=pdf_file("Procès-verbal «recette».pdf"))
    response = alice.client().get(document_url(alice, document, "document_download"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="Proces-verbal recette.pdf"' in disposition
    assert "filename*=UTF-8''Proc%C3%A8s-verbal%20%C2%ABrecette%C2%BB.pdf" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_pdf_preview_is_inline_and_sandboxed(media, alice, client_a):
    document = upload(alice, client_a)
    response = alice.client().get(document_url(alice, document, "document_preview"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the preview pane frames it


def test_an_image_preview_is_inline(media, alice, client_a):
    document = upload(alice, client_a, file=SimpleUploadedFile("rib.png", png_bytes(), content_type="image/png"))
    response = alice.client().get(document_url(alice, document, "document_preview"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_a_text_file_is_never_previewed_inline(media, alice, client_a):
    # given a plain text file (allowed as an attachment, never shown inline)
    document = upload(alice, client_a, file=SimpleUploadedFile("notes.txt", TEXT_BYTES, content_type="text/plain"))
    session = alice.client()
    # then the preview answers 404 and records nothing; the download is an attachment
    assert session.get(document_url(alice, document, "document_preview")).status_code == 404
    with tenant_context(alice.tenant):
        assert DocumentDownload.objects.count() == 0
    response = session.get(document_url(alice, document, "document_download"))
    assert response["Content-Disposition"].startswith("attachment; ")


def test_the_preview_pane_frames_pdfs_and_shows_images_in_an_img(media, alice, client_a):
    # the framed PDF is sandboxed by its response's CSP (see test_a_pdf_preview_is_inline_and_sandboxed):
    # Chromium shows nothing for a PDF in a frame with the sandbox attribute
    pdf = upload(alice, client_a)
    image = upload(alice, client_a, file=SimpleUploadedFile("rib.png", png_bytes(), content_type="image/png"))
    session = alice.client()
    pane = session.get(document_url(alice, pdf, "document_preview_pane"), HTTP_HX_REQUEST="true").content.decode()
    preview = document_url(alice, pdf, "document_preview")
    assert f'<iframe src="{preview}?version=1"' in pane
    pane = session.get(document_url(alice, image, "document_preview_pane"), HTTP_HX_REQUEST="true").content.decode()
    assert "<img" in pane and "<iframe" not in pane


# --- Colleagues are told -----------------------------------------------------------------------------------


def test_a_new_contractual_document_notifies_the_clients_owner_and_adv(media, seeded_types, alice, make_member):
    # given a client owned by a sales rep and followed by an ADV
    sales, adv = make_member("sales", clearance=3), make_member("adv", clearance=3)
    with tenant_context(alice.tenant):
        client = services.client_create(
            actor=alice.membership, legal_name="NovaPay SAS", status="client", owner=sales.membership, adv_owner=adv.membership
        )
    # when alice uploads a purchase order (contractual) then a K-bis (not contractual)
    upload(alice, client, code="bon-de-commande", title="BDC 2026-114")
    upload(alice, client, code="kbis", title="K-bis")
    # then the owner and the ADV are notified once, of the purchase order only
    with tenant_context(alice.tenant):
        rows = list(Notification.objects.order_by("recipient__email").values_list("recipient_id", "event", "title"))
    assert [(r[0], r[1]) for r in rows] == sorted(
        [(adv.user.pk, "document_contractual_added"), (sales.user.pk, "document_contractual_added")],
        key=lambda r: {adv.user.pk: adv.user.email, sales.user.pk: sales.user.email}[r[0]],
    )
    assert all("BDC 2026-114" in title and "NovaPay" in title for _r, _e, title in rows)


def test_a_new_contractual_document_of_a_deal_notifies_its_sales_owner_and_project_manager_once(
    media, seeded_types, alice, make_member
):
    from deals import services as deal_services

    # given a client owned by a sales rep, and a deal of it sold by another rep and run by a project manager;
    # a third rep sells another deal, and a project manager without the clearance runs a third one
    owner, seller, pm = make_member("sales", clearance=3), make_member("sales", clearance=3), make_member("project_manager", clearance=3)
    low_pm = make_member("project_manager", clearance=1)
    with tenant_context(alice.tenant):
        client = services.client_create(
            actor=alice.membership, legal_name="NovaPay SAS", status="client", owner=owner.membership
        )
        deal = deal_services.deal_create(
            actor=alice.membership, client=client, title="Refonte", deal_type="t_and_m", start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
            sales_owner=seller.membership, project_manager=pm.membership,
        )
        own_deal = deal_services.deal_create(
            actor=alice.membership, client=client, title="TMA", deal_type="t_and_m", start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
            sales_owner=owner.membership, project_manager=low_pm.membership,
        )
    # when alice uploads the deal's purchase order (contractual, level 2)
    with tenant_context(alice.tenant):
        deal_services.deal_document_upload(
            actor=alice.membership, deal=deal, document_type=DocumentType.objects.get(code="bon-de-commande"),
            title="BDC 2026-114", upload=pdf_file(), security_level=2,
        )
    # then the client's owner, the deal's sales owner and its project manager are told, once each
    with tenant_context(alice.tenant):
        told = sorted(Notification.objects.filter(event="document_contractual_added").values_list("recipient_id", flat=True))
    assert told == sorted([owner.user.pk, seller.user.pk, pm.user.pk])
    # when a purchase order of the deal run by the owner (sales owner of it too) and the low-clearance PM arrives
    with tenant_context(alice.tenant):
        Notification.objects.all().delete()
    with tenant_context(alice.tenant):
        deal_services.deal_document_upload(
            actor=alice.membership, deal=own_deal, document_type=DocumentType.objects.get(code="bon-de-commande"),
            title="BDC 2026-115", upload=pdf_file(), security_level=2,
        )
    # then the owner is told once, and the project manager who may not see the document is not told
    with tenant_context(alice.tenant):
        told = list(Notification.objects.filter(event="document_contractual_added").values_list("recipient_id", flat=True))
    assert told == [owner.user.pk]


def test_the_uploader_is_not_notified_of_their_own_contractual_document(media, seeded_types, make_member, alice):
    sales = make_member("sales", clearance=3)
    with tenant_context(alice.tenant):
        client = services.client_create(actor=alice.membership, legal_name="Orbis SAS", owner=sales.membership)
    upload(sales, client, code="bon-de-commande", title="BDC")
    with tenant_context(alice.tenant):
        assert Notification.objects.count() == 0


def test_a_refused_contractual_upload_notifies_nobody(media, seeded_types, alice, make_member):
    sales = make_member("sales", clearance=3)
    with tenant_context(alice.tenant):
        client = services.client_create(actor=alice.membership, legal_name="Orbis SAS", owner=sales.membership)
    with pytest.raises(UploadRefused):
        upload(alice, client, code="bon-de-commande", file=SimpleUploadedFile("bdc.pdf", HTML_BYTES))
    with tenant_context(alice.tenant):
        assert Notification.objects.count() == 0


def test_a_document_keeps_the_clients_name_of_its_date_even_when_its_date_is_corrected(media, alice, client_a):
    # given a client renamed 30 days ago (changement de dénomination)
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    renamed_on = today - datetime.timedelta(days=30)
    with tenant_context(alice.tenant):
        services.client_rename(actor=alice.membership, client=client_a, legal_name="Helios Nouvelle SA", valid_from=renamed_on)
    # when a contract signed before the renaming and a K-bis issued after it are filed
    contract = upload(alice, client_a, title="Contrat", signed_on=renamed_on - datetime.timedelta(days=10))
    kbis = upload(alice, client_a, title="K-bis", signed_on=today)
    # then each carries the name of its date
    assert contract.client_name_at_date == "Helios Énergies SA"
    assert kbis.client_name_at_date == "Helios Nouvelle SA"
    # and correcting the contract's date to after the renaming gives it the new name
    with tenant_context(alice.tenant):
        corrected = document_services.document_update(actor=alice.membership, document=contract, signed_on=renamed_on)
    assert corrected.client_name_at_date == "Helios Nouvelle SA"
