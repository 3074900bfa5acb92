"""The business rules of building pre-invoices: grouping, amounts, what is billed and what is not,
subscriptions over periods, and what a person changed surviving a rerun."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from billing import services
from billing.models import Invoice, InvoiceLine
from clients.models import BillingProfile, InvoiceGrouping
from deals.models import Milestone, Subscription
from tests.billing.support import NOVEMBER, OCTOBER
from tests.factories import PurchaseOrderFactory
from timesheets.models import Timesheet, TimesheetEntry, TimesheetPolicy, TimesheetStatus, TimeUnit

pytestmark = pytest.mark.django_db


def _grouping(firm, client, grouping):
    with tenant_context(firm.tenant):
        BillingProfile.objects.filter(client=client).update(grouping=grouping)


def _lines(invoice) -> list[InvoiceLine]:
    return list(InvoiceLine.objects.filter(invoice=invoice).order_by("position"))


def test_one_pre_invoice_per_deal_by_default(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        helios = Invoice.objects.get(client=billing_firm.helios)
        assert helios.group_key == f"deal:{billing_firm.tm_deal.pk}"
        assert helios.consultant_id is None
        assert {line.assignment_id for line in _lines(helios)} == {
            billing_firm.bob_assignment.pk,
            billing_firm.chloe_assignment.pk,
        }


def test_per_purchase_order_takes_the_po_valid_in_the_month(billing_firm):
    _grouping(billing_firm, billing_firm.helios, InvoiceGrouping.PER_PURCHASE_ORDER)
    with tenant_context(billing_firm.tenant):
        PurchaseOrderFactory(
            deal=billing_firm.tm_deal,
            number="BC-2026-S1",
            amount=Decimal("100000"),
            valid_from=datetime.date(2026, 1, 1),
            valid_until=datetime.date(2026, 6, 30),
        )
        current = PurchaseOrderFactory(
            deal=billing_firm.tm_deal,
            number="BC-2026-S2",
            amount=Decimal("100000"),
            valid_from=datetime.date(2026, 7, 1),
            valid_until=datetime.date(2026, 12, 31),
        )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert helios.group_key == f"po:{current.pk}"
    assert (helios.purchase_order_id, helios.po_number) == (current.pk, "BC-2026-S2")
    assert helios.total_net == Decimal("25960.00")


def test_per_consultant_gives_one_pre_invoice_per_consultant(billing_firm):
    _grouping(billing_firm, billing_firm.helios, InvoiceGrouping.PER_CONSULTANT)
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        drafts = {inv.consultant_id: inv for inv in Invoice.objects.filter(client=billing_firm.helios)}
        assert set(drafts) == {billing_firm.bob.membership.pk, billing_firm.chloe.membership.pk}
        assert drafts[billing_firm.bob.membership.pk].total_net == Decimal("13000.00")
        assert drafts[billing_firm.chloe.membership.pk].total_net == Decimal("12960.00")
        assert {line.assignment_id for line in _lines(drafts[billing_firm.bob.membership.pk])} == {
            billing_firm.bob_assignment.pk
        }


def test_amount_is_days_times_the_assignment_daily_rate(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        lines = {line.assignment_id: line for line in _lines(billing_firm.draft_of(billing_firm.helios))}
    bob, chloe = lines[billing_firm.bob_assignment.pk], lines[billing_firm.chloe_assignment.pk]
    assert (bob.quantity, bob.unit_price, bob.net_amount, bob.unit) == (
        Decimal("20"),
        Decimal("650"),
        Decimal("13000.00"),
        "DAY",
    )
    assert (chloe.quantity, chloe.unit_price, chloe.net_amount) == (Decimal("18"), Decimal("720"), Decimal("12960.00"))


def test_a_half_day_is_billed_as_half_a_day(billing_firm):
    with tenant_context(billing_firm.tenant):
        line = billing_firm.timesheets["bob"].lines.get()
        TimesheetEntry.objects.create(line=line, day=datetime.date(2026, 10, 30), quantity=Decimal("0.5"))
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        bob = InvoiceLine.objects.get(assignment=billing_firm.bob_assignment)
    assert (bob.quantity, bob.net_amount) == (Decimal("20.5"), Decimal("13325.00"))


def test_extra_time_goes_on_its_own_line(billing_firm):
    with tenant_context(billing_firm.tenant):
        line = billing_firm.timesheets["bob"].lines.get()
        TimesheetEntry.objects.create(line=line, day=datetime.date(2026, 10, 31), quantity=Decimal("1"), is_extra=True)
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        lines = list(InvoiceLine.objects.filter(assignment=billing_firm.bob_assignment).order_by("is_extra"))
    assert [(line.is_extra, line.quantity) for line in lines] == [(False, Decimal("20")), (True, Decimal("1"))]
    assert "supplémentaire" in lines[1].label
    assert billing_firm.draft_of(billing_firm.helios).total_net == Decimal("26610.00")


def test_a_submitted_timesheet_is_not_billed(billing_firm):
    with tenant_context(billing_firm.tenant):
        Timesheet.objects.filter(pk=billing_firm.timesheets["chloe"].pk).update(
            status=TimesheetStatus.SUBMITTED, approved_at=None
        )
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert not InvoiceLine.objects.filter(assignment=billing_firm.chloe_assignment).exists()
    assert billing_firm.draft_of(billing_firm.helios).total_net == Decimal("13000.00")


def test_a_milestone_is_billed_in_the_month_it_falls_due(billing_firm):
    with tenant_context(billing_firm.tenant):
        later = Milestone.objects.create(
            deal=billing_firm.fixed_deal,
            label="Lot 3 – déploiement",
            due_date=datetime.date(2026, 11, 16),
            amount=Decimal("5000"),
        )
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        october = billing_firm.draft_of(billing_firm.orion)
        assert sorted(line.milestone_id for line in _lines(october)) == sorted(m.pk for m in billing_firm.milestones)
        assert october.total_net == Decimal("30000.00")
    billing_firm.build(NOVEMBER)
    with tenant_context(billing_firm.tenant):
        november = Invoice.objects.get(month=NOVEMBER, client=billing_firm.orion)
        assert later.pk in {line.milestone_id for line in _lines(november)}


def test_a_subscription_in_advance_bills_its_period_then_the_next_after_issuance(billing_firm):
    billing_firm.build()
    nova = billing_firm.draft_of(billing_firm.nova)
    with tenant_context(billing_firm.tenant):
        (line,) = _lines(nova)
    assert (line.period_start, line.period_end) == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert "01/10/2026" in line.label and "31/10/2026" in line.label
    billing_firm.issue([nova])
    with tenant_context(billing_firm.tenant):
        subscription = Subscription.objects.get(deal=billing_firm.subscription_deal)
    assert subscription.next_billing_date == datetime.date(2026, 11, 1)
    billing_firm.build(NOVEMBER)
    with tenant_context(billing_firm.tenant):
        november = Invoice.objects.get(month=NOVEMBER, client=billing_firm.nova, status="draft")
        (line,) = _lines(november)
    assert (line.period_start, line.period_end) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert line.subscription_period_start == datetime.date(2026, 11, 1)
    # and October is not billed twice
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert not Invoice.objects.filter(month=OCTOBER, client=billing_firm.nova, status="draft").exists()


def test_a_reworded_generated_line_keeps_its_wording_after_a_rerun(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        line = InvoiceLine.objects.get(assignment=billing_firm.bob_assignment)
        services.line_update(actor=billing_firm.adv.membership, line=line, label="Expertise Java – octobre")
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        line = InvoiceLine.objects.get(assignment=billing_firm.bob_assignment)
    assert (line.label, line.is_edited, line.net_amount) == ("Expertise Java – octobre", True, Decimal("13000.00"))


def test_a_manual_line_survives_a_rerun(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        services.line_add(
            actor=billing_firm.adv.membership,
            invoice=helios,
            label="Frais de déplacement",
            quantity="1",
            unit_price="340",
        )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        manual = [line for line in _lines(helios) if line.kind == "manual"]
    assert [(line.label, line.net_amount) for line in manual] == [("Frais de déplacement", Decimal("340.00"))]
    assert helios.total_net == Decimal("26300.00")


def test_hours_tenants_bill_hours_at_the_daily_rate_over_hours_per_day(billing_firm):
    with tenant_context(billing_firm.tenant):
        TimesheetPolicy.objects.update_or_create(
            defaults={"unit": TimeUnit.HOURS, "hours_per_day": Decimal("8")}, tenant_id=billing_firm.tenant.pk
        )
        TimesheetEntry.objects.filter(line__timesheet__month=OCTOBER).update(quantity=Decimal("8"))
        TimesheetEntry.objects.filter(
            line__timesheet=billing_firm.timesheets["bob"], day=datetime.date(2026, 10, 1)
        ).update(quantity=Decimal("4"))
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        bob = InvoiceLine.objects.get(assignment=billing_firm.bob_assignment)
    assert (bob.unit, bob.quantity, bob.unit_price) == ("HUR", Decimal("156"), Decimal("81.25"))
    assert bob.net_amount == Decimal("12675.00")  # 156 h × 650 / 8
