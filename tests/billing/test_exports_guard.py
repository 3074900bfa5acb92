"""The accrued-revenue (FAE) export is guarded against formula injection (adv/exports.py): clients
and deals named like formulas, downloaded by the accountant; the amounts stay numbers."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from clients.models import Client
from deals.models import Deal
from tests.export_guard import PAYLOADS, assert_csv_inert, body

pytestmark = pytest.mark.django_db


def test_the_accrued_revenue_export_is_inert_and_its_amounts_stay_numbers(billing_firm):
    # given the month's pre-invoices of clients named like formulas, one deal referenced "-1"
    with tenant_context(billing_firm.tenant):
        for client, payload in zip((billing_firm.helios, billing_firm.orion, billing_firm.nova), PAYLOADS, strict=False):
            Client.objects.filter(pk=client.pk).update(legal_name=payload, trade_name="")
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(reference="-1")
        Deal.objects.filter(pk=billing_firm.fixed_deal.pk).update(reference="\tx")
    billing_firm.build()
    # when the accountant downloads the FAE of October
    response = billing_firm.accountant.client().get(
        f"/t/{billing_firm.tenant.slug}/billing/invoices/month/fae.csv", {"month": "2026-10"}
    )
    # then every name is inert, and the amounts are typed numbers
    cells = assert_csv_inert(body(response), [*PAYLOADS[:3], "-1", "\tx"])
    assert any(cell.endswith(",00") and cell[0].isdigit() for cell in cells), cells
