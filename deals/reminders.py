"""Chasing unsigned deals and blocked milestones, on the firm's schedule (DealPolicy).

Each chase or escalation is one `DealReminder` row, unique per (deal, milestone, person, kind,
step): inserting it is the lock, so a periodic task that runs twice, or two workers at once,
send each message once. When the task has not run for a while, only the current step is sent.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership
from adv.ui.numbers import format_money
from notifications import defaults
from notifications.services import notify

from .models import Deal, DealReminder, DealReminderKind, DealStatus, Milestone, MilestoneStatus
from .rules import missing_for_signature
from .services import policy

defaults.register(
    "deal.unsigned_chase",
    subject_fr="Affaire {{ deal_reference }} toujours non signée ({{ days }} jours)",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'affaire {{ deal_reference }} « {{ deal_title }} » pour {{ client_name }} "
        "est validée provisoirement depuis {{ days }} jours. Il manque : {{ missing }}.\n\n"
        "Tant qu'elle n'est pas signée, elle est signalée sur chaque préfacture et aucune commission n'est due.\n\n{{ url }}"
    ),
    subject_en="Deal {{ deal_reference }} still unsigned ({{ days }} days)",
    body_en=(
        "Hello {{ recipient_name }},\n\nDeal {{ deal_reference }} \"{{ deal_title }}\" for {{ client_name }} has been "
        "provisionally validated for {{ days }} days. Missing: {{ missing }}.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "deal_reference", "deal_title", "client_name", "days", "missing", "url"],
    label=_("Affaire non signée : relance du commercial"),
)
defaults.register(
    "deal.unsigned_escalation",
    subject_fr="Escalade : affaire {{ deal_reference }} non signée depuis {{ days }} jours",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'affaire {{ deal_reference }} « {{ deal_title }} » de {{ owner_name }} "
        "pour {{ client_name }} n'est toujours pas signée après {{ days }} jours. Il manque : {{ missing }}.\n\n{{ url }}"
    ),
    subject_en="Escalation: deal {{ deal_reference }} unsigned for {{ days }} days",
    body_en=(
        "Hello {{ recipient_name }},\n\nDeal {{ deal_reference }} \"{{ deal_title }}\" of {{ owner_name }} for "
        "{{ client_name }} is still unsigned after {{ days }} days. Missing: {{ missing }}.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "deal_reference", "deal_title", "client_name", "owner_name", "days", "missing", "url"],
    label=_("Affaire non signée : escalade au manager"),
)
defaults.register(
    "milestone.blocked_chase",
    subject_fr="Échéance bloquée : {{ milestone_label }} ({{ deal_reference }})",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'échéance « {{ milestone_label }} » ({{ amount }} HT) de l'affaire "
        "{{ deal_reference }} pour {{ client_name }} est échue mais ne peut pas être facturée : il manque "
        "le document « {{ document_type }} ». Merci de le déposer sur l'affaire.\n\n{{ url }}"
    ),
    subject_en="Blocked milestone: {{ milestone_label }} ({{ deal_reference }})",
    body_en=(
        "Hello {{ recipient_name }},\n\nMilestone \"{{ milestone_label }}\" ({{ amount }} excl. VAT) of deal "
        "{{ deal_reference }} for {{ client_name }} is due but cannot be billed: the document "
        "\"{{ document_type }}\" is missing.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "milestone_label", "amount", "deal_reference", "client_name", "document_type", "url"],
    label=_("Échéance bloquée : relance du chef de projet"),
)
defaults.register(
    "milestone.blocked_escalation",
    subject_fr="Escalade : échéance {{ milestone_label }} bloquée depuis {{ days }} jours",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'échéance « {{ milestone_label }} » ({{ amount }} HT) de l'affaire "
        "{{ deal_reference }} ({{ client_name }}), suivie par {{ owner_name }}, est bloquée depuis {{ days }} jours "
        "faute de « {{ document_type }} ». Elle alimente les factures à émettre (FAE).\n\n{{ url }}"
    ),
    subject_en="Escalation: milestone {{ milestone_label }} blocked for {{ days }} days",
    body_en=(
        "Hello {{ recipient_name }},\n\nMilestone \"{{ milestone_label }}\" ({{ amount }} excl. VAT) of deal "
        "{{ deal_reference }} ({{ client_name }}), followed by {{ owner_name }}, has been blocked for {{ days }} "
        "days for lack of \"{{ document_type }}\".\n\n{{ url }}"
    ),
    placeholders=[
        "recipient_name", "milestone_label", "amount", "deal_reference", "client_name", "owner_name", "days",
        "document_type", "url",
    ],
    label=_("Échéance bloquée : escalade au manager"),
)


def _claim(*, deal: Deal, milestone: Milestone | None, membership: Membership, kind: str, step: int) -> bool:
    """Record the reminder; False when this step was already sent (by us or a concurrent run)."""
    try:
        with transaction.atomic():
            DealReminder.objects.create(deal=deal, milestone=milestone, membership=membership, kind=kind, step=step)
        return True
    except IntegrityError:
        return False


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
        if owner.is_active and _claim(deal=deal, milestone=None, membership=owner, kind=DealReminderKind.UNSIGNED_CHASE, step=step):
            notify(recipients=[owner], event="deal.unsigned_chase", context=context, target=deal, url=_deal_url(deal))
            sent += 1
        manager = owner.reports_to
        if days >= rules.escalate_after_days and manager is not None and manager.is_active:
            if _claim(deal=deal, milestone=None, membership=manager, kind=DealReminderKind.UNSIGNED_ESCALATION, step=0):
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
        if pm.is_active and _claim(deal=deal, milestone=milestone, membership=pm, kind=DealReminderKind.MILESTONE_CHASE, step=step):
            notify(recipients=[pm], event="milestone.blocked_chase", context=context, target=milestone, url=_deal_url(deal))
            sent += 1
        manager = pm.reports_to
        if days >= rules.milestone_escalate_after_days and manager is not None and manager.is_active:
            if _claim(deal=deal, milestone=milestone, membership=manager, kind=DealReminderKind.MILESTONE_ESCALATION, step=0):
                notify(
                    recipients=[manager], event="milestone.blocked_escalation",
                    context={**context, "owner_name": str(pm.user)}, target=milestone, url=_deal_url(deal),
                )
                sent += 1
    return sent
