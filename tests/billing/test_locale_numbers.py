"""Amounts typed and shown the user's way on the billing pages and the invoice PDF."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from billing.models import Invoice

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"


def url(firm, path: str = "") -> str:
    return f"/t/{firm.tenant.slug}/billing/invoices/{path}"


@pytest.fixture
def helios_invoice(billing_firm) -> Invoice:
    """Helios's October invoice, issued and rendered (25,960 € HT, 31,152 € TTC)."""
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)])
    return billing_firm.render(result.issued[0])


def speak(persona, language: str):
    persona.user.language = language
    persona.user.save(update_fields=["language"])
    return persona.client()


@pytest.mark.parametrize(("language", "typed"), [("fr", "1 000,50"), ("fr", f"1{NNBSP}000,50"), ("en", "1,000.50")])
def test_a_partial_credit_note_typed_the_users_way_credits_that_amount(billing_firm, helios_invoice, language, typed):
    client = speak(billing_firm.adv, language)
    response = client.post(
        url(billing_firm, f"{helios_invoice.pk}/credit-notes/"),
        {"credit-scope": "partial", "credit-amount": typed, "credit-reason": "Remise"},
    )
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        note = Invoice.objects.get(kind="credit_note")
    assert note.total_net == Decimal("1000.50")


def test_an_english_comma_decimal_is_refused_with_a_message_and_nothing_credited(billing_firm, helios_invoice):
    client = speak(billing_firm.adv, "en")
    response = client.post(
        url(billing_firm, f"{helios_invoice.pk}/credit-notes/"),
        {"credit-scope": "partial", "credit-amount": "1000,50", "credit-reason": "Discount"},
    )
    assert response.status_code == 400
    assert "1,000.50" in response.content.decode()
    with tenant_context(billing_firm.tenant):
        assert not Invoice.objects.filter(kind="credit_note").exists()


def test_the_payment_form_is_a_decimal_text_field_prefilled_in_french_and_errors_format_amounts(
    billing_firm, helios_invoice
):
    client = speak(billing_firm.adv, "fr")
    page = client.get(url(billing_firm, f"{helios_invoice.pk}/")).content.decode()
    assert f'value="31{NNBSP}152,00"' in page and 'type="number"' not in page
    assert f"31{NNBSP}152,00{NBSP}€" in page
    response = client.post(
        url(billing_firm, f"{helios_invoice.pk}/payments/"),
        {"payment-amount": "40 000,00", "payment-paid_on": "2026-11-20", "payment-method": "transfer"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"40{NNBSP}000,00{NBSP}€" in html and f"31{NNBSP}152,00{NBSP}€" in html
    assert "40000.00" not in html and "31152.00" not in html


def test_the_invoice_pdf_prints_amounts_in_french(billing_firm, helios_invoice):
    with tenant_context(billing_firm.tenant):
        invoice = Invoice.objects.get(pk=helios_invoice.pk)
        with invoice.pdf_file.open("rb") as handle:
            pdf = handle.read()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    flat = text.replace(NNBSP, " ").replace(NBSP, " ")
    assert "25 960,00 €" in flat and "31 152,00 €" in flat  # total HT, net à payer
    assert "25960.00" not in flat and "31152.00" not in flat
