"""The demo firm's deals: every type, provisional ones of various ages, milestones ready,
blocked and planned, a contractor with a purchase rate; loading twice changes nothing."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from adv.tenancy.context import tenant_context
from deals.demo import DEALS
from deals.models import Assignment, Deal, DealStatus, Milestone, PurchaseOrder, Subscription
from documents.models import DocumentRequirement
from notifications.models import ReminderSent

pytestmark = pytest.mark.today  # on the demo firm seeded once (`demo_tenant`, tests/conftest.py)


def _deal_reminders() -> list[tuple[str, str, str]]:
    """(deal title, kind, step) of each deal reminder in the ledger (subject: a deal or a milestone)."""
    titles = {str(d.pk): d.title for d in Deal.objects.all()}
    titles.update({str(m.pk): m.deal.title for m in Milestone.objects.select_related("deal")})
    sent = ReminderSent.objects.filter(kind__startswith="deals.").values_list("subject", "kind", "step")
    return sorted((titles.get(subject, ""), kind.removeprefix("deals."), step) for subject, kind, step in sent)


def _state(tenant):
    with tenant_context(tenant):
        return {
            "deals": sorted(Deal.objects.values_list("title", "status", "deal_type")),
            "assignments": Assignment.objects.count(),
            "milestones": sorted(Milestone.objects.values_list("label", "status")),
            "subscriptions": Subscription.objects.count(),
            "purchase_orders": PurchaseOrder.objects.count(),
            "requirements": DocumentRequirement.objects.filter(applies_to__startswith="deal_").count(),
            "reminders": _deal_reminders(),
        }


def test_the_demo_has_deals_in_every_state_and_loading_it_twice_changes_nothing(demo_tenant):
    tenant = demo_tenant  # loaded once (`seed_demo`)
    first = _state(tenant)
    with tenant_context(tenant):
        deals = list(Deal.objects.all())
        types = {d.deal_type for d in deals}
        statuses = {d.status for d in deals}
        ours = {spec.title for spec in DEALS}  # (billing's demo adds deals of its own)
        provisional_ages = sorted(d.provisional_days(timezone.now()) for d in deals if d.is_provisional and d.title in ours)
        contractor = Assignment.objects.filter(consultant__is_contractor=True, purchase_daily_rate__isnull=False)
        assert contractor.exists()
    assert types == {"t_and_m", "fixed_price", "subscription"}
    assert {DealStatus.DRAFT, DealStatus.PROVISIONAL, DealStatus.SIGNED, DealStatus.ACTIVE, DealStatus.CLOSED, DealStatus.LOST} <= statuses
    assert provisional_ages == [2, 6, 15]
    assert {status for _label, status in first["milestones"]} >= {"ready", "blocked", "planned"}
    # the hourly task's work is there: the 15-day deal chased and escalated, blocked milestones chased
    kinds = {(title, kind) for title, kind, _step in first["reminders"]}
    assert {("Renfort DevOps plateforme data", "unsigned_chase"), ("Renfort DevOps plateforme data", "unsigned_escalation")} <= kinds
    assert ("Migration LIMS – expertise", "unsigned_chase") not in kinds  # 2 days: not yet
    assert ("Formation Power BI des équipes logistiques", "milestone_escalation") in kinds
    # the portal's milestone of last month has its acceptance report: ready, on last month's pre-invoice
    assert ("Cadrage et spécifications", "ready") in first["milestones"]
    assert ("Session 1 (10 stagiaires)", "blocked") in first["milestones"]
    assert first["subscriptions"] >= 1 and first["purchase_orders"] >= 2 and first["requirements"] == 3
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # and a second time
    assert _state(tenant) == first
