"""Irreversible actions ask first and pages of drafts are never stale: issuing confirms what it does,
Back after issuing cannot issue twice, and a bulk issue never invoices an unsigned deal silently."""

from __future__ import annotations

import html as htmllib

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from billing import jobs
from billing.models import BillingJob, Invoice
from clients.models import BillingProfile
from deals.models import Deal

pytestmark = pytest.mark.django_db


def pre_url(firm, invoice) -> str:
    return firm.adv.url(f"billing/pre-invoices/{invoice.pk}/")


def test_pages_of_drafts_are_not_kept_by_the_browser(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    for url in (pre_url(billing_firm, helios), billing_firm.adv.url("billing/?month=2026-10")):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


def test_issue_asks_for_confirmation_saying_the_client_the_amount_and_that_it_is_final(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    page = billing_firm.adv.client().get(pre_url(billing_firm, helios)).content.decode()
    form = page[page.index('data-testid="pre-invoice-issue-form"'):]
    confirm = htmllib.unescape(form[form.index('data-confirm="') + 14:].split('"', 1)[0])
    assert "Helios" in confirm and "31\u202f152,00\u00a0€" in confirm
    assert "numéro" in confirm and "ne pourra plus être modifiée" in confirm


def test_back_then_issue_again_says_it_is_issued_and_links_to_the_invoice(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    first = client.post(pre_url(billing_firm, helios) + "issue/", {"issue_date": "2026-11-02"})
    assert first.status_code == 302
    with tenant_context(billing_firm.tenant):
        issued = Invoice.objects.get(pk=helios.pk)
    # the stale page's "Émettre", a second time
    again = client.post(pre_url(billing_firm, helios) + "issue/", {"issue_date": "2026-11-02"}, follow=True)
    page = again.content.decode()
    assert again.redirect_chain[-1][0].endswith(f"/billing/invoices/{issued.pk}/")
    assert "déjà été émise" in page and issued.number in page and 'data-testid="already-issued-link"' in page
    with tenant_context(billing_firm.tenant):
        assert Invoice.objects.filter(number__isnull=False).count() == 1


def test_credit_note_asks_for_confirmation(billing_firm):
    billing_firm.build()
    invoice = billing_firm.render(billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0])
    page = billing_firm.adv.client().get(billing_firm.adv.url(f"billing/invoices/{invoice.pk}/")).content.decode()
    form = page[page.index('data-testid="credit-note-form"'):]
    confirm = htmllib.unescape(form[form.index('data-confirm="') + 14:].split('"', 1)[0])
    assert invoice.number in confirm and "annulé" in confirm


def _make_provisional(firm, deal) -> None:
    with tenant_context(firm.tenant):
        Deal.objects.filter(pk=deal.pk).update(status="provisional", signed_on=None, provisional_since=timezone.now())


def test_bulk_issue_skips_unsigned_deals_unless_explicitly_included(billing_firm):
    billing_firm.build()
    _make_provisional(billing_firm, billing_firm.tm_deal)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    cockpit = client.get(billing_firm.adv.url("billing/?month=2026-10")).content.decode()
    assert 'data-testid="include-provisional"' in cockpit and 'data-provisional="1"' in cockpit
    # when ADV issues it without ticking the box: skipped, with a message naming it
    response = client.post(
        billing_firm.adv.url("billing/issue/"), {"invoices": [str(helios.pk)], "month": "2026-10"}, follow=True
    )
    page = htmllib.unescape(response.content.decode())
    assert "affaires non signées" in page and "Helios" in page
    with tenant_context(billing_firm.tenant):
        assert Invoice.objects.get(pk=helios.pk).number is None
    # when the box is ticked: issued (by the job the request starts, run here as a worker would)
    client.post(
        billing_firm.adv.url("billing/issue/"),
        {"invoices": [str(helios.pk)], "month": "2026-10", "include_provisional": "1"},
    )
    with tenant_context(billing_firm.tenant):
        jobs.job_run_now(BillingJob.objects.get())
        assert Invoice.objects.get(pk=helios.pk).number


def test_the_month_summary_counts_agree_with_their_number(billing_firm):
    billing_firm.build()
    page = billing_firm.adv.client().get(billing_firm.adv.url("billing/invoices/month/?month=2026-10")).content.decode()
    assert "1 bloquée<" in page and "1 bloquées" not in page


def test_a_missing_purchase_order_is_fixed_on_the_deals_purchase_orders_tab(billing_firm):
    with tenant_context(billing_firm.tenant):
        BillingProfile.objects.filter(client=billing_firm.helios).update(purchase_order_required=True)
    billing_firm.build()
    page = billing_firm.adv.client().get(billing_firm.adv.url("billing/?month=2026-10")).content.decode()
    assert f'href="/t/{billing_firm.tenant.slug}/deals/{billing_firm.tm_deal.pk}/?tab=orders#orders" data-testid="cockpit-fix"' in page
