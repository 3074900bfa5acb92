"""Correcting a billed month: a fully credited invoice gives its time and milestones back to the
next run, credits are deducted from the month's billed figure; one run at a time per month, and
the in-process run sends nothing to the broker."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from adv.tenancy.context import tenant_context
from billing import runs, selectors, services
from billing.models import BillingRun, Invoice
from deals.models import Milestone
from tests.billing.support import OCTOBER
from tests.factories import ClientApprovalFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def _issue(firm, client) -> Invoice:
    result = firm.issue([firm.draft_of(client)])
    assert not result.refused
    return result.issued[0]


def test_a_fully_credited_invoice_gives_its_time_back_to_the_next_run(billing_firm):
    billing_firm.build()
    invoice = _issue(billing_firm, billing_firm.helios)
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert not Invoice.objects.filter(client=billing_firm.helios, status="draft").exists()
        # when the whole invoice is cancelled by a credit note
        services.credit_note_create(actor=billing_firm.adv.membership, invoice=invoice, reason="Mauvais client facturé")
    billing_firm.build()
    # then the run bills the same 38 days again, on a new pre-invoice
    redo = billing_firm.draft_of(billing_firm.helios)
    assert redo.pk != invoice.pk and redo.total_net == invoice.total_net == Decimal("25960.00")


def test_a_partial_credit_note_does_not_bill_the_time_again(billing_firm):
    billing_firm.build()
    invoice = _issue(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        services.credit_note_create(
            actor=billing_firm.adv.membership, invoice=invoice, reason="Geste commercial", amount="500"
        )
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert not Invoice.objects.filter(client=billing_firm.helios, status="draft").exists()


def test_a_fully_credited_milestone_is_billable_again(billing_firm):
    billing_firm.attach_missing_pv()
    billing_firm.build()
    invoice = _issue(billing_firm, billing_firm.orion)
    with tenant_context(billing_firm.tenant):
        assert set(Milestone.objects.filter(deal=billing_firm.fixed_deal).values_list("status", flat=True)) == {
            "invoiced"
        }
        services.credit_note_create(actor=billing_firm.adv.membership, invoice=invoice, reason="Lots refacturés")
        assert set(Milestone.objects.filter(deal=billing_firm.fixed_deal).values_list("status", flat=True)) == {"ready"}
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.orion).total_net == Decimal("30000.00")


def test_credit_notes_are_deducted_from_the_month_billed_figure(billing_firm):
    billing_firm.build()
    invoice = _issue(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        before = selectors.month_figures(OCTOBER)
        services.credit_note_create(actor=billing_firm.adv.membership, invoice=invoice, reason="Remise", amount="960")
        after = selectors.month_figures(OCTOBER)
    assert before.net_billed == Decimal("25960.00")
    assert after.net_billed == Decimal("25000.00")
    assert after.remaining == before.remaining + Decimal("960.00")


def test_one_running_run_per_month(billing_firm):
    with tenant_context(billing_firm.tenant):
        BillingRun.objects.create(month=OCTOBER)
        with pytest.raises(IntegrityError), transaction.atomic():
            BillingRun.objects.create(month=OCTOBER)
        # and launching again resumes the running one
        with mock.patch("billing.tasks.build_chunk.apply_async"):
            run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        assert BillingRun.objects.filter(month=OCTOBER).count() == 1 and run.status == "running"


def test_the_in_process_run_sends_nothing_to_the_broker(billing_firm, django_capture_on_commit_callbacks):
    with mock.patch("billing.tasks.build_chunk.apply_async") as send, django_capture_on_commit_callbacks(execute=True):
        run = billing_firm.build()
    assert run.status == "done" and send.call_count == 0


def test_issuing_records_the_documents_that_go_with_the_invoice(billing_firm):
    from billing.models import InvoiceAttachment
    from documents.models import DocumentType

    billing_firm.attach_missing_pv()
    with tenant_context(billing_firm.tenant):
        signed = DocumentFactory(
            client=billing_firm.helios,
            document_type=DocumentType.objects.get(code="feuille-temps-signee"),
            deal=billing_firm.tm_deal,
            title="CRA d'octobre signé",
            security_level=1,
            uploaded_by=billing_firm.adv.membership,
        )
        ClientApprovalFactory(
            timesheet=billing_firm.timesheets["bob"],
            deal=billing_firm.tm_deal,
            status="approved",
            signed_document=signed,
        )
    billing_firm.build()
    # the pre-invoice page already lists what will go with it
    orion = billing_firm.draft_of(billing_firm.orion)
    page = billing_firm.adv.client().get(billing_firm.adv.url(f"billing/pre-invoices/{orion.pk}/")).content.decode()
    assert "Lot 1 – cadrage" in page and "Lot 2 – recette" in page
    # when both are issued
    result = billing_firm.issue([orion, billing_firm.draft_of(billing_firm.helios)])
    assert not result.refused
    with tenant_context(billing_firm.tenant):
        rows = sorted(InvoiceAttachment.objects.values_list("invoice__client__legal_name", "reason"))
    # then the PVs go with Orion's invoice and bob's signed timesheet with Helios's
    assert rows == [
        ("Helios Énergies SA", f"CRA signé de {billing_firm.bob.user.get_full_name()}"),
        ("Orion Industrie SAS", "Lot 1 – cadrage"),
        ("Orion Industrie SAS", "Lot 2 – recette"),
    ]
