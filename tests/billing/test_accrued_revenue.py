"""Accrued revenue (FAE) also counts the due milestones that no pre-invoice carries yet."""

from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from billing import selectors
from tests.billing.support import OCTOBER

pytestmark = pytest.mark.django_db


def test_due_milestones_without_a_pre_invoice_are_accrued_revenue_until_the_run_carries_them(billing_firm):
    # before any run, Orion's two October milestones are due and carried by nothing
    with tenant_context(billing_firm.tenant):
        assert sorted(m.label for m in selectors.unbilled_milestones(OCTOBER)) == ["Lot 1 – cadrage", "Lot 2 – recette"]
    page = billing_firm.adv.client().get(billing_firm.adv.url("billing/invoices/month/?month=2026-10")).content.decode()
    assert page.count('data-testid="fae-milestone"') == 2
    # once the run has built Orion's pre-invoice, they are on it (and counted there, once)
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert list(selectors.unbilled_milestones(OCTOBER)) == []
        drafts_total = sum((i.total_net for i in selectors.accrued_revenue(OCTOBER)), Decimal("0"))
    assert drafts_total == Decimal("25960.00") + Decimal("30000.00") + Decimal("1500.00")
