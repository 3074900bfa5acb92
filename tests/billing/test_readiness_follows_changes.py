"""A pre-invoice's checks follow the facts they read at once, without a new billing run: each change
made through the floors below billing (clients, deals, timesheets) refreshes the drafts that read
it, after commit, in a Celery task (run eagerly here)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from adv.celery import app as celery_app
from adv.tenancy.context import tenant_context
from billing import readiness
from clients import services as client_services
from clients.models import BillingProfile, Client, Contact
from deals import services as deal_services
from deals.models import Deal
from documents.models import DocumentType
from tests.factories import ClientApprovalFactory, DocumentFactory
from timesheets import services as timesheet_services
from timesheets.models import ClientApproval, ClientApprovalStatus, TimesheetLine

pytestmark = pytest.mark.django_db

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """`with after_commit():` runs the block, then its on-commit callbacks, Celery tasks eagerly."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    celery_app.conf.task_always_eager = previous


def _profile(firm, client, **fields):
    with tenant_context(firm.tenant):
        BillingProfile.objects.filter(client=client).update(**fields)


def _codes(invoice) -> set[str]:
    return {c["code"] for c in invoice.checks}


def _pending_approvals(firm) -> list[ClientApproval]:
    with tenant_context(firm.tenant):
        return [
            ClientApprovalFactory(timesheet=t, deal=firm.tm_deal, status=ClientApprovalStatus.PENDING)
            for t in firm.timesheets.values()
        ]


def test_uploading_the_client_signed_timesheet_refreshes_the_pre_invoice(billing_firm, after_commit):
    _profile(billing_firm, billing_firm.helios, signed_timesheet_required=True)
    approvals = _pending_approvals(billing_firm)
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.helios).readiness == "blocked"
    # when the signed timesheets are uploaded (no billing run afterwards)
    with tenant_context(billing_firm.tenant):
        for approval in approvals:
            with after_commit() as callbacks:
                timesheet_services.client_approval_upload_signed(
                    actor=billing_firm.adv.membership,
                    approval=approval,
                    upload=SimpleUploadedFile("cra-signe.pdf", PDF_BYTES, content_type="application/pdf"),
                )
            assert callbacks
    # then the pre-invoice no longer says the signed timesheet is missing
    helios = billing_firm.draft_of(billing_firm.helios)
    assert readiness.MISSING_SIGNED_TIMESHEET not in _codes(helios)
    assert helios.readiness == "ready"


def test_the_clients_approval_through_the_link_refreshes_the_pre_invoice(billing_firm, after_commit):
    _profile(billing_firm, billing_firm.helios, signed_timesheet_required=True)
    approvals = _pending_approvals(billing_firm)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert len([c for c in helios.checks if c["code"] == readiness.MISSING_SIGNED_TIMESHEET]) == 2
    with tenant_context(billing_firm.tenant):
        for approval in approvals:
            _approval, raw = timesheet_services.client_approval_send_link(
                actor=billing_firm.adv.membership, approval=approval
            )
            with after_commit():
                timesheet_services.client_approval_decide(
                    approval_id=approval.pk, raw_token=raw, approve=True, comment="", ip=None
                )
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (readiness.MISSING_SIGNED_TIMESHEET in _codes(helios), helios.readiness) == (False, "ready")


def test_entering_the_purchase_order_refreshes_the_pre_invoice(billing_firm, after_commit):
    _profile(billing_firm, billing_firm.helios, purchase_order_required=True)
    billing_firm.build()
    assert readiness.MISSING_PO in _codes(billing_firm.draft_of(billing_firm.helios))
    with tenant_context(billing_firm.tenant), after_commit():
        deal_services.purchase_order_save(
            actor=billing_firm.alice.membership,
            deal=billing_firm.tm_deal,
            number="BC-77",
            valid_from=datetime.date(2026, 1, 1),
        )
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (helios.readiness, helios.po_number) == ("ready", "BC-77")


def test_entering_the_reception_numbers_on_the_timesheets_refreshes_the_pre_invoice(billing_firm, after_commit):
    _profile(billing_firm, billing_firm.helios, reception_number_required=True)
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.helios).readiness == "blocked"
    with tenant_context(billing_firm.tenant):
        for timesheet in billing_firm.timesheets.values():
            with after_commit():
                timesheet_services.timesheet_set_reception_number(
                    actor=billing_firm.adv.membership, line=TimesheetLine.objects.get(timesheet=timesheet), number="REC-1"
                )
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (readiness.MISSING_RECEPTION in _codes(helios), helios.readiness) == (False, "ready")


def test_signing_the_deal_refreshes_the_pre_invoice(billing_firm, after_commit):
    with tenant_context(billing_firm.tenant):
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(
            status="provisional", signed_on=None, provisional_since=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
        )
    billing_firm.build()
    assert readiness.PROVISIONAL_DEAL in _codes(billing_firm.draft_of(billing_firm.helios))
    with tenant_context(billing_firm.tenant), after_commit():
        deal_services.deal_sign(
            actor=billing_firm.alice.membership,
            deal=billing_firm.tm_deal,
            signed_on=datetime.date(2026, 11, 1),
            override_reason="Bon de commande reçu par courrier",
        )
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (readiness.PROVISIONAL_DEAL in _codes(helios), helios.readiness) == (False, "ready")


def test_attaching_the_milestones_document_unblocks_the_pre_invoice(billing_firm, after_commit):
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.orion).readiness == "blocked"
    with tenant_context(billing_firm.tenant):
        document = DocumentFactory(
            client=billing_firm.orion,
            document_type=DocumentType.objects.get(code="pv-recette"),
            deal=billing_firm.fixed_deal,
            title="PV lot 2",
            security_level=1,
            uploaded_by=billing_firm.adv.membership,
        )
        with after_commit():
            deal_services.milestone_attach_document(
                actor=billing_firm.alice.membership, milestone=billing_firm.milestones[1], document=document
            )
    orion = billing_firm.draft_of(billing_firm.orion)
    assert (readiness.MISSING_MILESTONE_DOCUMENT in _codes(orion), orion.readiness) == (False, "ready")


def test_changing_the_clients_billing_particulars_refreshes_its_pre_invoices(billing_firm, after_commit):
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.nova.pk).update(vat_number="")
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.nova).readiness == "blocked"
    with tenant_context(billing_firm.tenant):
        # the client's identity: its VAT number entered
        with after_commit():
            client_services.client_update(
                actor=billing_firm.alice.membership,
                client=Client.objects.get(pk=billing_firm.nova.pk),
                vat_number="DE136695976",
            )
        assert billing_firm.draft_of(billing_firm.nova).readiness == "ready"
        # the billing profile: a purchase order now required
        with after_commit():
            client_services.billing_profile_update(
                actor=billing_firm.alice.membership, client=billing_firm.helios, purchase_order_required=True
            )
        assert readiness.MISSING_PO in _codes(billing_firm.draft_of(billing_firm.helios))
        # the invoice recipients: Nova's only recipient no longer receives invoices
        with after_commit():
            client_services.contact_update(
                actor=billing_firm.alice.membership,
                contact=Contact.objects.get(client=billing_firm.nova),
                invoice_delivery="",
            )
        assert readiness.MISSING_RECIPIENTS in _codes(billing_firm.draft_of(billing_firm.nova))


def test_a_change_with_no_pre_invoice_to_refresh_queues_nothing(billing_firm, after_commit):
    # no billing run yet: no draft reads Helios
    with tenant_context(billing_firm.tenant), after_commit() as callbacks:
        client_services.billing_profile_update(
            actor=billing_firm.alice.membership, client=billing_firm.helios, purchase_order_required=True
        )
    assert callbacks == []


def test_changing_a_staffing_refreshes_the_pre_invoice(billing_firm, after_commit):
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.helios).readiness == "ready"
    with tenant_context(billing_firm.tenant), after_commit():
        deal_services.assignment_update(
            actor=billing_firm.alice.membership, assignment=billing_firm.bob_assignment, reception_number_required=True
        )
    helios = billing_firm.draft_of(billing_firm.helios)
    missing = [c["consultant"] for c in helios.checks if c["code"] == readiness.MISSING_RECEPTION]
    assert len(missing) == 1 and missing[0].startswith("Bob")
