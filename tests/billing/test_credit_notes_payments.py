"""Credit notes (full or partial, in their own series, never above what remains) and payments
(partial, full, never more than the balance, never on a pre-invoice); the overdue list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import Conflict, DomainError
from billing import selectors, services
from billing.models import Invoice, InvoiceLine, NumberCounter, Payment
from tests.billing.support import ISSUE_DATE

pytestmark = pytest.mark.django_db

PAID_ON = datetime.date(2026, 11, 20)


def _issued(firm, *clients) -> list[Invoice]:
    firm.build()
    result = firm.issue([firm.draft_of(c) for c in clients])
    assert not result.refused
    with tenant_context(firm.tenant):
        return [Invoice.objects.get(pk=i.pk) for i in result.issued]


def test_a_full_credit_note_copies_the_lines_in_its_own_series_and_references_the_invoice(billing_firm):
    (invoice,) = _issued(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        note = services.credit_note_create(actor=billing_firm.adv.membership, invoice=invoice, reason="Erreur de taux")
        note_lines = sorted(InvoiceLine.objects.filter(invoice=note).values_list("label", "quantity", "unit_price"))
        lines = sorted(InvoiceLine.objects.filter(invoice=invoice).values_list("label", "quantity", "unit_price"))
        invoice.refresh_from_db()
    assert note_lines == lines
    assert (note.kind, note.number, note.credited_invoice_id) == ("credit_note", "AV2026-00001", invoice.pk)
    assert invoice.number == "F2026-00001"
    assert (note.total_net, note.total_gross) == (invoice.total_net, invoice.total_gross)
    assert note.legal_mentions[0] == "Avoir sur la facture F2026-00001 du 02/11/2026."
    assert (invoice.amount_credited, invoice.balance) == (invoice.total_gross, Decimal("0.00"))


def test_a_partial_credit_note(billing_firm):
    (invoice,) = _issued(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        note = services.credit_note_create(
            actor=billing_firm.adv.membership, invoice=invoice, reason="Geste commercial", amount="1000"
        )
        invoice.refresh_from_db()
        (line,) = note.lines.all()
    assert (note.total_net, note.total_vat, note.total_gross) == (
        Decimal("1000.00"),
        Decimal("200.00"),
        Decimal("1200.00"),
    )
    assert "F2026-00001" in line.label
    assert (invoice.amount_credited, invoice.balance) == (Decimal("1200.00"), Decimal("29952.00"))
    assert invoice.status == "issued"  # a credit note is not a payment


def test_a_credit_above_what_remains_is_refused_and_writes_nothing(billing_firm):
    (invoice,) = _issued(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        services.credit_note_create(actor=billing_firm.adv.membership, invoice=invoice, reason="Geste", amount="1000")
        counter = NumberCounter.objects.get(series="credit_note").last_number
        count = Invoice.objects.count()
        with pytest.raises(DomainError) as refused:
            # 25,000 HT = 30,000 TTC, more than the 29,952 TTC that remain
            services.credit_note_create(
                actor=billing_firm.adv.membership, invoice=invoice, reason="Trop", amount="25000"
            )
        assert refused.value.code == "credit_exceeds_invoice"
        assert Invoice.objects.count() == count
        assert NumberCounter.objects.get(series="credit_note").last_number == counter == 1
        invoice.refresh_from_db()
        assert invoice.amount_credited == Decimal("1200.00")


def test_partial_then_full_payment(billing_firm):
    (invoice,) = _issued(billing_firm, billing_firm.helios)
    assert invoice.total_gross == Decimal("31152.00")
    with tenant_context(billing_firm.tenant):
        services.payment_record(actor=billing_firm.adv.membership, invoice=invoice, amount="10000", paid_on=PAID_ON)
        invoice.refresh_from_db()
        assert (invoice.status, invoice.amount_paid, invoice.balance) == (
            "partially_paid",
            Decimal("10000.00"),
            Decimal("21152.00"),
        )
        services.payment_record(actor=billing_firm.adv.membership, invoice=invoice, amount="21152", paid_on=PAID_ON)
        invoice.refresh_from_db()
        assert (invoice.status, invoice.balance) == ("paid", Decimal("0.00"))
        assert Payment.objects.filter(invoice=invoice).count() == 2


def test_an_overpayment_is_refused(billing_firm):
    (invoice,) = _issued(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        with pytest.raises(DomainError) as refused:
            services.payment_record(
                actor=billing_firm.adv.membership, invoice=invoice, amount="31152.01", paid_on=PAID_ON
            )
        assert refused.value.code == "overpayment"
        invoice.refresh_from_db()
        assert (invoice.status, invoice.amount_paid, Payment.objects.count()) == ("issued", Decimal("0.00"), 0)


def test_a_payment_on_a_pre_invoice_is_refused(billing_firm):
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        with pytest.raises(Conflict) as refused:
            services.payment_record(actor=billing_firm.adv.membership, invoice=draft, amount="100", paid_on=PAID_ON)
        assert refused.value.code == "not_payable"
        assert Payment.objects.count() == 0
        assert Invoice.objects.get(pk=draft.pk).status == "draft"


def test_overdue_lists_invoices_past_due_with_a_balance(billing_firm):
    helios, nova = _issued(billing_firm, billing_firm.helios, billing_firm.nova)
    assert helios.due_date == nova.due_date == ISSUE_DATE + datetime.timedelta(days=30)
    with tenant_context(billing_firm.tenant):
        services.payment_record(actor=billing_firm.adv.membership, invoice=nova, amount="1500", paid_on=PAID_ON)
        assert list(selectors.overdue(datetime.date(2026, 12, 2))) == []  # due today: not late yet
        late = list(selectors.overdue(datetime.date(2026, 12, 10)))
        assert [i.pk for i in late] == [helios.pk]
        assert late[0].open_balance == Decimal("31152.00")
        helios.refresh_from_db()
        assert helios.is_overdue(datetime.date(2026, 12, 10))
