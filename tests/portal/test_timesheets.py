"""CRAs on the portal: bulk approval with its evidence (who, when, from where, the SHA-256 of the
exact version), the signed PDF filed like an uploaded one, a changed timesheet refused, a
rejection without a reason refused; the ADV told; the readiness refreshed (signals)."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from notifications.models import Notification
from portal import evidence
from portal.models import PortalActivity, PortalSignature
from tests.portal.conftest import shown_digests, signed_in, url
from timesheets.models import ClientApproval, ClientApprovalStatus, Timesheet
from timesheets.signals import timesheet_billing_changed, timesheet_client_decided

pytestmark = pytest.mark.django_db


def test_bulk_approval_records_the_evidence_and_files_the_signed_pdf(portal_firm, pending):
    f = portal_firm.firm
    browser = signed_in(f.tenant, portal_firm.marc)
    page = browser.get(url(f.tenant.slug, "timesheets/"))
    html = page.content.decode()
    assert page.status_code == 200 and "Bob" in html and "650" not in html  # days, never a rate
    digests = shown_digests(html)
    assert list(digests) == [str(pending.pk)]
    decided, refreshed = [], []
    timesheet_client_decided.connect(lambda **kw: decided.append(kw), weak=False, dispatch_uid="t-decided")
    timesheet_billing_changed.connect(lambda **kw: refreshed.append(kw), weak=False, dispatch_uid="t-refresh")
    try:
        response = browser.post(
            url(f.tenant.slug, "timesheets/"),
            {"action": "approve", "approval": [str(pending.pk)], f"sha256_{pending.pk}": digests[str(pending.pk)]},
            REMOTE_ADDR="203.0.113.9",
        )
    finally:
        timesheet_client_decided.disconnect(dispatch_uid="t-decided")
        timesheet_billing_changed.disconnect(dispatch_uid="t-refresh")
    assert response.status_code == 302
    with tenant_context(f.tenant):
        approval = ClientApproval.objects.select_related("timesheet", "deal__client", "signed_document__current_version").get(pk=pending.pk)
        signature = PortalSignature.objects.get(approval=approval)
        assert approval.status == ClientApprovalStatus.APPROVED and str(approval.decided_from_ip) == "203.0.113.9"
        assert approval.contact_id == portal_firm.marc.contact_id
        # the evidence: who, when, from where, and the SHA-256 of the exact version approved
        assert signature.contact_id == portal_firm.marc.pk and signature.ip_address == "203.0.113.9"
        assert signature.sha256 == digests[str(pending.pk)] == evidence.digest(signature.content)
        assert signature.timesheet_version == approval.timesheet.version
        assert f"version {approval.timesheet.version}" in signature.content and "2026-05-06 1.00" in signature.content
        assert "conges" not in signature.content  # the absence is not the client's business
        # the signed PDF goes with the invoice like an uploaded one
        version = approval.signed_document.current_version
        assert signature.document_id == approval.signed_document_id and version.content_type == "application/pdf"
        assert approval.signed_document.client_id == f.client.pk and approval.signed_document.deal_id == f.deal.pk
        assert PortalActivity.objects.filter(contact=portal_firm.marc, action="timesheet_approved", ip_address="203.0.113.9").exists()
        assert Notification.objects.filter(recipient=f.adv.user, event="portal.client_action").exists()
        assert Notification.objects.filter(recipient=f.bob.user, event="timesheet.client_decided").exists()
    assert decided == [{"signal": timesheet_client_decided, "sender": ClientApproval, "approval_id": str(pending.pk),
                        "timesheet_id": str(pending.timesheet_id), "approved": True}]
    assert refreshed and refreshed[0]["timesheet_id"] == pending.timesheet_id
    assert b"nothing-pending" in browser.get(url(f.tenant.slug, "timesheets/")).content


def test_a_timesheet_changed_after_it_was_shown_is_refused_and_the_new_version_shown(portal_firm, pending):
    f = portal_firm.firm
    browser = signed_in(f.tenant, portal_firm.marc)
    digests = shown_digests(browser.get(url(f.tenant.slug, "timesheets/")).content.decode())
    with tenant_context(f.tenant):  # the firm reworks the month meanwhile (a new version)
        Timesheet.objects.filter(pk=pending.timesheet_id).update(version=pending.timesheet.version + 1)
    response = browser.post(
        url(f.tenant.slug, "timesheets/"),
        {"action": "approve", "approval": [str(pending.pk)], f"sha256_{pending.pk}": digests[str(pending.pk)]},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "modifié" in html and 'data-changed="1"' in html
    assert shown_digests(html)[str(pending.pk)] != digests[str(pending.pk)]  # the new version's digest
    with tenant_context(f.tenant):
        assert ClientApproval.objects.get(pk=pending.pk).status == ClientApprovalStatus.PENDING
        assert not PortalSignature.objects.exists()


def test_a_rejection_needs_a_reason_and_then_records_it(portal_firm, pending):
    f = portal_firm.firm
    browser = signed_in(f.tenant, portal_firm.marc)
    digest = shown_digests(browser.get(url(f.tenant.slug, "timesheets/")).content.decode())[str(pending.pk)]
    form = {"action": "reject", "approval": str(pending.pk), "sha256": digest}
    blank = browser.post(url(f.tenant.slug, "timesheets/"), {**form, "reason": "   "})
    assert blank.status_code == 400 and "motif" in blank.content.decode()
    with tenant_context(f.tenant):
        assert ClientApproval.objects.get(pk=pending.pk).status == ClientApprovalStatus.PENDING
    assert browser.post(url(f.tenant.slug, "timesheets/"), {**form, "reason": "Le 12 n'était pas travaillé."}).status_code == 302
    with tenant_context(f.tenant):
        approval = ClientApproval.objects.get(pk=pending.pk)
        assert approval.status == ClientApprovalStatus.REFUSED and approval.comment == "Le 12 n'était pas travaillé."
        signature = PortalSignature.objects.get(approval=approval)
        assert signature.decision == "rejected" and signature.document_id is None


def test_approving_nothing_is_a_clear_message(portal_firm, pending):
    f = portal_firm.firm
    response = signed_in(f.tenant, portal_firm.marc).post(url(f.tenant.slug, "timesheets/"), {"action": "approve"})
    assert response.status_code == 400 and "Cochez" in response.content.decode()
