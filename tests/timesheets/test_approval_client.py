"""Client approval: the link sent to the client's signatory (single-use, expiring, audited), the
public page without login (the month of that deal only, no rate), approve or refuse with a
comment, expired / reused / tampered links, and the signed copy uploaded instead."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from adv.tenancy.context import tenant_context
from documents.models import Document
from notifications.models import Notification, OutboxEmail
from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    NOW,
    approved,
    fill,
    line,
    open_month,
    pdf_upload,
    require_on_client,
    shown_rates,
    submitted,
    working_days_of_assignment,
)
from timesheets.models import ClientApproval, ClientApprovalStatus

pytestmark = pytest.mark.django_db

# Fixtures shared by the timesheet tests.
firm = support.firm
frozen = support.frozen
media = support.media
LINK = re.compile(r"https?://[^\s]+/approve/([A-Za-z0-9_-]+)/")


@pytest.fixture
def pending(firm):
    """Bob's May on Helios (13 days and a day of leave), approved by alice: the client signs."""
    require_on_client(firm, signed=True)
    timesheet = open_month(firm.bob)
    work, leave = line(timesheet, deal=firm.deal), line(timesheet, absence="conges-payes")
    fill(firm.bob, timesheet, [(work, d, "1") for d in working_days_of_assignment()] + [(leave, 4, "1")])
    approved(firm.bob, submitted(firm.bob, timesheet), by=firm.alice)
    with tenant_context(firm.tenant):
        return ClientApproval.objects.select_related("timesheet").get(timesheet=timesheet, deal=firm.deal)


def send_link(firm, approval, by=None) -> str:
    """Send the link from the month page (ADV by default); return the raw token from the email."""
    by = by or firm.adv
    with tenant_context(firm.tenant):
        contact = firm.client.contacts.get(email="marc.olivier@helios.example")
    response = by.client().post(
        by.url(f"timesheets/{approval.timesheet_id}/client-approvals/{approval.pk}/send/"), {"contact": str(contact.pk)}
    )
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        email = OutboxEmail.objects.filter(template_key="timesheet.client_approval_request").latest("created_at")
    return LINK.search(email.body).group(1)


def fresh(approval) -> ClientApproval:
    with tenant_context(approval.tenant_id):
        return ClientApproval.objects.select_related("contact").get(pk=approval.pk)


def test_manager_approval_opens_a_pending_client_approval_for_a_deal_that_requires_it(firm, pending):
    assert pending.status == ClientApprovalStatus.PENDING and not pending.key_hash


def test_the_link_is_emailed_to_the_signatory_in_the_clients_language(firm, pending):
    # when ADV sends the link
    token = send_link(firm, pending)
    # then one email to Marc, with the consultant, the month, the total and the expiry
    with tenant_context(firm.tenant):
        email = OutboxEmail.objects.get(template_key="timesheet.client_approval_request")
    assert email.to == ["marc.olivier@helios.example"]
    assert "mai 2026" in email.subject and "Bob" in email.subject
    assert "13 jour(s)" in email.body and firm.deal.reference in email.body
    assert f"/approve/{token}/" in email.body
    approval = fresh(pending)
    assert approval.contact.email == "marc.olivier@helios.example"
    assert approval.link_expires_at == NOW + datetime.timedelta(days=14)
    # and only the hash of the token is stored
    assert token not in approval.key_hash


def test_the_consultant_may_send_the_link_too(firm, pending):
    token = send_link(firm, pending, by=firm.bob)
    assert token and fresh(pending).contact is not None


def test_the_public_page_shows_that_deals_days_and_total_only(firm, pending):
    token = send_link(firm, pending)
    # when the client opens the link, without any account
    response = Client().get(f"/approve/{token}/")
    # then the month of that deal: consultant, reference, total; nothing else
    assert response.status_code == 200
    html = response.content.decode()
    assert firm.deal.reference in html and "Helios" in html
    assert 'data-testid="ca-total">13<' in html
    assert "Congés" not in html and "Orion" not in html and "Badge" not in html
    assert shown_rates(html) == []
    # never sent to another site; same-origin, or the browser would send `Origin: null` with the form
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_client_approves_and_the_decision_is_recorded_with_time_and_address(firm, pending):
    token = send_link(firm, pending)
    response = Client().post(f"/approve/{token}/", {"decision": "approve", "comment": "RAS"}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    approval = fresh(pending)
    assert approval.status == ClientApprovalStatus.APPROVED
    assert approval.decided_at == NOW and approval.link_used_at == NOW
    assert approval.decided_from_ip == "203.0.113.7"
    assert approval.comment == "RAS"
    # and the consultant and the deal's ADV are told
    with tenant_context(firm.tenant):
        told = set(Notification.objects.filter(event="timesheet.client_decided").values_list("recipient__email", flat=True))
    assert told == {firm.bob.user.email, firm.adv.user.email}
    # and the history keeps the decision
    with tenant_context(firm.tenant):
        assert approval.events.filter(pgh_label="update", status="approved").exists()


def test_a_refusal_needs_a_comment_then_is_recorded_with_it(firm, pending):
    token = send_link(firm, pending)
    anonymous = Client()
    response = anonymous.post(f"/approve/{token}/", {"decision": "refuse", "comment": "  "})
    assert response.status_code == 400
    assert fresh(pending).status == ClientApprovalStatus.PENDING and fresh(pending).link_used_at is None
    response = anonymous.post(f"/approve/{token}/", {"decision": "refuse", "comment": "Le 21, le consultant était absent."})
    assert response.status_code == 302
    approval = fresh(pending)
    assert approval.status == ClientApprovalStatus.REFUSED
    assert approval.comment == "Le 21, le consultant était absent."
    # the month page shows the client's comment
    page = firm.adv.client().get(firm.adv.url(f"timesheets/approvals/members/{firm.bob.membership.pk}/2026/5/")).content.decode()
    assert "Le 21, le consultant était absent." in page


def test_a_used_link_changes_nothing(firm, pending):
    token = send_link(firm, pending)
    anonymous = Client()
    anonymous.post(f"/approve/{token}/", {"decision": "approve"})
    before = fresh(pending)
    # when the link is used again (to refuse this time)
    response = anonymous.post(f"/approve/{token}/", {"decision": "refuse", "comment": "Finalement non."})
    # then the page says it was already answered, and nothing changed
    assert response.status_code == 200
    assert 'data-reason="used"' in response.content.decode()
    after = fresh(pending)
    assert (after.status, after.comment, after.decided_at) == (before.status, before.comment, before.decided_at)


def test_an_expired_link_changes_nothing(firm, pending):
    token = send_link(firm, pending)
    with tenant_context(firm.tenant):
        ClientApproval.objects.filter(pk=pending.pk).update(link_expires_at=NOW - datetime.timedelta(minutes=1))
    anonymous = Client()
    assert anonymous.get(f"/approve/{token}/").status_code == 410
    response = anonymous.post(f"/approve/{token}/", {"decision": "approve"})
    assert response.status_code == 410
    assert 'data-reason="expired"' in response.content.decode()
    assert fresh(pending).status == ClientApprovalStatus.PENDING and fresh(pending).link_used_at is None


@pytest.mark.parametrize("tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:20], lambda t: "x" * 43, lambda t: t + "%00"])
def test_a_tampered_link_is_refused_and_changes_nothing(firm, pending, tamper):
    token = send_link(firm, pending)
    response = Client().post(f"/approve/{tamper(token)}/", {"decision": "approve"})
    assert response.status_code == 404
    assert 'data-reason="invalid"' in response.content.decode()
    assert fresh(pending).status == ClientApprovalStatus.PENDING


def test_a_new_link_replaces_the_previous_one(firm, pending):
    first = send_link(firm, pending)
    second = send_link(firm, pending)
    assert Client().get(f"/approve/{first}/").status_code == 404
    assert Client().get(f"/approve/{second}/").status_code == 200


def test_adv_uploads_the_signed_copy_which_approves_the_month_for_that_deal(firm, pending, media):
    # when ADV drops the signed PDF on the month page
    response = firm.adv.client().post(
        firm.adv.url(f"timesheets/{pending.timesheet_id}/client-approvals/{pending.pk}/upload/"), {"file": pdf_upload()}
    )
    # then it is a "feuille de temps signée" on the client record, attached to the deal, and the month is approved
    assert response.status_code == 302
    approval = fresh(pending)
    assert approval.status == ClientApprovalStatus.APPROVED
    with tenant_context(firm.tenant):
        document = Document.objects.select_related("document_type").get(pk=approval.signed_document_id)
    assert document.document_type.code == "feuille-temps-signee"
    assert document.deal_id == firm.deal.pk and document.client_id == firm.client.pk


def test_a_link_sent_before_the_signed_copy_arrived_no_longer_decides(firm, pending, media):
    token = send_link(firm, pending)
    firm.adv.client().post(firm.adv.url(f"timesheets/{pending.timesheet_id}/client-approvals/{pending.pk}/upload/"), {"file": pdf_upload()})
    response = Client().post(f"/approve/{token}/", {"decision": "refuse", "comment": "Non."})
    assert 'data-reason="used"' in response.content.decode()
    assert fresh(pending).status == ClientApprovalStatus.APPROVED


def upload_url(approval) -> str:
    return f"timesheets/{approval.timesheet_id}/client-approvals/{approval.pk}/upload/"


def test_the_consultant_attaches_the_signed_copy_of_their_own_month_from_the_month_page(firm, pending, media):
    # given bob, a consultant (no right to upload client documents, public clearance only)
    client = firm.bob.client()
    page = client.get(firm.bob.url("timesheets/me/2026/5/")).content.decode()
    assert 'data-testid="upload-signed-form"' in page
    # when he drops the PDF the client signed
    response = client.post(firm.bob.url(upload_url(pending)), {"file": pdf_upload()})
    # then it is the client's "feuille de temps signée", attached to the deal, uploaded by him,
    # and the month is approved by the client for that deal
    assert response.status_code == 302
    approval = fresh(pending)
    assert approval.status == ClientApprovalStatus.APPROVED and approval.decided_at == NOW
    with tenant_context(firm.tenant):
        document = Document.objects.select_related("document_type", "current_version").get(pk=approval.signed_document_id)
    assert document.document_type.code == "feuille-temps-signee"
    assert (document.deal_id, document.client_id, document.uploaded_by_id) == (firm.deal.pk, firm.client.pk, firm.bob.membership.pk)
    assert document.current_version.content_type == "application/pdf" and len(document.current_version.sha256) == 64
    assert len([p for p in media.rglob("*") if p.is_file()]) == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: SimpleUploadedFile("cra-signe.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"), "ne correspond pas"),
        (lambda: SimpleUploadedFile("cra-signe.exe", b"%PDF-1.4 whatever", content_type="application/pdf"), "Type de fichier refusé"),
        (lambda: SimpleUploadedFile("cra-signe.pdf", b"", content_type="application/pdf"), "vide"),
    ],
)
def test_a_file_the_documents_would_refuse_is_refused_to_the_consultant_and_changes_nothing(firm, pending, media, upload, message):
    # when bob drops a file that is not what it claims, of a refused type, or empty
    response = firm.bob.client().post(firm.bob.url(upload_url(pending)), {"file": upload()}, follow=True)
    # then the same refusal as on the client record, and nothing is written: no document, no blob
    assert message in response.content.decode()
    assert fresh(pending).status == ClientApprovalStatus.PENDING
    with tenant_context(firm.tenant):
        assert not Document.objects.filter(document_type__code="feuille-temps-signee").exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_too_large_signed_copy_is_refused(firm, pending, media, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10
    response = firm.bob.client().post(firm.bob.url(upload_url(pending)), {"file": pdf_upload()}, follow=True)
    assert "trop volumineux" in response.content.decode()
    assert fresh(pending).status == ClientApprovalStatus.PENDING
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_only_the_consultant_of_the_month_or_adv_attaches_the_signed_copy(firm, pending, media):
    # bob's manager approves the month but does not hand in the client's signature
    with tenant_context(firm.tenant):
        type(firm.bob.membership).objects.filter(pk=firm.bob.membership.pk).update(reports_to=firm.manager.membership)
    response = firm.manager.client().post(firm.manager.url(upload_url(pending)), {"file": pdf_upload()})
    assert response.status_code == 403
    # another consultant does not even see bob's month
    response = firm.chloe.client().post(firm.chloe.url(upload_url(pending)), {"file": pdf_upload()})
    assert response.status_code == 404
    assert fresh(pending).status == ClientApprovalStatus.PENDING
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_carol_cannot_send_the_link_of_tenant_a(firm, pending, carol):
    response = carol.client().post(carol.url(f"timesheets/{pending.timesheet_id}/client-approvals/{pending.pk}/send/"), {"contact": "x"})
    assert response.status_code == 404
    assert not fresh(pending).key_hash
