"""A small firm written row by row, whose figures the tests compute by hand (no test here).

Tenant "alpha": alice (admin), Sam (sales, owns the "Helios" deals), Ada (accountant), Max
(manager). Clients Helios and Orion. Rows are written directly: issued invoices, credit notes and
payments in the shape the billing services leave them (their own tests cover those services)."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from billing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, LineKind, Payment
from clients.models import Client
from deals.models import Assignment, Deal
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory

D = datetime.date
_numbers = itertools.count(1)


def member(tenant, role: str, name: str, **extra) -> Persona:
    user = UserFactory(email=f"{name.lower()}@alpha.test", first_name=name, last_name="Test")
    with tenant_context(tenant):
        membership = MembershipFactory(user=user, role=role, clearance_level=4, **extra)
    return Persona(user, membership, tenant)


@dataclass
class Firm:
    tenant: object
    alice: Persona
    sales: Persona
    accountant: Persona
    manager: Persona
    helios: Client = None
    orion: Client = None
    deals: dict = field(default_factory=dict)

    def deal(self, key: str, client: Client, deal_type: str, owner=None) -> Deal:
        with tenant_context(self.tenant):
            deal = Deal.objects.create(
                client=client, reference=f"AFF-{key}", title=key, deal_type=deal_type,
                sales_owner=(owner or self.sales).membership,
                start_date=D(2024, 1, 1), status="active", signed_on=D(2024, 1, 1),
            )
        self.deals[key] = deal
        return deal

    def invoice(self, deal: Deal, month: D, net: str, *, issue: D | None = None, due: D | None = None,
                kind=InvoiceKind.INVOICE, credited=None, status=None, vat="0.20", lines=None, **extra) -> Invoice:
        net = Decimal(net)
        gross = (net * (1 + Decimal(vat))).quantize(Decimal("0.01"))
        with tenant_context(self.tenant):
            invoice = Invoice.objects.create(
                kind=kind, month=month, client_id=deal.client_id if deal else extra.pop("client").pk, deal=deal,
                status=InvoiceStatus.DRAFT, due_date=due,
                total_net=net, total_vat=gross - net, total_gross=gross, credited_invoice=credited, **extra,
            )
            for line in lines or []:
                InvoiceLine.objects.create(invoice=invoice, label="l", vat_rate=Decimal("20"), **line)
            if issue is not None:  # issued after its lines: an issued invoice's lines are frozen
                invoice.number, invoice.issue_date = f"F-{next(_numbers):05d}", issue
                invoice.status = status or InvoiceStatus.SENT
                invoice.save(update_fields=["number", "issue_date", "status"])
        return invoice

    def pay(self, invoice: Invoice, amount: str | None, on: D) -> None:
        with tenant_context(self.tenant):
            value = invoice.total_gross if amount is None else Decimal(amount)
            Payment.objects.create(invoice=invoice, paid_on=on, amount=value)
            invoice.amount_paid += value
            invoice.status = InvoiceStatus.PAID if invoice.amount_paid >= invoice.total_gross else InvoiceStatus.PARTIALLY_PAID
            Invoice.objects.filter(pk=invoice.pk).update(amount_paid=invoice.amount_paid, status=invoice.status)

    def credit(self, invoice: Invoice, net: str, issue: D) -> Invoice:
        note = self.invoice(invoice.deal, invoice.month, net, issue=issue, kind=InvoiceKind.CREDIT_NOTE, credited=invoice,
                            status=InvoiceStatus.ISSUED)
        with tenant_context(self.tenant):
            Invoice.objects.filter(pk=invoice.pk).update(amount_credited=note.total_gross)
            invoice.refresh_from_db()
        return note


def time_line(assignment: Assignment, days: str, rate: str) -> dict:
    quantity = Decimal(days)
    return {"kind": LineKind.TIME, "quantity": quantity, "unit_price": Decimal(rate),
            "net_amount": quantity * Decimal(rate), "assignment": assignment}


@pytest.fixture
def firm(alice, tenant_a) -> Firm:
    sales = member(tenant_a, "sales", "Sam")
    accountant = member(tenant_a, "accountant", "Ada")
    manager = member(tenant_a, "manager", "Max")
    result = Firm(tenant_a, alice, sales, accountant, manager)
    with tenant_context(tenant_a):
        result.helios = Client.objects.create(legal_name="Helios", status="client", owner=sales.membership)
        result.orion = Client.objects.create(legal_name="Orion", status="client")
    return result


__all__ = ["D", "Firm", "LineKind", "firm", "member", "time_line"]
