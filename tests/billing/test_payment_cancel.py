"""A payment recorded by mistake is cancelled: the balance and the status follow, in the page and
the API; the accountant cannot; the deletion stays in the audit trail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from billing import services
from billing.models import Invoice, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(billing_firm):
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    with tenant_context(billing_firm.tenant):
        payment = services.payment_record(
            actor=billing_firm.adv.membership,
            invoice=invoice,
            amount=invoice.total_gross,
            paid_on=datetime.date(2026, 11, 20),
        )
        assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    return invoice, payment


def test_cancelling_a_payment_reopens_the_balance(billing_firm, paid):
    invoice, payment = paid
    url = billing_firm.adv.url(f"billing/invoices/{invoice.pk}/payments/{payment.pk}/cancel/")
    # the accountant may not
    assert billing_firm.accountant.client().post(url).status_code == 403
    # the ADV may
    response = billing_firm.adv.client().post(url)
    assert response.status_code == 302
    with tenant_context(billing_firm.tenant):
        current = Invoice.objects.get(pk=invoice.pk)
        assert not Payment.objects.filter(pk=payment.pk).exists()
        assert Payment.pgh_event_model.objects.filter(pgh_obj_id=payment.pk, pgh_label="delete").exists()
    assert (current.status, current.amount_paid, current.balance) == ("issued", Decimal("0.00"), invoice.total_gross)


def test_the_api_cancels_a_payment_with_delete(billing_firm, paid):
    invoice, payment = paid
    cache.clear()
    with tenant_context(billing_firm.tenant):
        _token, raw = api_token_create(actor=billing_firm.adv.membership, name="integration")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").delete(f"/api/v1/payments/{payment.pk}/")
    assert response.status_code == 204
    with tenant_context(billing_firm.tenant):
        assert Invoice.objects.get(pk=invoice.pk).status == "issued"
