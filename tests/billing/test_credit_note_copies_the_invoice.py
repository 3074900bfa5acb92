"""A credit note corrects the invoice as it was issued: same buyer identity and addresses, same VAT
regime and rates, whatever the client's record says today. And a credit note lowers what is due
without being a payment: the invoice's status follows what was paid."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from billing import services
from billing.models import Invoice
from clients.models import Client
from tests.billing.test_facturx import AGREEMENT, checked_document, text

pytestmark = pytest.mark.django_db

CREDIT_DATE = datetime.date(2026, 11, 20)


def _issued_helios(firm) -> Invoice:
    firm.build()
    result = firm.issue([firm.draft_of(firm.helios)])
    assert not result.refused
    with tenant_context(firm.tenant):
        return Invoice.objects.get(pk=result.issued[0].pk)


def test_a_credit_note_copies_the_credited_invoices_buyer_and_vat_regime_after_the_client_changed(billing_firm):
    # given Helios invoiced under French VAT at its Lyon address
    invoice = _issued_helios(billing_firm)
    assert invoice.vat_regime == "standard" and invoice.buyer["country"] == "FR"
    # when the client's record changes afterwards (moved to Germany, new VAT number and address)
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.helios.pk).update(
            country="DE", vat_number="DE136695976", siren="", billing_line1="Friedrichstrasse 1",
            billing_city="Berlin", billing_postal_code="10117", billing_country="DE",
        )
        full = services.credit_note_create(
            actor=billing_firm.adv.membership, invoice=invoice, reason="Annulation", issue_date=CREDIT_DATE
        )
    # then the credit note carries the invoice's buyer, regime and VAT, not today's record
    assert full.buyer == invoice.buyer
    assert full.vat_regime == "standard"
    assert (full.total_net, full.total_vat, full.total_gross) == (
        invoice.total_net, invoice.total_vat, invoice.total_gross
    )
    assert not any("Autoliquidation" in m for m in full.legal_mentions)
    root = checked_document(billing_firm.render(full))
    assert text(root, f"{AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == "FR"
    assert text(root, f"{AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CityName") == "Lyon"


def test_a_partial_credit_note_keeps_the_invoices_regime_and_one_of_its_rates(billing_firm):
    invoice = _issued_helios(billing_firm)
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.helios.pk).update(country="CH", vat_number="", siren="")
        note = services.credit_note_create(
            actor=billing_firm.adv.membership, invoice=invoice, reason="Geste", amount="1000", issue_date=CREDIT_DATE
        )
        assert (note.vat_regime, note.total_vat, note.buyer) == ("standard", Decimal("200.00"), invoice.buyer)
        # a rate the invoice never had is refused
        with pytest.raises(DomainError) as refused:
            services.credit_note_create(
                actor=billing_firm.adv.membership, invoice=invoice, reason="Geste", amount="100", vat_rate="5.5",
                issue_date=CREDIT_DATE,
            )
        assert refused.value.code == "invalid_vat_rate" and "20" in str(refused.value)


def test_the_status_follows_payments_not_credit_notes(billing_firm):
    invoice = _issued_helios(billing_firm)
    actor = billing_firm.adv.membership
    with tenant_context(billing_firm.tenant):
        # a partial credit note on an unpaid invoice: still issued, the balance shows what remains due
        services.credit_note_create(actor=actor, invoice=invoice, reason="Geste", amount="1000", issue_date=CREDIT_DATE)
        invoice.refresh_from_db()
        assert (invoice.status, invoice.amount_paid, invoice.balance) == ("issued", Decimal("0"), Decimal("29952.00"))
        # a payment makes it partially paid, the rest paid makes it paid
        services.payment_record(actor=actor, invoice=invoice, amount="10000", paid_on=CREDIT_DATE)
        invoice.refresh_from_db()
        assert invoice.status == "partially_paid"
        services.payment_record(actor=actor, invoice=invoice, amount="19952", paid_on=CREDIT_DATE)
        invoice.refresh_from_db()
        assert (invoice.status, invoice.balance) == ("paid", Decimal("0.00"))


def test_an_unpaid_invoice_wholly_credited_is_credited_not_paid(billing_firm):
    invoice = _issued_helios(billing_firm)
    with tenant_context(billing_firm.tenant):
        services.credit_note_create(
            actor=billing_firm.adv.membership, invoice=invoice, reason="Annulation", issue_date=CREDIT_DATE
        )
        invoice.refresh_from_db()
    assert (invoice.status, invoice.get_status_display(), invoice.balance) == (
        "credited", "Annulée par avoir", Decimal("0.00")
    )
    page = billing_firm.adv.client().get(billing_firm.adv.url(f"billing/invoices/{invoice.pk}/")).content.decode()
    assert 'data-status="credited"' in page
