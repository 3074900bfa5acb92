"""Chases and escalations, with the clock moved forward: the sales owner of a provisional deal is
chased every N days, their manager (`reports_to`) once after M days; a blocked milestone's
project manager is chased, then their manager. Exactly the expected messages, never twice for
the same step even when the periodic task runs twice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from deals import services
from deals.models import DealStatus, DealType, Milestone
from deals.reminders import chase_blocked_milestones, chase_unsigned_deals
from notifications.models import Notification, ReminderSent

pytestmark = [pytest.mark.django_db, pytest.mark.today]

TODAY = datetime.date.today


def _sent(tenant) -> list[tuple[str, str]]:
    """(recipient email, event) of every notification, in order."""
    with tenant_context(tenant):
        rows = Notification.objects.order_by("created_at", "id").values_list("recipient__email", "event")
        return [(email, event) for email, event in rows]


def _set_policy(alice, **fields):
    with tenant_context(alice.tenant):
        services.policy_update(actor=alice.membership, **fields)


def _run_unsigned(tenant, now) -> int:
    with tenant_context(tenant):
        return chase_unsigned_deals(now=now)


def _run_milestones(tenant, now) -> int:
    with tenant_context(tenant):
        return chase_blocked_milestones(now=now)


def test_the_sales_owner_is_chased_every_n_days_and_their_manager_once_after_m_days(alice, sales, manager, make_deal):
    # given a firm that chases every 3 days and escalates after 10, and a deal validated provisionally now
    _set_policy(alice, chase_every_days=3, escalate_after_days=10)
    deal = make_deal(DealStatus.PROVISIONAL, sales_owner=sales.membership)
    start = deal.provisional_since
    tenant = alice.tenant
    chase = (sales.user.email, "deal.unsigned_chase")
    escalation = (manager.user.email, "deal.unsigned_escalation")

    # day 2: nothing yet
    assert _run_unsigned(tenant, start + datetime.timedelta(days=2)) == 0
    assert _sent(tenant) == []
    # day 3: the first chase; the task running twice sends nothing more
    assert _run_unsigned(tenant, start + datetime.timedelta(days=3)) == 1
    assert _run_unsigned(tenant, start + datetime.timedelta(days=3, hours=5)) == 0
    assert _sent(tenant) == [chase]
    # day 5: still the same step
    assert _run_unsigned(tenant, start + datetime.timedelta(days=5)) == 0
    # day 6 and 9: one chase each
    assert _run_unsigned(tenant, start + datetime.timedelta(days=6)) == 1
    assert _run_unsigned(tenant, start + datetime.timedelta(days=9)) == 1
    assert _sent(tenant) == [chase, chase, chase]
    # day 10: escalation to the sales owner's manager (no chase step on day 10)
    assert _run_unsigned(tenant, start + datetime.timedelta(days=10)) == 1
    assert _run_unsigned(tenant, start + datetime.timedelta(days=10, hours=1)) == 0
    assert _sent(tenant) == [chase, chase, chase, escalation]
    # day 12: a chase, and never a second escalation
    assert _run_unsigned(tenant, start + datetime.timedelta(days=12)) == 1
    assert _run_unsigned(tenant, start + datetime.timedelta(days=12)) == 0
    assert _sent(tenant) == [chase, chase, chase, escalation, chase]
    with tenant_context(tenant):
        steps = sorted(ReminderSent.objects.filter(subject=str(deal.pk)).values_list("kind", "step"))
    assert steps == [
        ("deals.unsigned_chase", "1"), ("deals.unsigned_chase", "2"), ("deals.unsigned_chase", "3"), ("deals.unsigned_chase", "4"),
        ("deals.unsigned_escalation", "0"),
    ]


def test_when_the_task_did_not_run_for_a_while_only_the_current_step_is_sent(alice, sales, manager, make_deal):
    _set_policy(alice, chase_every_days=3, escalate_after_days=10)
    deal = make_deal(DealStatus.PROVISIONAL, sales_owner=sales.membership)
    # the first run happens on day 11: one chase (step 3) and the escalation, not a burst of old steps
    assert _run_unsigned(alice.tenant, deal.provisional_since + datetime.timedelta(days=11)) == 2
    assert sorted(_sent(alice.tenant)) == sorted([(sales.user.email, "deal.unsigned_chase"), (manager.user.email, "deal.unsigned_escalation")])


def test_a_signed_or_lost_deal_is_no_longer_chased(alice, sales, make_deal):
    _set_policy(alice, chase_every_days=3, escalate_after_days=10)
    deal = make_deal(DealStatus.PROVISIONAL, sales_owner=sales.membership)
    start = deal.provisional_since
    with tenant_context(alice.tenant):
        services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY(), override_reason="Accord écrit.")
    assert _run_unsigned(alice.tenant, start + datetime.timedelta(days=30)) == 0
    assert _sent(alice.tenant) == []


def test_the_chase_says_what_is_missing_and_for_how_long(alice, sales, make_deal, deal_requirements):
    _set_policy(alice, chase_every_days=3, escalate_after_days=10)
    deal = make_deal(DealStatus.PROVISIONAL, sales_owner=sales.membership, title="Renfort DevOps")
    _run_unsigned(alice.tenant, deal.provisional_since + datetime.timedelta(days=4))
    with tenant_context(alice.tenant):
        notification = Notification.objects.get()
    assert deal.reference in notification.title and "4 jours" in notification.title
    assert "Bon de commande" in notification.body
    assert notification.url.endswith(f"/deals/{deal.pk}/")


def test_without_a_manager_there_is_no_escalation(alice, make_member, make_deal):
    lone = make_member("sales")
    _set_policy(alice, chase_every_days=3, escalate_after_days=5)
    deal = make_deal(DealStatus.PROVISIONAL, sales_owner=lone.membership)
    assert _run_unsigned(alice.tenant, deal.provisional_since + datetime.timedelta(days=6)) == 1
    assert _sent(alice.tenant) == [(lone.user.email, "deal.unsigned_chase")]


def _blocked_milestone(alice, make_deal, pm, doc_types):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("10000.00"), project_manager=pm.membership)
    with tenant_context(alice.tenant):
        services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
            {"label": "Lot 1", "due_date": TODAY() - datetime.timedelta(days=1), "amount": Decimal("10000.00"),
             "required_document_type": doc_types["pv-recette"]},
        ])
        return Milestone.objects.get(deal=deal)


def test_a_blocked_milestone_chases_its_project_manager_then_escalates_to_their_manager(alice, pm, manager, make_deal, doc_types):
    # given a firm that escalates blocked milestones after 5 days, and a milestone blocked now
    _set_policy(alice, chase_every_days=3, milestone_escalate_after_days=5)
    milestone = _blocked_milestone(alice, make_deal, pm, doc_types)
    assert milestone.status == "blocked" and milestone.project_manager_id == pm.membership.pk
    start = milestone.blocked_since
    chase = (pm.user.email, "milestone.blocked_chase")
    escalation = (manager.user.email, "milestone.blocked_escalation")
    tenant = alice.tenant
    # at once: the project manager is told; running twice changes nothing
    assert _run_milestones(tenant, start + datetime.timedelta(hours=1)) == 1
    assert _run_milestones(tenant, start + datetime.timedelta(hours=2)) == 0
    # day 3: chased again; day 5: their manager is told, once
    assert _run_milestones(tenant, start + datetime.timedelta(days=3)) == 1
    assert _run_milestones(tenant, start + datetime.timedelta(days=5)) == 1
    assert _run_milestones(tenant, start + datetime.timedelta(days=5, hours=3)) == 0
    assert _sent(tenant) == [chase, chase, escalation]


def test_a_milestone_whose_document_arrives_is_no_longer_chased(media, alice, pm, make_deal, doc_types):
    from tests.deals.conftest import pdf

    _set_policy(alice, chase_every_days=3, milestone_escalate_after_days=5)
    milestone = _blocked_milestone(alice, make_deal, pm, doc_types)
    with tenant_context(alice.tenant):
        document = services.deal_document_upload(
            actor=alice.membership, deal=milestone.deal, document_type=doc_types["pv-recette"], title="PV lot 1", upload=pdf()
        )
        milestone = services.milestone_attach_document(actor=alice.membership, milestone=milestone, document=document)
    assert milestone.status == "ready"
    assert _run_milestones(alice.tenant, timezone.now() + datetime.timedelta(days=20)) == 0
    assert _sent(alice.tenant) == []


def test_the_periodic_task_runs_every_step_for_the_firm(alice, sales, manager, make_deal):
    from tests.deals.conftest import age

    _set_policy(alice, chase_every_days=3, escalate_after_days=10)
    deal = make_deal(DealStatus.PROVISIONAL, sales_owner=sales.membership)
    age(deal, 11)
    from deals.tasks import deals_periodic

    first = deals_periodic.run(str(alice.tenant.pk))
    second = deals_periodic.run(str(alice.tenant.pk))
    assert first["unsigned_chases"] == 2 and second["unsigned_chases"] == 0


def test_the_chases_and_escalation_of_a_blocked_milestone_show_on_the_deal_page_and_in_the_report(alice, pm, manager, make_deal, doc_types):
    _set_policy(alice, chase_every_days=3, milestone_escalate_after_days=5)
    milestone = _blocked_milestone(alice, make_deal, pm, doc_types)
    page = alice.client().get(alice.url(f"deals/{milestone.deal_id}/?tab=milestones")).content.decode()
    assert "Pas encore relancée." in page
    _run_milestones(alice.tenant, milestone.blocked_since + datetime.timedelta(hours=1))
    _run_milestones(alice.tenant, milestone.blocked_since + datetime.timedelta(days=6))
    page = alice.client().get(alice.url(f"deals/{milestone.deal_id}/?tab=milestones")).content.decode()
    report = alice.client().get(alice.url("deals/reports/milestones/?scope=blocked")).content.decode()
    for html in (page, report):
        assert 'data-testid="milestone-chases"' in html
        assert f"{pm.user} relancé(e) 2 fois" in html and f"Escaladée à {manager.user}" in html
