"""The product as `make run` runs it, for a French user's keyboard and for foreign clients.

These two tests describe fixes owned by other parts of issue 10 (money input in the user's locale;
the VAT regime of foreign clients): they fail until those are merged."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from billing.build import billed_month
from billing.models import BillingRun, Invoice, InvoiceKind
from clients import services as client_services
from deals import services as deal_services
from tests.e2e.product import login, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_french_user_types_1_000_50_in_the_credit_note_amount(product, page, demo, tmp_path):
    # given an issued invoice of the demo of more than 1 000,50 € HT
    with tenant_context(demo):
        invoice = (
            Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=["issued", "sent"], total_net__gt=Decimal("2000"))
            .order_by("number")
            .first()
        )
    assert invoice is not None, "the demo has no issued invoice to credit"
    page.on("dialog", lambda dialog: dialog.accept())  # a confirmation, if any
    login(page, product)
    page.goto(f"{product.url}/t/{DEMO_TENANT_SLUG}/billing/invoices/{invoice.pk}/")
    form = page.get_by_test_id("credit-note-form")
    # when the French user chooses a partial credit note and types "1 000,50" as on their keyboard
    form.locator("input[name=credit-scope][value=partial]").check()
    amount = form.locator("input[name=credit-amount]")
    amount.click()
    page.keyboard.type("1 000,50")
    form.locator("input[name=credit-reason]").fill("Geste commercial")
    page.screenshot(path=str(tmp_path / "credit-note-typed.png"), full_page=True)
    form.locator("button[type=submit]").click()
    # then the credit note is of 1 000,50 € HT, not 100 050 nor 1 000
    def credit_note():
        with tenant_context(demo):
            return Invoice.objects.filter(credited_invoice=invoice, kind=InvoiceKind.CREDIT_NOTE).first()

    note = wait_for(credit_note, 30, product, "the credit note")
    page.screenshot(path=str(tmp_path / "credit-note-issued.png"), full_page=True)
    assert abs(note.total_net) == Decimal("1000.50")


def _foreign_client_with_a_milestone(admin, month: datetime.date, *, name: str, country: str, vat: str, amount: str):
    """A client created as the client form creates one (its billing address country left as the
    form proposes it), with a signed fixed-price deal whose only milestone falls due in `month`."""
    client = client_services.client_create(
        actor=admin, legal_name=name, status="client", country=country, vat_number=vat,
        billing_line1="Hauptstrasse 1", billing_postal_code="8001", billing_city="Zürich" if country == "CH" else "Berlin",
    )
    deal = deal_services.deal_create(
        actor=admin, client=client, deal_type="fixed_price", title=f"Audit {name}", ordered_amount=Decimal(amount),
        start_date=month, end_date=month + datetime.timedelta(days=27),
    )
    deal = deal_services.deal_sign(actor=admin, deal=deal, signed_on=month, override_reason="Signé par courrier")
    deal_services.milestone_schedule_replace(
        actor=admin, deal=deal, items=[{"label": "Rapport d'audit", "due_date": month + datetime.timedelta(days=14), "amount": amount}]
    )
    return client


def test_a_german_and_a_swiss_client_are_billed_without_french_vat(product, page, demo, tmp_path):
    from django.utils import timezone

    month = billed_month(timezone.localdate())
    with tenant_context(demo):
        admin = Membership.objects.get(user__email="admin@demo.adv.test")
        german = _foreign_client_with_a_milestone(
            admin, month, name="Rheinwerk GmbH", country="DE", vat="DE136695976", amount="10000"
        )
        swiss = _foreign_client_with_a_milestone(
            admin, month, name="Alpenblick AG", country="CH", vat="", amount="8000"
        )
        earlier = set(BillingRun.objects.values_list("pk", flat=True))
    # when the ADV runs the month's billing from the cockpit
    login(page, product)
    page.goto(f"{product.url}/t/{DEMO_TENANT_SLUG}/billing/")
    page.get_by_test_id("billing-run-start").click()

    def finished_run():
        with tenant_context(demo):
            return BillingRun.objects.exclude(pk__in=earlier).filter(status="done").first()

    wait_for(finished_run, 240, product, "the month's run")
    page.reload()
    page.screenshot(path=str(tmp_path / "cockpit-foreign.png"), full_page=True)
    # then neither pre-invoice carries French VAT
    with tenant_context(demo):
        for client in (german, swiss):
            draft = Invoice.objects.get(client=client, month=month, kind=InvoiceKind.INVOICE)
            assert draft.total_net > 0
            assert (client.legal_name, draft.total_vat) == (client.legal_name, Decimal("0.00"))
            # reverse charge for the German business, outside the scope of French VAT for the Swiss one
            assert draft.vat_regime == ("reverse_charge" if client == german else "export")
    expect(page.get_by_test_id("billing-run-progress")).to_have_attribute("data-status", "done")
