"""The automatic reminders: consultants whose month is not submitted (then their manager), managers with
timesheets waiting for approval (then theirs), each step claimed once."""


from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership, Tenant

from ..closing import selectors as closing_selectors
from ..messages import (  # the message keys, registered with their default wording
    APPROVAL_ESCALATION,
    APPROVAL_FRIENDLY,
    APPROVAL_LATE,
    SUBMISSION_ESCALATION,
    SUBMISSION_FRIENDLY,
    SUBMISSION_LATE,
)
from ..models import ClosingCalendar, ReminderKind, Timesheet, TimesheetStatus
from .chasing import chase_in_threads
from .context import (
    approval_queue_url,
    approver_context,
    closing_url,
    consultant_context,
    current_tenant,
    full_name,
    language_for,
    send,
    timesheet_url,
)
from .recording import RunReport, claim
from .schedule import is_reminder_day, months_in_play, parse_offsets, schedule_offset


def members_by_id(ids) -> dict:
    return {
        m.pk: m
        for m in Membership.objects.filter(pk__in=list(ids)).select_related("user", "reports_to__user").order_by("id")
    }


def pending_approvals(month: datetime.date) -> dict:
    """{approver id: [consultants whose submitted timesheet waits for them]} (their manager)."""
    waiting = (
        Timesheet.objects.filter(month=month, status=TimesheetStatus.SUBMITTED, consultant__reports_to__isnull=False,
                                 consultant__reports_to__is_active=True)
        .select_related("consultant__user")
        .order_by("consultant_id")
    )
    by_approver: dict = defaultdict(list)
    for timesheet in waiting:
        by_approver[timesheet.consultant.reports_to_id].append(timesheet.consultant)
    return by_approver


# Who is waited for, by month: {person id: (person, the consultants concerned)}.
Waiting = dict[uuid.UUID, tuple[Membership, list[Membership]]]


def _waiting_consultants(month: datetime.date, zone: zoneinfo.ZoneInfo) -> Waiting:
    late = closing_selectors.unsubmitted_consultants(month, zone=zone).select_related("user", "reports_to__user").order_by("id")
    return {member.pk: (member, []) for member in late}


def _waiting_approvers(month: datetime.date, zone: zoneinfo.ZoneInfo) -> Waiting:
    by_approver = pending_approvals(month)
    return {pk: (approver, by_approver[pk]) for pk, approver in members_by_id(by_approver).items()}


def _approvers_lines(late: list[tuple[Membership, list[Membership]]]) -> str:
    return "\n".join(
        "- " + _("%(name)s : %(count)s CRA à valider (%(consultants)s)") % {
            "name": full_name(approver), "count": len(consultants),
            "consultants": ", ".join(sorted(full_name(c) for c in consultants)),
        }
        for approver, consultants in sorted(late, key=lambda pair: full_name(pair[0]))
    )


@dataclass(frozen=True)
class Track:
    """One audience of the automatic reminders: who is waited for against which deadline, with
    which messages, and the escalation of the late ones to their own manager (`reports_to`)."""

    kind: str
    escalation_kind: str
    deadline_field: str
    friendly: str
    late: str
    escalation: str
    counter: str
    escalation_counter: str
    waiting: Callable[[datetime.date, zoneinfo.ZoneInfo], Waiting]
    url: Callable[[str, datetime.date], str]
    escalation_show: str  # the completion page's filter the escalated manager lands on

    def context(self, person: Membership, concerned: list[Membership], **common) -> dict:
        if self.kind == ReminderKind.SUBMISSION:
            return consultant_context(person, **common)
        return approver_context(person, consultants=concerned, **common)

    def escalation_context(self, manager: Membership, late: list[tuple[Membership, list[Membership]]], *, tenant, **common) -> dict:
        if self.kind == ReminderKind.SUBMISSION:
            return approver_context(manager, consultants=[person for person, _ in late], tenant=tenant, **common)
        with translation.override(language_for(manager.user, tenant)):
            lines = _approvers_lines(late)
        return {**consultant_context(manager, tenant=tenant, **common), "count": str(len(late)), "approvers": lines}


SUBMISSION_TRACK = Track(
    kind=ReminderKind.SUBMISSION, escalation_kind=ReminderKind.SUBMISSION_ESCALATION,
    deadline_field="submission_deadline", friendly=SUBMISSION_FRIENDLY, late=SUBMISSION_LATE,
    escalation=SUBMISSION_ESCALATION, counter="submission", escalation_counter="escalations",
    waiting=_waiting_consultants, url=timesheet_url, escalation_show="missing",
)
APPROVAL_TRACK = Track(
    kind=ReminderKind.APPROVAL, escalation_kind=ReminderKind.APPROVAL_ESCALATION,
    deadline_field="approval_deadline", friendly=APPROVAL_FRIENDLY, late=APPROVAL_LATE,
    escalation=APPROVAL_ESCALATION, counter="approval", escalation_counter="approval_escalations",
    waiting=_waiting_approvers, url=approval_queue_url, escalation_show="pending_approval",
)


def send_reminders(
    track: Track, *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
    calendars: dict[datetime.date, ClosingCalendar] | None = None,
) -> RunReport:
    """Remind whoever `track` waits for, per the schedule against its deadline; from
    D + `escalate_after_working_days`, escalate the late ones to their manager, once."""
    report = report or RunReport()
    tenant = current_tenant()
    policy = closing_selectors.rules()
    offsets = parse_offsets(policy.reminder_offsets)
    zone = zoneinfo.ZoneInfo(tenant.time_zone)
    calendars = calendars or closing_selectors.calendars_for(months_in_play(today), policy)
    for month, row in sorted(calendars.items()):
        deadline = getattr(row, track.deadline_field)
        offset = schedule_offset(deadline=deadline, today=today, country=policy.holiday_country)
        if not is_reminder_day(offset, offsets):
            continue
        waiting = track.waiting(month, zone)
        if not waiting:
            continue
        key = track.late if offset >= 1 else track.friendly
        step = today.isoformat()
        claimed = claim(month=month, kind=track.kind, step=step, template_key=key, membership_ids=waiting, now=now)
        for pk in sorted(claimed, key=str):
            person, concerned = waiting[pk]
            context = track.context(person, concerned, month=month, deadline=deadline, tenant=tenant)
            send(person, key=key, context=context, url=track.url(tenant.slug, month))
            chase_in_threads(person, kind=track.kind, month=month, deadline=deadline, concerned=concerned)
            report.count(track.counter, person, key, step)
        if offset >= max(1, policy.escalate_after_working_days):
            _escalate(track, waiting, month=month, deadline=deadline, tenant=tenant, now=now, report=report)
    return report


def _escalate(track: Track, waiting: Waiting, *, month, deadline, tenant: Tenant, now, report: RunReport) -> None:
    """One message per manager (step "escalation": once per month), listing their late people."""
    by_manager: dict = defaultdict(list)
    for person, concerned in waiting.values():
        manager = person.reports_to if person.reports_to_id else None
        if manager is not None and manager.is_active and manager.pk != person.pk:
            by_manager[manager.pk].append((person, concerned))
    if not by_manager:
        return
    claimed = claim(month=month, kind=track.escalation_kind, step="escalation", template_key=track.escalation,
                    membership_ids=by_manager, now=now)
    managers = members_by_id(claimed)
    for manager_id in sorted(claimed, key=str):
        manager = managers[manager_id]
        context = track.escalation_context(manager, by_manager[manager_id], month=month, deadline=deadline, tenant=tenant)
        # A manager lands on their team's missing timesheets; the approvers' manager on the approvals pending.
        team = {"manager": manager_id} if track.kind == ReminderKind.SUBMISSION else {}
        url = closing_url(tenant.slug, "completion", month, show=track.escalation_show, **team)
        send(manager, key=track.escalation, context=context, url=url)
        report.count(track.escalation_counter, manager, track.escalation, "escalation")


def send_submission_reminders(**kwargs) -> RunReport:
    """Consultants whose timesheet is not submitted; their manager at D+2."""
    return send_reminders(SUBMISSION_TRACK, **kwargs)


def send_approval_reminders(**kwargs) -> RunReport:
    """Managers with submitted timesheets waiting for them; their own manager at D+2."""
    return send_reminders(APPROVAL_TRACK, **kwargs)


