"""Demo data of the timesheets app: the consultants' months in every state, the closing calendar,
a few habitually late consultants and the reminders they got.

- This month: drafts, submitted on time (and late, once the deadline has passed), approved,
  rejected with a reason, client-approved and waiting for the client, and some not started.
- Last month: approved on time for most, late for the habitually late (one still waiting for
  the manager's approval), with the reminders, the escalation to the manager and a grouped
  reminder from ADV recorded as they would have been.
- The five months before: approved, with first submissions after the deadline for Hugo Leroy,
  Lucas Michel and Jade Fournier (late three times or more in the last six months: "habitually
  late") and once for Arthur Vincent.

`seed(tenant)` runs inside the tenant's context after the deals' demo (INSTALLED_APPS order). It
is idempotent: a consultant's month that exists is left alone; calendars are ensured; reminders
are claimed under their unique constraint (a second run sends nothing). Writes go through the
services (open, save, submit, approve, reject, client approval); only the timestamps that must
lie in the past (approved_at) are set directly afterwards.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership, Role, Tenant
from notifications.services import notify

from . import calendar as cal
from . import messages as reminder_messages
from . import reminders, services
from .closing import selectors as closing_selectors
from .models import ClientApproval, ClientApprovalStatus, ClosingCalendar, ReminderKind, Timesheet

ADV_EMAIL = "adv@demo.adv.test"
MANAGER_EMAIL = "manager@demo.adv.test"
CONSULTANT_EMAIL = "consultant@demo.adv.test"
CONTRACTOR_EMAIL = "contractor@demo.adv.test"

# This month: email → what happens to their timesheet.
THIS_MONTH = {
    CONSULTANT_EMAIL: "draft",
    CONTRACTOR_EMAIL: None,  # not started
    "lea.simon@demo.adv.test": "submitted",
    "lucas.michel@demo.adv.test": "client_pending",
    "manon.lefebvre@demo.adv.test": "client_approved",
    "louis.garcia@demo.adv.test": "approved",
    "chloe.david@demo.adv.test": "submitted_late",
    "gabriel.bertrand@demo.adv.test": "draft",
    "ines.roux@demo.adv.test": "submitted",
    "arthur.vincent@demo.adv.test": None,
    "jade.fournier@demo.adv.test": None,
    "raphael.morel@demo.adv.test": "rejected",
}
REJECTION_REASON = "La formation du début de mois est à saisir en « Formation », pas en intercontrat : merci de corriger."
# Working days after the deadline of each late first submission, by months back (1: last month).
LATE = {
    CONTRACTOR_EMAIL: {1: 2, 3: 3, 5: 1},
    "lucas.michel@demo.adv.test": {1: 4, 2: 2, 4: 6},
    "jade.fournier@demo.adv.test": {1: 1, 2: 1, 3: 2, 6: 5},
    "arthur.vincent@demo.adv.test": {4: 1},
}
WAITING_LAST_MONTH = "jade.fournier@demo.adv.test"  # submitted late, not approved yet
HISTORY_MONTHS = 6


def _member(email: str) -> Membership | None:
    return Membership.objects.select_related("user", "reports_to__user").filter(user__email=email).first()


def seed(tenant: Tenant) -> None:
    adv, manager = _member(ADV_EMAIL), _member(MANAGER_EMAIL)
    if adv is None or manager is None:  # the firm's demo members come first (adv.tenancy.demo)
        return
    zone = zoneinfo.ZoneInfo(tenant.time_zone)
    now = timezone.now()
    today = timezone.localtime(now, zone).date()
    this_month = today.replace(day=1)
    for months_back in range(0, HISTORY_MONTHS + 1):
        services.closing_calendar_ensure(month=closing_selectors.add_months(this_month, -months_back))
    services.closing_calendar_ensure(month=cal.next_month(this_month))
    consultants = [m for m in (_member(email) for email in THIS_MONTH) if m is not None and m.role == Role.CONSULTANT]
    for months_back in range(HISTORY_MONTHS, 0, -1):
        month = closing_selectors.add_months(this_month, -months_back)
        row = ClosingCalendar.objects.get(month=month)
        for consultant in consultants:
            delay = LATE.get(consultant.user.email, {}).get(months_back)
            waiting = months_back == 1 and consultant.user.email == WAITING_LAST_MONTH
            _past_month(consultant, month, row, adv=adv, manager=manager, delay=delay, approve=not waiting, zone=zone)
        ClosingCalendar.objects.filter(pk=row.pk, announced_at__isnull=True).update(
            announced_at=_at(row.submission_deadline - datetime.timedelta(days=5), 9, zone)
        )
    current = ClosingCalendar.objects.get(month=this_month)
    for consultant in consultants:
        _this_month(consultant, this_month, current, adv=adv, manager=manager, now=now, today=today, zone=zone)
    yesterday = today - datetime.timedelta(days=1)
    for month in (closing_selectors.add_months(this_month, -1), this_month):
        _replay_reminders(tenant, month, adv=adv, until=yesterday, zone=zone)
    # This month's calendar, announced on its day (the hourly task does it from then on).
    announce_on = current.submission_deadline - datetime.timedelta(days=closing_selectors.rules().announce_days_ahead)
    if announce_on <= today:
        reminders.announce_calendars(today=min(today, current.submission_deadline), now=min(now, _at(announce_on, 8, zone, 5)))


# --- Helpers --------------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, zone, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def _fill(timesheet: Timesheet, *, actor: Membership, until: datetime.date | None = None) -> Timesheet:
    """One day on every working day of the month (up to `until`): on the assignment that covers
    it, else intercontrat; a day of paid leave mid-month."""
    lines = list(timesheet.lines.select_related("assignment", "absence_type"))
    work = [line for line in lines if line.assignment_id]
    absences = {line.absence_type.code: line for line in lines if line.absence_type_id}
    bench = absences.get("intercontrat")
    leave = absences.get("conges-payes")
    days = [d.date for d in cal.month_days(timesheet.month) if d.is_working_day and (until is None or d.date <= until)]
    leave_day = days[len(days) // 2] if len(days) > 10 else None
    cells = []
    for day in days:
        line = next((line for line in work if line.assignment.start_date <= day and (line.assignment.end_date is None or day <= line.assignment.end_date)), None)
        if day == leave_day and leave is not None and line is not None:
            line = leave
        line = line or bench
        if line is not None:
            cells.append(services.Cell(line.pk, day, Decimal("1")))
    return services.timesheet_save(actor=actor, timesheet=timesheet, version=timesheet.version, cells=cells)


def _submit_moment(row: ClosingCalendar, delay: int | None, zone) -> datetime.datetime:
    """On time (the day before the deadline, mid-afternoon), or `delay` working days late."""
    if delay:
        return _at(cal.add_working_days(row.submission_deadline, delay), 10, zone, 12)
    return _at(cal.add_working_days(row.submission_deadline, -1), 16, zone, 30)


def _approve(timesheet: Timesheet, *, manager: Membership, at: datetime.datetime) -> Timesheet:
    timesheet = services.timesheet_approve(actor=manager, timesheet=timesheet)
    Timesheet.objects.filter(pk=timesheet.pk).update(approved_at=at)
    return timesheet


def _past_month(consultant, month, row, *, adv, manager, delay, approve: bool, zone) -> None:
    """A month filled in, submitted on time or `delay` working days late, approved the next
    working day. Nothing happens after now: a late one whose day has not come yet is still a
    draft (early in the month, last month's habitually late have not submitted yet), and an
    approval not due yet is given at the latest now."""
    if Timesheet.objects.filter(consultant=consultant, month=month).exists():
        return
    now = timezone.now()
    timesheet = services.timesheet_open(actor=adv, consultant=consultant, month=month)
    timesheet = _fill(timesheet, actor=consultant)
    submitted = _submit_moment(row, delay, zone)
    if submitted > now:
        return
    timesheet = services.timesheet_submit(actor=consultant, timesheet=timesheet, now=submitted)
    if approve:
        approved_on = max(cal.add_working_days(row.submission_deadline, 1), submitted.date() + datetime.timedelta(days=1))
        _approve(timesheet, manager=manager, at=min(_at(approved_on, 11, zone), now))


def _this_month(consultant, month, row, *, adv, manager, now, today, zone) -> None:
    state = THIS_MONTH.get(consultant.user.email)
    if state is None or Timesheet.objects.filter(consultant=consultant, month=month).exists():
        return
    timesheet = services.timesheet_open(actor=consultant, consultant=consultant, month=month)
    if state == "draft":
        _fill(timesheet, actor=consultant, until=today)
        return
    timesheet = _fill(timesheet, actor=consultant)
    deadline = row.submission_deadline
    if state == "submitted_late" and today > deadline:
        moment = min(now, _at(cal.add_working_days(deadline, 1), 9, zone, 40))
    elif today > deadline:
        moment = _at(cal.add_working_days(deadline, -1), 17, zone, 5)
    else:
        moment = now - datetime.timedelta(hours=2)
    moment = max(moment, _at(month, 8, zone))
    moment = min(moment, now)
    timesheet = services.timesheet_submit(actor=consultant, timesheet=timesheet, now=moment)
    if state == "rejected":
        services.timesheet_reject(actor=manager, timesheet=timesheet, reason=REJECTION_REASON)
        return
    if state in ("approved", "client_pending", "client_approved"):
        timesheet = _approve(timesheet, manager=manager, at=min(now, moment + datetime.timedelta(hours=20)))
        for approval in ClientApproval.objects.filter(timesheet=timesheet).select_related("deal__client"):
            _client_approval(approval, adv=adv, approve=state == "client_approved")


def _client_approval(approval: ClientApproval, *, adv: Membership, approve: bool) -> None:
    """The link sent to the client's signatory; approved through it, or still waiting."""
    if approval.status != ClientApprovalStatus.PENDING:
        return
    try:
        approval, raw = services.client_approval_send_link(actor=adv, approval=approval)
    except DomainError:  # no signatory with an email at this client
        return
    if approve:
        services.client_approval_decide(
            approval_id=approval.pk, raw_token=raw, approve=True, comment="Conforme, merci.", ip="192.0.2.10"
        )


def _replay_reminders(tenant: Tenant, month: datetime.date, *, adv, until: datetime.date, zone) -> None:
    """What the hourly task would have sent for `month` up to `until` (08:05 each step): the
    reminders to whoever had not submitted yet at that moment, the escalation to their manager,
    and ADV's grouped reminder the day after the escalation. Each recorded once (claimed)."""
    row = ClosingCalendar.objects.get(month=month)
    deadline = row.submission_deadline
    policy = closing_selectors.rules()
    first_submitted = dict(Timesheet.objects.filter(month=month).values_list("consultant_id", "first_submitted_at"))
    people = list(closing_selectors.expected_consultants(month, zone=zone).select_related("user", "reports_to__user").order_by("id"))
    offsets = reminders.parse_offsets(policy.reminder_offsets)
    escalate_at = max(1, policy.escalate_after_working_days)
    day = cal.add_working_days(deadline, min(offsets + [0]))
    while day <= until:
        offset = cal.working_days_between(deadline, day)
        moment = _at(day, 8, zone, 5)
        missing = [p for p in people if first_submitted.get(p.pk) is None or first_submitted[p.pk] > moment]
        if reminders.is_reminder_day(offset, offsets):
            key = reminder_messages.SUBMISSION_LATE if offset >= 1 else reminder_messages.SUBMISSION_FRIENDLY
            _send(month, missing, kind=ReminderKind.SUBMISSION, step=day.isoformat(), key=key, tenant=tenant,
                  deadline=deadline, moment=moment)
        if offset == escalate_at:
            _escalate(tenant, month, missing, deadline=deadline, moment=moment)
        if offset == escalate_at + 1:
            afternoon = _at(day, 14, zone, 30)
            still = [p for p in people if first_submitted.get(p.pk) is None or first_submitted[p.pk] > afternoon]
            _send(month, still, kind=ReminderKind.SUBMISSION, step=f"manual:{day.isoformat()}", key=reminder_messages.SUBMISSION_LATE,
                  tenant=tenant, deadline=deadline, moment=afternoon, sent_by=adv)
        day = cal.add_working_days(day, 1)


def _escalate(tenant: Tenant, month: datetime.date, missing: list[Membership], *, deadline, moment) -> None:
    by_manager: dict = {}
    for member in missing:
        if member.reports_to_id and member.reports_to.is_active:
            by_manager.setdefault(member.reports_to_id, (member.reports_to, []))[1].append(member)
    claimed = reminders.claim(month=month, kind=ReminderKind.SUBMISSION_ESCALATION, step="escalation",
                              template_key=reminder_messages.SUBMISSION_ESCALATION, membership_ids=list(by_manager), now=moment)
    for manager_id in sorted(claimed, key=str):
        manager, team = by_manager[manager_id]
        context = reminders.approver_context(manager, month=month, deadline=deadline, tenant=tenant, consultants=team)
        url = reminders.closing_url(tenant.slug, "completion", month, show="missing")
        notify(recipients=[manager], event=reminder_messages.SUBMISSION_ESCALATION, context=context, url=url)


def _send(month, people, *, kind, step, key, tenant, deadline, moment, sent_by=None) -> None:
    if not people:
        return
    claimed = reminders.claim(month=month, kind=kind, step=step, template_key=key, membership_ids=[p.pk for p in people],
                              sent_by=sent_by, now=moment)
    for member in people:
        if member.pk in claimed:
            context = reminders.consultant_context(member, month=month, deadline=deadline, tenant=tenant)
            notify(recipients=[member], event=key, context=context, actor=sent_by,
                             url=reminders.timesheet_url(tenant.slug, month))

