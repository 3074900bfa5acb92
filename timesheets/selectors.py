"""Reads of timesheets (CRA): who sees which, the month page's grid and the approval queue,
each already joined so that a page runs a constant number of queries whatever its size.

Who sees what
    - ADV and admins: every timesheet of the firm; the accountant reads them all too.
    - Everybody else (consultants, contractors, managers…): their own, plus those of the people
      who report to them. Never a rate: a timesheet carries days, not money.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import pgettext

from adv.tenancy.models import Membership
from adv.tenancy.roles import ADV_ROLES, BILLING_READERS
from clients.models import BillingProfile, Contact

from . import calendar as cal
from .models import (
    ClientApproval,
    ClosingCalendar,
    Timesheet,
    TimesheetEntry,
    TimesheetLine,
    TimesheetPolicy,
    TimesheetStatus,
    TimeUnit,
    month_start,
)
from .services import may_approve, may_edit, policy

READ_ALL_ROLES = BILLING_READERS
ZERO = Decimal("0")
DAY = Decimal("1")


# --- Rights (the same rules as the services, for pages that show or hide a button) ---------------


def is_adv(actor: Membership) -> bool:
    return actor.role in ADV_ROLES


def reads_all(actor: Membership) -> bool:
    return actor.role in READ_ALL_ROLES


def can_edit(actor: Membership, timesheet: Timesheet) -> bool:
    return timesheet.is_editable and may_edit(actor, timesheet)


def can_approve(actor: Membership, timesheet: Timesheet) -> bool:
    return timesheet.status == TimesheetStatus.SUBMITTED and may_approve(actor, timesheet)


def can_reopen(actor: Membership, timesheet: Timesheet) -> bool:
    return is_adv(actor) and timesheet.status == TimesheetStatus.APPROVED and not timesheet.is_locked


def can_handle_client_approval(actor: Membership, timesheet: Timesheet) -> bool:
    """Send the link to the client's signatory, attach the signed copy: ADV or the consultant."""
    return is_adv(actor) or actor.pk == timesheet.consultant_id


def has_reports(actor: Membership) -> bool:
    return Membership.objects.filter(reports_to=actor, is_active=True).exists()


def can_use_queue(actor: Membership) -> bool:
    return is_adv(actor) or has_reports(actor)


# --- Scoped querysets ------------------------------------------------------------------------------


def timesheet_queryset(*, actor: Membership) -> QuerySet[Timesheet]:
    """The timesheets the actor may read, with the people they name."""
    queryset = Timesheet.objects.select_related("consultant__user", "consultant__reports_to__user", "approved_by__user")
    if reads_all(actor):
        return queryset
    return queryset.filter(Q(consultant=actor) | Q(consultant__reports_to=actor))


def timesheet_get(*, actor: Membership, pk) -> Timesheet:
    """One timesheet the actor may read (Timesheet.DoesNotExist otherwise: a 404)."""
    return timesheet_queryset(actor=actor).get(pk=pk)


def consultant_get(*, actor: Membership, pk) -> Membership:
    """A member whose month the actor may open: themselves, a report, anyone for ADV
    (Membership.DoesNotExist otherwise: a 404, whether the member exists or not)."""
    queryset = Membership.objects.select_related("user", "reports_to__user")
    if not reads_all(actor):
        queryset = queryset.filter(Q(pk=actor.pk) | Q(reports_to=actor))
    return queryset.get(pk=pk)


def lines_prefetch() -> Prefetch:
    return Prefetch(
        "lines",
        queryset=TimesheetLine.objects.select_related("assignment__deal__client__billing_profile", "absence_type").prefetch_related(
            Prefetch("entries", queryset=TimesheetEntry.objects.order_by("day", "is_extra"))
        ),
    )


def timesheet_api_queryset(*, actor: Membership) -> QuerySet[Timesheet]:
    """For the API: the timesheets; `with_grids` then reads a page's lines, entries and approvals."""
    return timesheet_queryset(actor=actor)


@dataclass(frozen=True, slots=True)
class GridEntry:
    day: datetime.date
    quantity: Decimal
    is_extra: bool


def with_grids(timesheets) -> list[Timesheet]:
    """Each timesheet with `grid_lines` (each line with `grid_entries`) and `grid_approvals`, read
    for the whole page in three queries, whatever its size. (A Prefetch with a queryset builds one
    queryset per row in Python: for 200 timesheets and their thousands of entries it cost more than
    the SQL.) Entries are plain values, not model instances."""
    timesheets = list(timesheets)
    ids = [timesheet.pk for timesheet in timesheets]
    lines = list(
        TimesheetLine.objects.filter(timesheet_id__in=ids).select_related(
            "assignment__deal__client__billing_profile", "absence_type"
        )
    )
    entries = defaultdict(list)
    for line_id, day, quantity, is_extra in (
        TimesheetEntry.objects.filter(line__timesheet_id__in=ids)
        .order_by("line_id", "day", "is_extra")
        .values_list("line_id", "day", "quantity", "is_extra")
    ):
        entries[line_id].append(GridEntry(day, quantity, is_extra))
    lines_of = defaultdict(list)
    for line in lines:
        line.grid_entries = entries[line.pk]
        lines_of[line.timesheet_id].append(line)
    approvals_of = defaultdict(list)
    for approval in ClientApproval.objects.filter(timesheet_id__in=ids).select_related("deal"):
        approvals_of[approval.timesheet_id].append(approval)
    for timesheet in timesheets:
        timesheet.grid_lines = lines_of[timesheet.pk]
        timesheet.grid_approvals = approvals_of[timesheet.pk]
    return timesheets


# --- Numbers as people read them ------------------------------------------------------------------


def quantity_text(value: Decimal | None) -> str:
    """1 → "1", 0.50 → "0,5" (the language's decimal separator), None or 0 → ""."""
    if not value:
        return ""
    text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


# --- The month page -----------------------------------------------------------------------------


@dataclass
class GridCell:
    day: cal.Day
    name: str  # the form field: c-<line>-<dd> (regular time) or x-<line>-<dd> (extra time)
    quantity: Decimal
    enabled: bool  # a value may be entered (within the assignment's period; a working day for absences)
    posted: str | None = None  # what was typed, shown again when the save was refused
    invalid: bool = False

    @property
    def value(self) -> str:
        return self.posted if self.posted is not None else quantity_text(self.quantity)


@dataclass
class GridRow:
    line: TimesheetLine
    kind: str  # "work", "extra" or "absence"
    label: str
    cells: list[GridCell]
    total: Decimal = ZERO

    @property
    def total_text(self) -> str:
        return quantity_text(self.total) or "0"

    @property
    def is_extra(self) -> bool:
        return self.kind == "extra"


@dataclass
class DealBlock:
    """A deal of the month: what the client must receive (PDF, signature, reception number)."""

    deal: object
    client: object
    lines: list[TimesheetLine]
    total: Decimal
    reception_required: bool
    signature_required: bool
    approval: ClientApproval | None = None
    signatories: list[Contact] = field(default_factory=list)

    @property
    def total_text(self) -> str:
        return quantity_text(self.total) or "0"

    @property
    def reception_missing(self) -> bool:
        return self.reception_required and any(not line.reception_number for line in self.lines if line.entries_total)


@dataclass
class DayTotal:
    day: cal.Day
    total: Decimal
    over: bool

    @property
    def text(self) -> str:
        return quantity_text(self.total)


@dataclass
class MonthGrid:
    timesheet: Timesheet
    policy: TimesheetPolicy
    days: list[cal.Day]
    work_rows: list[GridRow]  # each assignment, followed by its extra-time row when allowed
    absence_rows: list[GridRow]
    day_totals: list[DayTotal]
    deals: list[DealBlock]
    deadline: datetime.date | None
    worked: Decimal
    absent: Decimal
    extra: Decimal
    working_days: int
    empty_working_days: list[cal.Day]
    over_days: list[cal.Day]

    @property
    def unit_is_hours(self) -> bool:
        return self.policy.unit == TimeUnit.HOURS

    @property
    def day_max(self) -> Decimal:
        return self.policy.hours_per_day if self.unit_is_hours else DAY

    @property
    def has_absences(self) -> bool:
        return any(row.total for row in self.absence_rows)

    def text(self, value: Decimal) -> str:
        return quantity_text(value) or "0"

    @property
    def worked_text(self) -> str:
        return self.text(self.worked)

    @property
    def absent_text(self) -> str:
        return self.text(self.absent)

    @property
    def extra_text(self) -> str:
        return self.text(self.extra)

    @property
    def first_column(self) -> int:
        """The column of the 1st in a Monday-first week (1 to 7)."""
        return self.days[0].date.weekday() + 1

    @property
    def unit_short(self) -> str:
        return pgettext("hours, short", "h") if self.unit_is_hours else pgettext("days, short", "j")

    @property
    def holidays(self) -> list[cal.Day]:
        return [d for d in self.days if d.holiday]

    def show_posted(self, raw: dict[str, str], *, comments: dict, reception_numbers: dict) -> None:
        """After a refused save: show what was typed (none of it is saved), the totals it makes,
        and flag the cells that are not a number and the days over a day."""
        from .forms import parse_quantity

        per_day: dict[datetime.date, Decimal] = defaultdict(Decimal)
        for row in [*self.work_rows, *self.absence_rows]:
            row.total = ZERO
            for cell in row.cells:
                if not cell.enabled:
                    continue
                cell.posted = raw.get(cell.name, "")
                try:
                    quantity = parse_quantity(cell.posted) or ZERO
                except ValueError:
                    cell.invalid, quantity = True, ZERO
                row.total += quantity
                if not row.is_extra:
                    per_day[cell.day.date] += quantity
            key = str(row.line.pk)
            if key in comments:
                row.line.comment = comments[key]
            if key in reception_numbers and row.line.assignment_id:
                row.line.reception_number = reception_numbers[key]
        self.day_totals = [DayTotal(day=t.day, total=per_day[t.day.date], over=per_day[t.day.date] > self.day_max) for t in self.day_totals]
        self.over_days = [t.day for t in self.day_totals if t.over]
        over = set(d.date for d in self.over_days)
        for row in [*self.work_rows, *self.absence_rows]:
            for cell in row.cells:
                if cell.day.date in over and cell.posted and not row.is_extra:
                    cell.invalid = True
        self.worked = sum((r.total for r in self.work_rows if not r.is_extra), ZERO)
        self.extra = sum((r.total for r in self.work_rows if r.is_extra), ZERO)
        self.absent = sum((r.total for r in self.absence_rows), ZERO)


def requires(deal, name: str) -> bool:
    try:
        return bool(deal.requires(name))
    except BillingProfile.DoesNotExist:  # a client without a billing profile: the deal's override only
        return bool(getattr(deal, name))


def _short(day: datetime.date, year: int) -> str:
    return formats.date_format(day, "d/m" if day.year == year else "SHORT_DATE_FORMAT")


def _period(assignment, days: list[cal.Day]) -> tuple[str, str] | None:
    """The assignment's dates when it does not cover the whole month: (start, end or "")."""
    first, last = days[0].date, days[-1].date
    if assignment.start_date <= first and (assignment.end_date is None or assignment.end_date >= last):
        return None
    end = _short(assignment.end_date, first.year) if assignment.end_date else ""
    return _short(assignment.start_date, first.year), end


def _cell_name(prefix: str, line: TimesheetLine, day: datetime.date) -> str:
    return f"{prefix}-{line.pk}-{day.day:02d}"


def month_grid(*, timesheet: Timesheet) -> MonthGrid:
    """Everything the month page shows, in a fixed number of queries."""
    rules = policy()
    days = cal.month_days(timesheet.month, rules.holiday_country)
    lines = list(
        TimesheetLine.objects.filter(timesheet=timesheet)
        .select_related("assignment__deal__client__billing_profile", "absence_type")
        .order_by("id")
    )
    entries: dict[tuple, Decimal] = {}
    for entry in TimesheetEntry.objects.filter(line__timesheet=timesheet).only("line_id", "day", "quantity", "is_extra"):
        entries[(entry.line_id, entry.day, entry.is_extra)] = entry.quantity
    per_day: dict[datetime.date, Decimal] = defaultdict(Decimal)
    work_lines = sorted(
        (line for line in lines if line.assignment_id),
        key=lambda line: (line.assignment.deal.reference, line.assignment.start_date, str(line.pk)),
    )
    absence_lines = sorted((line for line in lines if line.absence_type_id), key=lambda line: line.absence_type.name.lower())

    def row_for(line: TimesheetLine, kind: str, label: str) -> GridRow:
        extra = kind == "extra"
        cells = []
        total = ZERO
        for day in days:
            quantity = entries.get((line.pk, day.date, extra), ZERO)
            if kind == "absence":
                enabled = day.is_working_day
            else:
                a = line.assignment
                enabled = a.start_date <= day.date and (a.end_date is None or day.date <= a.end_date)
            cells.append(GridCell(day=day, name=_cell_name("x" if extra else "c", line, day.date), quantity=quantity, enabled=enabled))
            total += quantity
            if not extra:
                per_day[day.date] += quantity
        return GridRow(line=line, kind=kind, label=label, cells=cells, total=total)

    work_rows: list[GridRow] = []
    worked = extra_total = ZERO
    for line in work_lines:
        deal = line.assignment.deal
        row = row_for(line, "work", deal.reference)
        line.entries_total = row.total
        line.reception_required = line.assignment.reception_number_required or requires(deal, "reception_number_required")
        line.period = _period(line.assignment, days)
        work_rows.append(row)
        worked += row.total
        has_extra = any(key[0] == line.pk and key[2] for key in entries)
        if rules.allow_extra_time or has_extra:
            extra_row = row_for(line, "extra", deal.reference)
            work_rows.append(extra_row)
            extra_total += extra_row.total
    absence_rows = [row_for(line, "absence", line.absence_type.name) for line in absence_lines]
    absent = sum((row.total for row in absence_rows), ZERO)
    day_max = rules.hours_per_day if rules.unit == TimeUnit.HOURS else DAY
    day_totals = [DayTotal(day=d, total=per_day[d.date], over=per_day[d.date] > day_max) for d in days]

    # One block per deal: the PDF, the client's signature, the reception number.
    by_deal: dict = {}
    for line in work_lines:
        by_deal.setdefault(line.assignment.deal_id, []).append(line)
    approvals = {a.deal_id: a for a in ClientApproval.objects.filter(timesheet=timesheet).select_related("contact", "signed_document")}
    blocks = []
    for deal_lines in by_deal.values():
        deal = deal_lines[0].assignment.deal
        blocks.append(
            DealBlock(
                deal=deal,
                client=deal.client,
                lines=deal_lines,
                total=sum((line.entries_total for line in deal_lines), ZERO),
                reception_required=any(line.reception_required for line in deal_lines),
                signature_required=requires(deal, "signed_timesheet_required"),
                approval=approvals.get(deal.pk),
            )
        )
    needing = {b.client.pk for b in blocks if b.signature_required}
    if needing:
        contacts = defaultdict(list)
        for contact in (
            Contact.objects.filter(client_id__in=needing, signs_timesheets=True, is_active=True).exclude(email="").order_by("last_name", "first_name")
        ):
            contacts[contact.client_id].append(contact)
        for block in blocks:
            block.signatories = contacts.get(block.client.pk, [])

    calendar_row = ClosingCalendar.objects.filter(month=timesheet.month).only("submission_deadline").first()
    deadline = calendar_row.submission_deadline if calendar_row else cal.propose_deadlines(timesheet.month, rules)["submission_deadline"]
    today = timezone.localdate()
    covered = {d for d, total in per_day.items() if total}
    empty = [d for d in days if d.is_working_day and d.date not in covered and d.date <= today]
    return MonthGrid(
        timesheet=timesheet,
        policy=rules,
        days=days,
        work_rows=work_rows,
        absence_rows=absence_rows,
        day_totals=day_totals,
        deals=blocks,
        deadline=deadline,
        worked=worked,
        absent=absent,
        extra=extra_total,
        working_days=sum(1 for d in days if d.is_working_day),
        empty_working_days=empty,
        over_days=[t.day for t in day_totals if t.over],
    )


def client_approval_get(*, actor: Membership, timesheet: Timesheet, pk) -> ClientApproval:
    """One client approval of a timesheet the actor may read (DoesNotExist otherwise)."""
    return ClientApproval.objects.select_related("deal__client", "timesheet__consultant__user", "contact").get(
        pk=pk, timesheet=timesheet
    )


# --- The approval queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    month: datetime.date | None = None
    status: str = ""
    manager: object = None  # a Membership id: the people reporting to them

    @property
    def active(self) -> bool:
        return bool(self.month or self.status or self.manager)


def _sum(condition: Q):
    return Coalesce(
        Sum("lines__entries__quantity", filter=condition), Value(ZERO), output_field=DecimalField(max_digits=8, decimal_places=2)
    )


def approval_queue(*, actor: Membership, filters: QueueFilters) -> QuerySet[Timesheet]:
    """The timesheets the actor approves (their reports; ADV: everyone's), with their totals.

    One query for the page (totals aggregated in SQL), one for the count, one for the client
    approvals of the page's rows: constant, whatever the number of consultants."""
    queryset = Timesheet.objects.select_related("consultant__user", "consultant__reports_to__user", "approved_by__user")
    if not is_adv(actor):
        queryset = queryset.filter(consultant__reports_to=actor)
    if filters.month:
        queryset = queryset.filter(month=month_start(filters.month))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.manager:
        queryset = queryset.filter(consultant__reports_to_id=filters.manager)
    return (
        queryset.annotate(
            worked=_sum(Q(lines__assignment__isnull=False, lines__entries__is_extra=False)),
            absent=_sum(Q(lines__absence_type__isnull=False)),
            extra=_sum(Q(lines__entries__is_extra=True)),
        )
        .prefetch_related(Prefetch("client_approvals", queryset=ClientApproval.objects.select_related("deal").order_by("deal__reference")))
        .order_by("-month", "consultant__user__last_name", "consultant__user__first_name", "id")
    )


def queue_counts(*, actor: Membership, month: datetime.date | None) -> dict[str, int]:
    queryset = Timesheet.objects.all()
    if not is_adv(actor):
        queryset = queryset.filter(consultant__reports_to=actor)
    if month:
        queryset = queryset.filter(month=month_start(month))
    counts = {row["status"]: row["n"] for row in queryset.values("status").annotate(n=Count("id")).order_by()}
    return {status: counts.get(status, 0) for status in TimesheetStatus.values}


def queue_deadlines(months) -> dict[datetime.date, datetime.date]:
    """The submission deadline of each month (the closing calendar, else the firm's rule)."""
    months = set(months)
    if not months:
        return {}
    found = {row.month: row.submission_deadline for row in ClosingCalendar.objects.filter(month__in=months).only("month", "submission_deadline")}
    rules = None
    for month in months - set(found):
        rules = rules or policy()
        found[month] = cal.propose_deadlines(month, rules)["submission_deadline"]
    return found


def manager_choices() -> QuerySet[Membership]:
    """Members with at least one active report (the queue's team filter)."""
    return (
        Membership.objects.filter(is_active=True, reports__is_active=True)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "id")
    )
