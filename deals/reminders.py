"""Chasing unsigned deals and blocked milestones, on the firm's schedule (DealPolicy).

Each chase or escalation is first claimed in the reminder ledger (`notifications.ledger.claim`),
once per (deal or milestone, person, kind, step): the claim is the lock, so a periodic task that
runs twice, or two workers at once, send each message once. When the task has not run for a
while, only the current step is sent.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership
from adv.ui.numbers import format_money
from notifications.ledger import claim
from notifications.services import notify
from notifications.signals import chase_sent

from .models import Deal, DealReminderKind, DealStatus, Milestone, MilestoneStatus
from .rules import missing_for_signature
from .services import policy


def _claim(
    *, deal: Deal, milestone: Milestone | None, membership: Membership, kind: str, step: int, now: datetime.datetime
) -> bool:
    """Record the reminder in the ledger (subject: the milestone, else the deal), sent at `now`;
    False when this step was already sent (by us or a concurrent run)."""
    subject = str(milestone.pk if milestone is not None else deal.pk)
    return claim(kind=kind, subject=subject, step=str(step), recipient=membership, now=now)


def _deal_url(deal: Deal) -> str:
    return f"/t/{deal.client.tenant.slug}/deals/{deal.pk}/"


def chase_unsigned_deals(*, now: datetime.datetime | None = None, deal_ids=None) -> int:
    """Chase the sales owner of every provisional deal every `chase_every_days`, and escalate
    once to their manager after `escalate_after_days`. Returns how many messages were sent.
    `deal_ids` limits the run to those deals (the demo chases its own only)."""
    now = now or timezone.now()
    rules = policy()
    sent = 0
    deals = Deal.objects.filter(status=DealStatus.PROVISIONAL).select_related(
        "client__tenant", "sales_owner__user", "sales_owner__reports_to__user"
    )
    if deal_ids is not None:
        deals = deals.filter(pk__in=deal_ids)
    for deal in deals:
        days = (now - deal.provisional_since).days
        step = days // rules.chase_every_days
        if step < 1:
            continue
        missing = ", ".join(missing_for_signature(deal)) or str(_("la signature"))
        context = {
            "deal_reference": deal.reference, "deal_title": deal.title, "client_name": deal.client.display_name,
            "days": str(days), "missing": missing,
        }
        owner = deal.sales_owner
        if owner.is_active and _claim(deal=deal, milestone=None, membership=owner, kind=DealReminderKind.UNSIGNED_CHASE, step=step, now=now):
            notify(recipients=[owner], event="deal.unsigned_chase", context=context, target=deal, url=_deal_url(deal))
            chase_sent.send(
                sender=Deal, object_type="deal", object_id=str(deal.pk), responsible_ids=[str(owner.pk)], actor_id=None,
                text=str(_("Affaire non signée depuis %(days)s jours. Il manque : %(missing)s.") % {"days": days, "missing": missing}),
                code="unsigned",
            )
            sent += 1
        manager = owner.reports_to
        if days >= rules.escalate_after_days and manager is not None and manager.is_active:
            if _claim(deal=deal, milestone=None, membership=manager, kind=DealReminderKind.UNSIGNED_ESCALATION, step=0, now=now):
                notify(
                    recipients=[manager], event="deal.unsigned_escalation",
                    context={**context, "owner_name": str(owner.user)}, target=deal, url=_deal_url(deal),
                )
                sent += 1
    return sent


def chase_blocked_milestones(*, now: datetime.datetime | None = None, deal_ids=None) -> int:
    """Chase the project manager of each blocked milestone at once and every `chase_every_days`,
    then escalate once to their manager after `milestone_escalate_after_days`."""
    now = now or timezone.now()
    rules = policy()
    sent = 0
    milestones = Milestone.objects.filter(status=MilestoneStatus.BLOCKED).select_related(
        "deal__client__tenant", "deal__project_manager__user", "project_manager__user",
        "project_manager__reports_to__user", "required_document_type",
    )
    if deal_ids is not None:
        milestones = milestones.filter(deal_id__in=deal_ids)
    for milestone in milestones:
        deal = milestone.deal
        pm = milestone.project_manager or deal.project_manager or deal.sales_owner
        days = (now - milestone.blocked_since).days if milestone.blocked_since else 0
        context = {
            "milestone_label": milestone.label, "amount": format_money(milestone.amount, deal.currency), "deal_reference": deal.reference,
            "client_name": deal.client.display_name,
            "document_type": milestone.required_document_type.name if milestone.required_document_type else "",
            "days": str(days),
        }
        step = days // rules.chase_every_days
        if pm.is_active and _claim(deal=deal, milestone=milestone, membership=pm, kind=DealReminderKind.MILESTONE_CHASE, step=step, now=now):
            notify(recipients=[pm], event="milestone.blocked_chase", context=context, target=milestone, url=_deal_url(deal))
            chase_sent.send(
                sender=Milestone, object_type="milestone", object_id=str(milestone.pk), responsible_ids=[str(pm.pk)], actor_id=None,
                text=str(_("Échéance bloquée : il manque le document « %(document)s ».") % {"document": context["document_type"]}),
                code="milestone_document",
            )
            sent += 1
        manager = pm.reports_to
        if days >= rules.milestone_escalate_after_days and manager is not None and manager.is_active:
            if _claim(deal=deal, milestone=milestone, membership=manager, kind=DealReminderKind.MILESTONE_ESCALATION, step=0, now=now):
                notify(
                    recipients=[manager], event="milestone.blocked_escalation",
                    context={**context, "owner_name": str(pm.user)}, target=milestone, url=_deal_url(deal),
                )
                sent += 1
    return sent
