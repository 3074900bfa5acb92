"""Dunning fixtures: the billing firm's Helios invoice issued on 2 November 2026, due on
2 December 2026 (30 days), with its PDF stored; the clock is moved day by day by each test."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from adv.tenancy.context import tenant_context
from billing.models import Invoice
from tests.billing.support import BILLING_DAY, billing_firm, media  # noqa: F401  (fixtures)

DUE = datetime.date(2026, 12, 2)
PARIS = datetime.timezone(datetime.timedelta(hours=1))


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def late(days: int) -> datetime.date:
    return DUE + datetime.timedelta(days=days)


def with_pdf(tenant, invoice: Invoice) -> Invoice:
    """The invoice's PDF as the renderer stores it (without running WeasyPrint)."""
    with tenant_context(tenant):
        name = default_storage.save(f"invoices/{invoice.pk}.pdf", ContentFile(b"%PDF-1.7 test"))
        Invoice.objects.filter(pk=invoice.pk).update(pdf_file=name, render_status="done", pdf_sha256="0" * 64)
        return Invoice.objects.get(pk=invoice.pk)


@dataclass
class Overdue:
    firm: object
    invoice: Invoice

    def fresh(self) -> Invoice:
        with tenant_context(self.firm.tenant):
            return Invoice.objects.get(pk=self.invoice.pk)


@pytest.fixture
def overdue(billing_firm, time_machine) -> Overdue:  # noqa: F811
    time_machine.move_to(BILLING_DAY, tick=False)
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    assert invoice.due_date == DUE
    return Overdue(billing_firm, with_pdf(billing_firm.tenant, invoice))
