"""The shared firm builds the October pre-invoices the other billing tests start from."""

from decimal import Decimal

from adv.tenancy.context import tenant_context
from billing.models import Invoice


def test_october_gives_one_ready_t_and_m_one_blocked_fixed_price_and_one_reverse_charge_subscription(billing_firm):
    # when the month is built
    billing_firm.build()
    # then Helios is ready (38 days), Orion blocked on its missing PV, Nova ready under reverse charge
    helios = billing_firm.draft_of(billing_firm.helios)
    orion = billing_firm.draft_of(billing_firm.orion)
    nova = billing_firm.draft_of(billing_firm.nova)
    assert (helios.readiness, helios.total_net) == ("ready", Decimal("25960.00"))
    assert orion.readiness == "blocked"
    assert [c["code"] for c in orion.checks if c["level"] == "blocked"] == ["missing_milestone_document"]
    assert (nova.readiness, nova.vat_regime, nova.total_vat) == ("ready", "reverse_charge", Decimal("0.00"))
    with tenant_context(billing_firm.tenant):
        assert Invoice.objects.count() == 3
