"""The demo firm's month is ready to bill: last month's cockpit has ready pre-invoices and a blocked
one for each reason, the month before is billed (paid, partially paid, overdue, credited, sent, to
deposit) with its Factur-X PDFs; loading the demo twice duplicates nothing."""

from __future__ import annotations

import os
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from facturx import get_facturx_xml_from_pdf

from adv.tenancy.context import tenant_context
from billing import readiness, selectors
from billing.demo import months
from billing.models import BillingRun, Invoice, InvoiceKind, InvoiceStatus, Payment

pytestmark = pytest.mark.today  # on the demo firm seeded once (`demo_tenant`, tests/conftest.py)


def _seed():
    call_command("seed_demo", stdout=open(os.devnull, "w"))


def _state(tenant):
    with tenant_context(tenant):
        return {
            "invoices": sorted(
                Invoice.objects.values_list("month", "group_key", "kind", "status", "number", "readiness", "total_net")
            ),
            "runs": BillingRun.objects.count(),
            "payments": Payment.objects.count(),
        }


def _codes(invoice) -> set[str]:
    return {c["code"] for c in invoice.checks if c["level"] != readiness.INFO}


def test_last_month_is_ready_to_bill_with_a_blocked_pre_invoice_for_each_reason(demo_tenant):
    tenant = demo_tenant
    billed, _previous = months(timezone.localdate())
    with tenant_context(tenant):
        rows = list(selectors.pre_invoices(billed).select_related("deal"))
        ready = {r.deal.title for r in rows if r.readiness == "ready"}
        blocked = {frozenset(_codes(r)) for r in rows if r.readiness == "blocked"}
        action = [r for r in rows if r.readiness == "action"]
        platform = [r for r in rows if any(c["code"] == readiness.PLATFORM_DEPOSIT for c in r.checks)]
        run = BillingRun.objects.get(month=billed)
    assert run.status == "done"
    # ready: time and materials without client approval, a subscription, a dated milestone with its PV
    assert {"TMA applicative SAP – 2026", "Infogérance du SI logistique", "Refonte du portail patients"} <= ready
    # blocked, each for one reason
    for code in (
        readiness.MISSING_PO,
        readiness.MISSING_RECEPTION,
        readiness.MISSING_SIGNED_TIMESHEET,
        readiness.MISSING_MILESTONE_DOCUMENT,
    ):
        assert frozenset({code}) in blocked, code
    # action: a provisional deal; a Chorus Pro public client with its service code and engagement
    assert any(_codes(r) == {readiness.PROVISIONAL_DEAL} for r in action)
    chorus = [r for r in platform if r.deal.title == "Refonte du portail patients"]
    assert chorus and chorus[0].service_code and chorus[0].po_number and chorus[0].readiness == "ready"


def test_the_month_before_is_billed_with_every_invoice_state_and_factur_x_pdfs(demo_tenant):
    tenant = demo_tenant
    today = timezone.localdate()
    billed, previous = months(today)
    with tenant_context(tenant):
        invoices = list(Invoice.objects.filter(month=previous).exclude(number=None))
        issued = [i for i in invoices if i.kind == InvoiceKind.INVOICE]
        notes = [i for i in invoices if i.kind == InvoiceKind.CREDIT_NOTE]
        statuses = {i.status for i in issued}
        overdue = list(selectors.overdue(today))
        to_deposit = list(selectors.to_deposit())
        credited = [(n.total_gross, n.credited_invoice.total_gross) for n in notes]
        assert not Invoice.objects.filter(month=previous, status=InvoiceStatus.DRAFT).exists()
        for invoice in invoices:
            assert invoice.issue_date >= billed
            assert invoice.render_status == "done"
            invoice.pdf_file.open("rb")
            pdf = invoice.pdf_file.read()
            invoice.pdf_file.close()
            _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
            assert invoice.number.encode() in xml
    assert len(issued) >= 6
    assert {InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.SENT, InvoiceStatus.ISSUED} <= statuses
    assert len(credited) == 1 and credited[0][0] < credited[0][1]
    assert any(i.status == InvoiceStatus.SENT and i.amount_paid == 0 for i in overdue)
    assert any(i.status == InvoiceStatus.SENT and not i.is_overdue(today) for i in issued)
    assert any(i.month == previous for i in to_deposit)


def test_loading_the_demo_twice_duplicates_nothing_and_billing_seeds_fast(demo_tenant):
    tenant = demo_tenant  # loaded once (`seed_demo`)
    first = _state(tenant)
    started = time.monotonic()
    _seed()
    assert time.monotonic() - started < 60
    assert _state(tenant) == first
