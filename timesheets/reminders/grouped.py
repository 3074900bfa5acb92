"""The one-click grouped reminders the ADV sends from the reminders page: candidates, preview, send
(one per person and day)."""


from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError, PermissionDenied
from adv.tenancy.models import Membership, Tenant
from adv.tenancy.roles import ADV_ROLES
from notifications.models import ReminderSent
from notifications.rendering import Rendered
from notifications.services import absolute_url, message_render

from ..closing import selectors as closing_selectors
from ..errors import TimesheetErrorCode
from ..messages import (  # the message keys, registered with their default wording
    APPROVAL_DOUBT,
    APPROVAL_FRIENDLY,
    APPROVAL_LATE,
    SUBMISSION_DOUBT,
    SUBMISSION_FRIENDLY,
    SUBMISSION_LATE,
)
from ..models import ReminderKind, Timesheet
from .automatic import members_by_id, pending_approvals
from .chasing import chase_in_threads
from .context import (
    approval_queue_url,
    approver_context,
    consultant_context,
    current_tenant,
    language_for,
    send,
    timesheet_url,
)
from .recording import claim

AUDIENCE_CONSULTANTS = "consultants"
AUDIENCE_APPROVERS = "approvers"
GROUPED_TEMPLATES = {
    AUDIENCE_CONSULTANTS: (SUBMISSION_FRIENDLY, SUBMISSION_LATE, SUBMISSION_DOUBT),
    AUDIENCE_APPROVERS: (APPROVAL_FRIENDLY, APPROVAL_LATE, APPROVAL_DOUBT),
}
GROUPED_KIND = {AUDIENCE_CONSULTANTS: ReminderKind.SUBMISSION, AUDIENCE_APPROVERS: ReminderKind.APPROVAL}


@dataclass
class Candidate:
    """A person the grouped reminder may reach, with why."""

    membership: Membership
    delay_days: int = 0  # days after the deadline (0: not late yet)
    status: str | None = None  # their timesheet's status (consultants)
    rejected: bool = False  # sent back by their manager, to correct
    consultants: list[Membership] = field(default_factory=list)  # waiting for them (approvers)
    last_reminded_at: datetime.datetime | None = None
    reminded_today: bool = False

    @property
    def pk(self):
        return self.membership.pk

    @property
    def is_late(self) -> bool:
        return self.delay_days > 0


def grouped_candidates(*, month: datetime.date, audience: str, today: datetime.date) -> list[Candidate]:
    """Consultants whose timesheet of `month` is not submitted, or managers with submitted
    timesheets waiting for them; the late ones (deadline passed) first. Three queries."""
    month = month.replace(day=1)
    row = closing_selectors.calendar_for(month)
    kind = GROUPED_KIND[audience]
    if audience == AUDIENCE_CONSULTANTS:
        deadline = row.submission_deadline
        people = list(
            closing_selectors.unsubmitted_consultants(month)
            .select_related("user", "reports_to__user")
            .order_by("user__last_name", "user__first_name", "id")
        )
        found = {
            consultant_id: (status, rejected_at)
            for consultant_id, status, rejected_at in Timesheet.objects.filter(
                month=month, consultant__in=[p.pk for p in people]
            ).values_list("consultant_id", "status", "rejected_at")
        }
        candidates = [
            Candidate(p, status=found.get(p.pk, (None, None))[0], rejected=found.get(p.pk, (None, None))[1] is not None)
            for p in people
        ]
    else:
        deadline = row.approval_deadline
        by_approver = pending_approvals(month)
        approvers = members_by_id(by_approver)
        candidates = [Candidate(approvers[pk], consultants=by_approver[pk]) for pk in approvers]
        candidates.sort(key=lambda c: (c.membership.user.last_name, c.membership.user.first_name, str(c.pk)))
    delay = max(0, (today - deadline).days)
    sent = ReminderSent.objects.filter(tenant_id=require_tenant_id(), kind=kind, subject=month.isoformat())
    last = dict(
        sent.filter(recipient__in=[c.pk for c in candidates])
        .values("recipient_id").annotate(last=Max("sent_at")).values_list("recipient_id", "last")
    )
    manual_today = set(sent.filter(step=f"manual:{today.isoformat()}").values_list("recipient_id", flat=True))
    for candidate in candidates:
        candidate.delay_days = delay
        candidate.last_reminded_at = last.get(candidate.pk)
        candidate.reminded_today = candidate.pk in manual_today
    return candidates


def default_template(audience: str, *, month: datetime.date, today: datetime.date) -> str:
    row = closing_selectors.calendar_for(month)
    deadline = row.submission_deadline if audience == AUDIENCE_CONSULTANTS else row.approval_deadline
    friendly, late, _doubt = GROUPED_TEMPLATES[audience]
    return late if today > deadline else friendly


def _check_grouped(actor: Membership, audience: str, template_key: str) -> None:
    if actor.role not in ADV_ROLES:
        raise PermissionDenied(_("Les relances groupées sont réservées à l'ADV."))
    if audience not in GROUPED_TEMPLATES:
        raise DomainError(_("Destinataires inconnus."), code=TimesheetErrorCode.UNKNOWN_AUDIENCE, field="audience")
    if template_key not in GROUPED_TEMPLATES[audience]:
        raise DomainError(_("Ce modèle de message ne convient pas à ces destinataires."), code=TimesheetErrorCode.UNKNOWN_TEMPLATE, field="template")


def _grouped_message(candidate: Candidate, *, audience: str, month: datetime.date, tenant: Tenant) -> tuple[dict, str]:
    row = closing_selectors.calendar_for(month)
    if audience == AUDIENCE_CONSULTANTS:
        context = consultant_context(candidate.membership, month=month, deadline=row.submission_deadline, tenant=tenant)
        return context, timesheet_url(tenant.slug, month, candidate.membership)
    context = approver_context(
        candidate.membership, month=month, deadline=row.approval_deadline, tenant=tenant, consultants=candidate.consultants
    )
    return context, approval_queue_url(tenant.slug, month)


def grouped_preview(*, actor: Membership, month: datetime.date, audience: str, template_key: str, candidate: Candidate) -> Rendered:
    """The message `candidate` would receive, with the firm's wording of the template."""
    _check_grouped(actor, audience, template_key)
    tenant = current_tenant()
    context, url = _grouped_message(candidate, audience=audience, month=month, tenant=tenant)
    context = {**context, "url": absolute_url(url), "tenant_name": tenant.name}
    return message_render(key=template_key, language=language_for(candidate.membership.user, tenant), context=context)


@dataclass
class GroupedResult:
    sent: list[Membership] = field(default_factory=list)
    already: list[Membership] = field(default_factory=list)  # reminded by a grouped reminder today already
    not_eligible: int = 0  # submitted (or approved) meanwhile, or unknown


@transaction.atomic
def grouped_reminder_send(
    *,
    actor: Membership,
    month: datetime.date,
    audience: str,
    template_key: str,
    membership_ids: Iterable,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> GroupedResult:
    """Send the chosen message now to the chosen people who still need it. One grouped reminder
    per person and day (step "manual:<date>"): a second click, or a colleague's click at the
    same moment, sends nothing more to whoever got it already."""
    _check_grouped(actor, audience, template_key)
    now = now or timezone.now()
    tenant = current_tenant()
    today = today or timezone.localtime(now, zoneinfo.ZoneInfo(tenant.time_zone)).date()
    month = month.replace(day=1)
    wanted = set()
    for pk in membership_ids:
        try:
            wanted.add(uuid.UUID(str(pk)))
        except ValueError:
            continue
    candidates = [c for c in grouped_candidates(month=month, audience=audience, today=today) if c.pk in wanted]
    result = GroupedResult(not_eligible=len(wanted) - len(candidates))
    claimed = claim(
        month=month, kind=GROUPED_KIND[audience], step=f"manual:{today.isoformat()}", template_key=template_key,
        membership_ids=[c.pk for c in candidates], sent_by=actor, now=now,
    )
    row = closing_selectors.calendar_for(month)
    deadline = row.submission_deadline if audience == AUDIENCE_CONSULTANTS else row.approval_deadline
    for candidate in candidates:
        if candidate.pk not in claimed:
            result.already.append(candidate.membership)
            continue
        context, url = _grouped_message(candidate, audience=audience, month=month, tenant=tenant)
        send(candidate.membership, key=template_key, context=context, url=url, actor=actor)
        chase_in_threads(  # and in each timesheet's thread, like every "Relancer"
            candidate.membership, kind=GROUPED_KIND[audience], month=month, deadline=deadline, concerned=candidate.consultants,
            actor=actor,
        )
        result.sent.append(candidate.membership)
    return result
