"""Reminders of the month-end close: the closing calendar's announcement, the automatic
reminders to consultants (and the escalation to their manager), the reminders to managers with
timesheets to approve, and the one-click grouped reminders ADV sends from the reminders page.

Schedule (the firm's TimesheetPolicy), in working days relative to the deadline D:
- consultants whose timesheet of the month is not submitted: at each offset of
  `reminder_offsets` up to D (e.g. "-2,0": D-2 and D), then every working day after D; the
  friendly message before and on D, the "consequences of being late" one after;
- their manager (`reports_to`), once, at D + `escalate_after_working_days`, with the list of
  their consultants still late;
- managers with submitted timesheets waiting for their approval: the same schedule against the
  approval deadline;
- everyone who submits or approves: the month's calendar, once, `announce_days_ahead` days
  before the submission deadline.

Every message is first claimed in the reminder ledger (`notifications.ledger`: who, when, which
template; subject the month), *before* it is sent, with INSERT … ON CONFLICT DO NOTHING under the
ledger's unique (tenant, kind, subject, step, person) constraint: a periodic task that runs
twice, two workers at once, or two people clicking "send" at once, send each step once. The
step is the day's date ("2026-05-27"), "escalation", "announcement", or "manual:<date>" for a
grouped reminder (one per person and day). When the task has not run on a day, that day's step
is not sent later: only the current day's step goes.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError, PermissionDenied
from adv.tenancy.models import Membership, Role, Tenant
from adv.tenancy.roles import ADV_ROLES
from adv.ui.french import long_date
from notifications import ledger
from notifications.models import ReminderSent
from notifications.rendering import Rendered
from notifications.services import absolute_url, message_render, notify

from . import calendar as cal
from .closing import selectors as closing_selectors
from .errors import TimesheetErrorCode
from .messages import (  # the message keys, registered with their default wording
    ANNOUNCEMENT,
    APPROVAL_DOUBT,
    APPROVAL_ESCALATION,
    APPROVAL_FRIENDLY,
    APPROVAL_LATE,
    CALENDAR_CHANGE,
    SUBMISSION_DOUBT,
    SUBMISSION_ESCALATION,
    SUBMISSION_FRIENDLY,
    SUBMISSION_LATE,
)
from .models import ClosingCalendar, ReminderKind, Timesheet, TimesheetStatus

# Local hour (the firm's time zone) from which the day's reminders go out.
REMINDER_HOUR = getattr(settings, "TIMESHEETS_REMINDER_HOUR", 8)

AUDIENCE_CONSULTANTS = "consultants"
AUDIENCE_APPROVERS = "approvers"
GROUPED_TEMPLATES = {
    AUDIENCE_CONSULTANTS: (SUBMISSION_FRIENDLY, SUBMISSION_LATE, SUBMISSION_DOUBT),
    AUDIENCE_APPROVERS: (APPROVAL_FRIENDLY, APPROVAL_LATE, APPROVAL_DOUBT),
}
GROUPED_KIND = {AUDIENCE_CONSULTANTS: ReminderKind.SUBMISSION, AUDIENCE_APPROVERS: ReminderKind.APPROVAL}


# --- Schedule ------------------------------------------------------------------------------------


def parse_offsets(text: str) -> list[int]:
    """"-2,0" → [-2, 0]; invalid parts are refused by the policy form, ignored here."""
    offsets = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip().replace("D", "").replace("J", "")
        if not part:
            continue
        try:
            offsets.add(int(part))
        except ValueError:
            continue
    return sorted(offsets)


def schedule_offset(*, deadline: datetime.date, today: datetime.date, country: str) -> int | None:
    """Today's position in working days relative to the deadline (D-2 → -2, D → 0, D+1 → 1), or
    None on a day off (reminders go out on working days, and on the deadline itself)."""
    if today != deadline and not cal.is_working_day(today, country):
        return None
    return cal.working_days_between(deadline, today, country)


def is_reminder_day(offset: int | None, offsets: Iterable[int]) -> bool:
    """The configured offsets up to the deadline, then every working day after it."""
    if offset is None:
        return False
    return offset >= 1 or offset in set(offsets)


def months_in_play(today: datetime.date) -> list[datetime.date]:
    """Last month (still chased after its deadline) and this month."""
    current = today.replace(day=1)
    return [closing_selectors.add_months(current, -1), current]


# --- Recording: the row first, under the unique constraint ----------------------------------------


def claim(
    *,
    month: datetime.date,
    kind: str,
    step: str,
    template_key: str,
    membership_ids: Iterable,
    sent_by: Membership | None = None,
    now: datetime.datetime | None = None,
) -> set[uuid.UUID]:
    """Claim this step of `month` for each person in the reminder ledger; return the ids of the
    people claimed now. A person who already has this step (sent earlier, or by a concurrent
    transaction, which this claim waits for) is skipped. Runs in the caller's transaction, so the
    row and the message commit (or roll back) together."""
    return ledger.claim_many(
        kind=kind, subject=month.isoformat(), step=step, recipients=membership_ids, sent_by=sent_by,
        template_key=template_key, now=now,
    )


def sent_count(month: datetime.date) -> int:
    """How many closing reminders of `month` went out (announcements and escalations included)."""
    return ReminderSent.objects.filter(
        tenant_id=require_tenant_id(), kind__in=ReminderKind.values, subject=month.isoformat()
    ).count()


# --- Message context -----------------------------------------------------------------------------


def _url(name: str, slug: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs={"tenant_slug": slug, **kwargs})
    except NoReverseMatch:
        return None


def timesheet_url(slug: str, month: datetime.date, member: Membership | None = None) -> str:
    """The recipient's own timesheet of `month` (the CRA pages)."""
    url = _url("timesheets:month", slug, year=month.year, month=month.month)
    if url:
        return url
    return _url("timesheets:mine", slug) or f"/t/{slug}/timesheets/"


def approval_queue_url(slug: str, month: datetime.date) -> str:
    url = _url("timesheets:queue", slug)
    return f"{url}?month={month:%Y-%m}" if url else f"/t/{slug}/timesheets/"


def closing_url(slug: str, name: str, month: datetime.date | None = None, **query) -> str:
    url = _url(f"timesheets:{name}", slug) or f"/t/{slug}/timesheets/closing/"
    params = {**({"month": f"{month:%Y-%m}"} if month else {}), **query}
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _language(user, tenant: Tenant) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for language in (getattr(user, "language", ""), tenant.language):
        if language in codes:
            return language
    return settings.LANGUAGE_CODE


def format_month(month: datetime.date) -> str:
    return formats.date_format(month, "F Y")


def format_day(day: datetime.date) -> str:
    return long_date(day, "l j F Y")  # "lundi 1er février 2027"


def _first_name(member: Membership) -> str:
    return member.user.first_name or str(member.user)


def _full_name(member: Membership | None) -> str:
    if member is None:
        return ""
    return member.user.get_full_name() or member.user.email


def _manager_name(member: Membership) -> str:
    manager = member.reports_to if member.reports_to_id else None
    if manager is not None and manager.is_active:
        return _full_name(manager)
    return str(_("l'ADV"))


def consultant_context(member: Membership, *, month: datetime.date, deadline: datetime.date, tenant: Tenant) -> dict:
    with translation.override(_language(member.user, tenant)):
        return {
            "first_name": _first_name(member),
            "month": format_month(month),
            "deadline": format_day(deadline),
            "manager": _manager_name(member),
        }


def approver_context(
    member: Membership, *, month: datetime.date, deadline: datetime.date, tenant: Tenant, consultants: list[Membership]
) -> dict:
    names = sorted(_full_name(c) for c in consultants)
    with translation.override(_language(member.user, tenant)):
        waiting = ngettext(
            "%(count)s CRA de votre équipe attend", "%(count)s CRA de votre équipe attendent", len(names)
        ) % {"count": len(names)}
        adv = str(_("l'ADV"))
        manager = _full_name(member.reports_to) if member.reports_to_id and member.reports_to.is_active else ""
        adv_or_manager = _("%(adv)s ou %(manager)s") % {"adv": adv, "manager": manager} if manager else adv
    return {
        **consultant_context(member, month=month, deadline=deadline, tenant=tenant),
        "count": str(len(names)),
        "consultants": "\n".join(f"- {name}" for name in names),
        "waiting": waiting,
        "adv_or_manager": adv_or_manager,
    }


def _tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def _send(member: Membership, *, key: str, context: dict, url: str, actor: Membership | None = None, target=None) -> None:
    notify(recipients=[member], event=key, context=context, url=url, actor=actor, target=target)


# --- Automatic reminders -------------------------------------------------------------------------


@dataclass
class RunReport:
    announcements: int = 0
    changes: int = 0  # re-announcements of a calendar whose deadlines changed after its announcement
    submission: int = 0
    escalations: int = 0
    approval: int = 0
    approval_escalations: int = 0
    skipped_by_hour: bool = False
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (email, template key, step)

    def as_dict(self) -> dict:
        return {
            "announcements": self.announcements, "changes": self.changes, "submission": self.submission,
            "escalations": self.escalations, "approval": self.approval,
            "approval_escalations": self.approval_escalations, "skipped_by_hour": self.skipped_by_hour,
        }

    def count(self, counter: str, member: Membership, key: str, step: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        self.details.append((member.user.email, key, step))


def _people(ids) -> dict:
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
    return {pk: (approver, by_approver[pk]) for pk, approver in _people(by_approver).items()}


def _approvers_lines(late: list[tuple[Membership, list[Membership]]]) -> str:
    return "\n".join(
        "- " + _("%(name)s : %(count)s CRA à valider (%(consultants)s)") % {
            "name": _full_name(approver), "count": len(consultants),
            "consultants": ", ".join(sorted(_full_name(c) for c in consultants)),
        }
        for approver, consultants in sorted(late, key=lambda pair: _full_name(pair[0]))
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
        with translation.override(_language(manager.user, tenant)):
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
    tenant = _tenant()
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
            _send(person, key=key, context=context, url=track.url(tenant.slug, month))
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
    managers = _people(claimed)
    for manager_id in sorted(claimed, key=str):
        manager = managers[manager_id]
        context = track.escalation_context(manager, by_manager[manager_id], month=month, deadline=deadline, tenant=tenant)
        # A manager lands on their team's missing timesheets; the approvers' manager on the approvals pending.
        team = {"manager": manager_id} if track.kind == ReminderKind.SUBMISSION else {}
        url = closing_url(tenant.slug, "completion", month, show=track.escalation_show, **team)
        _send(manager, key=track.escalation, context=context, url=url)
        report.count(track.escalation_counter, manager, track.escalation, "escalation")


def send_submission_reminders(**kwargs) -> RunReport:
    """Consultants whose timesheet is not submitted; their manager at D+2."""
    return send_reminders(SUBMISSION_TRACK, **kwargs)


def send_approval_reminders(**kwargs) -> RunReport:
    """Managers with submitted timesheets waiting for them; their own manager at D+2."""
    return send_reminders(APPROVAL_TRACK, **kwargs)


def announcement_audience(month: datetime.date, *, zone: zoneinfo.ZoneInfo) -> list[Membership]:
    """Who submits (the month's expected consultants) and who approves (their managers, and
    every active manager)."""
    consultants = closing_selectors.expected_consultants(month, zone=zone)
    manager_ids = consultants.exclude(reports_to__isnull=True).values("reports_to_id")
    people = Membership.objects.filter(is_active=True, user__is_active=True).filter(
        Q(pk__in=consultants.values("pk")) | Q(pk__in=manager_ids) | Q(role=Role.MANAGER)
    )
    return list(people.select_related("user").order_by("id"))


DEADLINE_FIELDS = ("submission_deadline", "approval_deadline", "client_approval_deadline", "billing_close_deadline")
DEADLINE_LABELS = {
    "submission_deadline": gettext_lazy("soumission des CRA"),
    "approval_deadline": gettext_lazy("validation par les managers"),
    "client_approval_deadline": gettext_lazy("validation par les clients"),
    "billing_close_deadline": gettext_lazy("clôture de la facturation"),
}


def deadlines_of(row: ClosingCalendar) -> dict[str, str]:
    """The calendar's deadlines as recorded in `announced_deadlines` (what people were told)."""
    return {name: getattr(row, name).isoformat() for name in DEADLINE_FIELDS}


def _announce(row: ClosingCalendar, *, key: str, step: str, tenant: Tenant, now, report: RunReport, counter: str,
              changes: dict[str, tuple[datetime.date, datetime.date]] | None = None) -> None:
    """Send the calendar (with what changed, if anything) to its audience, once per step."""
    audience = announcement_audience(row.month, zone=zoneinfo.ZoneInfo(tenant.time_zone))
    claimed = claim(month=row.month, kind=ReminderKind.ANNOUNCEMENT, step=step, template_key=key,
                    membership_ids=[m.pk for m in audience], now=now)
    url = closing_url(tenant.slug, "closing", row.month)
    for member in audience:
        if member.pk not in claimed:
            continue
        with translation.override(_language(member.user, tenant)):
            context = {"first_name": _first_name(member), "month": format_month(row.month)}
            context.update({name: format_day(getattr(row, name)) for name in DEADLINE_FIELDS})
            if changes is not None:
                context["changes"] = "\n".join(
                    _("- %(deadline)s : %(before)s → %(after)s")
                    % {"deadline": DEADLINE_LABELS[name], "before": format_day(old), "after": format_day(new)}
                    for name, (old, new) in changes.items()
                )
        _send(member, key=key, context=context, url=url, target=row)
        report.count(counter, member, key, step)


def announce_calendars(
    *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
) -> RunReport:
    """Announce the month's calendar to everyone who submits or approves, once, from
    `announce_days_ahead` days before its submission deadline until the deadline."""
    from .services import closing_calendar_ensure

    report = report or RunReport()
    tenant = _tenant()
    policy = closing_selectors.rules()
    for month in (today.replace(day=1), cal.next_month(today)):
        row = closing_calendar_ensure(month=month)
        if row.announced_at is not None:
            continue
        starts = row.submission_deadline - datetime.timedelta(days=policy.announce_days_ahead)
        if not (starts <= today <= row.submission_deadline):
            continue
        _announce(row, key=ANNOUNCEMENT, step="announcement", tenant=tenant, now=now, report=report, counter="announcements")
        # What people were told: a later edit of the deadlines is announced against it.
        ClosingCalendar.objects.filter(pk=row.pk, announced_at__isnull=True).update(
            announced_at=now or timezone.now(), announced_deadlines=deadlines_of(row)
        )
    return report


def announce_calendar_changes(
    *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
) -> RunReport:
    """Re-announce the deadlines of an announced calendar that ADV changed since (step
    "change:<n>", once per change). The row is locked while it is compared, sent and marked, so
    two runs at once send a change once. A change that only moves dates already past on both
    sides is recorded without a message (nobody can act on it any more)."""
    report = report or RunReport()
    tenant = _tenant()
    since = closing_selectors.add_months(today.replace(day=1), -1)
    candidates = ClosingCalendar.objects.filter(announced_at__isnull=False, month__gte=since).order_by("month")
    for row_id in candidates.values_list("pk", flat=True):
        row = ClosingCalendar.objects.select_for_update(of=("self",)).get(pk=row_id)
        announced = row.announced_deadlines or {}
        changes = {
            name: (datetime.date.fromisoformat(announced[name]), getattr(row, name))
            for name in DEADLINE_FIELDS
            if name in announced and announced[name] != getattr(row, name).isoformat()
        }
        if not changes:
            continue
        revision = row.announcement_revision + 1
        if any(max(old, new) >= today for old, new in changes.values()):
            _announce(row, key=CALENDAR_CHANGE, step=f"change:{revision}", tenant=tenant, now=now, report=report,
                      counter="changes", changes=changes)
        ClosingCalendar.objects.filter(pk=row.pk).update(announced_deadlines=deadlines_of(row), announcement_revision=revision)
    return report


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in the active firm's time zone."""
    return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(_tenant().time_zone)).date()


def run_due(*, now: datetime.datetime | None = None, ignore_hour: bool = False) -> RunReport:
    """What the hourly task runs for one firm: ensure this month's and last month's calendars,
    announce (and re-announce what changed), remind, escalate. Nothing before REMINDER_HOUR
    (the firm's local time)."""
    from .services import closing_calendar_ensure

    now = now or timezone.now()
    tenant = _tenant()
    local = timezone.localtime(now, zoneinfo.ZoneInfo(tenant.time_zone))
    report = RunReport()
    if not ignore_hour and local.hour < REMINDER_HOUR:
        report.skipped_by_hour = True
        return report
    today = local.date()
    calendars = {month: closing_calendar_ensure(month=month) for month in months_in_play(today)}
    announce_calendars(today=today, now=now, report=report)
    announce_calendar_changes(today=today, now=now, report=report)
    for track in (SUBMISSION_TRACK, APPROVAL_TRACK):
        send_reminders(track, today=today, now=now, report=report, calendars=calendars)
    return report


# --- One-click grouped reminders -----------------------------------------------------------------


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
        approvers = _people(by_approver)
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
    tenant = _tenant()
    context, url = _grouped_message(candidate, audience=audience, month=month, tenant=tenant)
    context = {**context, "url": absolute_url(url), "tenant_name": tenant.name}
    return message_render(key=template_key, language=_language(candidate.membership.user, tenant), context=context)


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
    tenant = _tenant()
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
    for candidate in candidates:
        if candidate.pk not in claimed:
            result.already.append(candidate.membership)
            continue
        context, url = _grouped_message(candidate, audience=audience, month=month, tenant=tenant)
        _send(candidate.membership, key=template_key, context=context, url=url, actor=actor)
        result.sent.append(candidate.membership)
    return result
