"""Reads of the month-end close: who is expected to submit a timesheet, the month's completion,
and the late-submitters report. Everything here is a read (the selectors of the closing side).

Scale (DESIGN.md section 9): a firm of 2,000 consultants. The completion figures are one SQL
aggregate (per manager; the firm's totals are their sum); a page of people is one query, its
count taken from the figures. The late report is one aggregate query per page whatever the
number of people or months.

Definitions
- Expected for a month: every active consultant (role consultant, active member and user) who
  joined before the month ended, and anyone who has a timesheet that month (a manager who fills
  one, a consultant who has left since).
- Late for a month: the first submission (`Timesheet.first_submitted_at`, kept through
  rejections), as a date in the firm's time zone, after the calendar's submission deadline; a
  timesheet not yet submitted once the deadline has passed is late so far (its delay grows each
  day). The delay is counted in calendar days after the deadline.
- Habitually late ("retardataire habituel"): late at least `habitually_late_count` times over the
  last `habitually_late_window_months` months whose deadline has passed (the firm's rule).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.utils import timezone

from adv.tenancy.context import require_tenant_id
from adv.tenancy.firm_settings import settings_read
from adv.tenancy.models import Membership, Role, Tenant

from .. import calendar as cal
from ..models import ClientApproval, ClientApprovalStatus, ClosingCalendar, Timesheet, TimesheetPolicy, TimesheetStatus

SUBMITTED_STATUSES = (TimesheetStatus.SUBMITTED, TimesheetStatus.APPROVED)
HISTORY_MONTHS = 12
SHORT_WINDOW_MONTHS = 6


# --- Months and calendars ----------------------------------------------------------------------


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + (month.month - 1) + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def tenant_zone() -> zoneinfo.ZoneInfo:
    name = Tenant.objects.filter(pk=require_tenant_id()).values_list("time_zone", flat=True).first()
    return zoneinfo.ZoneInfo(name or "Europe/Paris")


def month_bounds(month: datetime.date, zone: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first and next month's first instant, in the firm's time zone."""
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(cal.next_month(month), datetime.time.min, tzinfo=zone)
    return start, end


def rules() -> TimesheetPolicy:
    """The firm's policy without writing (an unsaved default when the firm has none yet)."""
    return settings_read(TimesheetPolicy)


def calendar_for(month: datetime.date, policy: TimesheetPolicy | None = None) -> ClosingCalendar:
    """The month's calendar: the saved one, else the rule's proposal (unsaved, not written by a read)."""
    month = month.replace(day=1)
    found = ClosingCalendar.objects.filter(month=month).first()
    if found is not None:
        return found
    return ClosingCalendar(month=month, **cal.propose_deadlines(month, policy or rules()))


def calendars_for(months: Iterable[datetime.date], policy: TimesheetPolicy | None = None) -> dict[datetime.date, ClosingCalendar]:
    """Several months' calendars in one query, proposals filling the gaps."""
    months = sorted({m.replace(day=1) for m in months})
    found = {c.month: c for c in ClosingCalendar.objects.filter(month__in=months)}
    policy = policy or rules()
    return {m: found.get(m) or ClosingCalendar(month=m, **cal.propose_deadlines(m, policy)) for m in months}


# --- Who is expected -------------------------------------------------------------------------------


def expected_consultants(month: datetime.date, *, zone: zoneinfo.ZoneInfo | None = None) -> QuerySet[Membership]:
    """Active members who owe a timesheet for `month` (see the module's definitions)."""
    zone = zone or tenant_zone()
    _start, end = month_bounds(month, zone)
    has_timesheet = Exists(Timesheet.objects.filter(consultant=OuterRef("pk"), month=month))
    return Membership.objects.filter(is_active=True, user__is_active=True).filter(
        Q(role=Role.CONSULTANT, created_at__lt=end) | Q(has_timesheet)
    )


def unsubmitted_consultants(month: datetime.date, *, zone: zoneinfo.ZoneInfo | None = None) -> QuerySet[Membership]:
    """Expected members whose timesheet of `month` is missing or still a draft."""
    submitted = Timesheet.objects.filter(month=month, status__in=SUBMITTED_STATUSES).values("consultant_id")
    return expected_consultants(month, zone=zone).exclude(pk__in=submitted)


# --- The month's completion ----------------------------------------------------------------------


@dataclass
class CompletionLine:
    """Figures of one team (the consultants reporting to one manager) or of the whole firm."""

    manager_id: object = None
    manager_name: str = ""
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    client_required: int = 0
    client_approved: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.submitted

    @property
    def pending_approval(self) -> int:
        return self.submitted - self.approved

    @property
    def pending_client(self) -> int:
        return self.client_required - self.client_approved

    @staticmethod
    def _share(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def submitted_pct(self) -> int | None:
        return self._share(self.submitted, self.expected)

    @property
    def approved_pct(self) -> int | None:
        return self._share(self.approved, self.expected)

    @property
    def client_approved_pct(self) -> int | None:
        return self._share(self.client_approved, self.client_required)


@dataclass
class Completion:
    month: datetime.date
    total: CompletionLine
    teams: list[CompletionLine] = field(default_factory=list)

    def count_for(self, show: str) -> int:
        return {
            "missing": self.total.missing,
            "pending_approval": self.total.pending_approval,
            "pending_client": self.total.pending_client,
        }.get(show, self.total.expected)


_PEOPLE_SQL = """
    SELECT m.id, m.reports_to_id, t.status,
           EXISTS (SELECT 1 FROM timesheets_clientapproval ca
                   WHERE ca.tenant_id = %(tenant)s AND ca.timesheet_id = t.id) AS client_required,
           NOT EXISTS (SELECT 1 FROM timesheets_clientapproval ca
                       WHERE ca.tenant_id = %(tenant)s AND ca.timesheet_id = t.id AND ca.status <> 'approved') AS client_done
    FROM tenancy_membership m
    JOIN users_user u ON u.id = m.user_id
    LEFT JOIN timesheets_timesheet t ON t.tenant_id = %(tenant)s AND t.consultant_id = m.id AND t.month = %(month)s
    WHERE m.tenant_id = %(tenant)s AND m.is_active AND u.is_active
      AND ((m.role = 'consultant' AND m.created_at < %(end)s) OR t.id IS NOT NULL)
      {team}
"""

_COMPLETION_SQL = """
    WITH people AS ({people})
    SELECT p.reports_to_id, coalesce(nullif(trim(mu.first_name || ' ' || mu.last_name), ''), mu.email, ''),
           count(*),
           count(*) FILTER (WHERE p.status IN ('submitted', 'approved')),
           count(*) FILTER (WHERE p.status = 'approved'),
           count(*) FILTER (WHERE p.status = 'approved' AND p.client_required),
           count(*) FILTER (WHERE p.status = 'approved' AND p.client_required AND p.client_done)
    FROM people p
    LEFT JOIN tenancy_membership mm ON mm.tenant_id = %(tenant)s AND mm.id = p.reports_to_id
    LEFT JOIN users_user mu ON mu.id = mm.user_id
    GROUP BY p.reports_to_id, mu.first_name, mu.last_name, mu.email
    ORDER BY (p.reports_to_id IS NULL), 2
"""


def completion(*, month: datetime.date, team_of: Membership | None = None, zone: zoneinfo.ZoneInfo | None = None) -> Completion:
    """The month's figures per manager (team) and for the whole firm, in one query.

    Client approval counts only approved timesheets that need it (the client approvals are
    opened when the manager approves, for the deals that require a signed timesheet)."""
    zone = zone or tenant_zone()
    _start, end = month_bounds(month, zone)
    params = {"tenant": require_tenant_id(), "month": month, "end": end, "team": team_of.pk if team_of else None}
    team = "AND m.reports_to_id = %(team)s" if team_of else ""
    sql = _COMPLETION_SQL.format(people=_PEOPLE_SQL.format(team=team))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    teams = [CompletionLine(*row) for row in rows]
    total = CompletionLine()
    for line in teams:
        for name in ("expected", "submitted", "approved", "client_required", "client_approved"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    return Completion(month=month, total=total, teams=teams)


COMPLETION_FILTERS = ("missing", "pending_approval", "pending_client", "all")


def completion_people(
    *, month: datetime.date, show: str = "missing", team_of: Membership | None = None, manager_id=None,
    zone: zoneinfo.ZoneInfo | None = None,
) -> QuerySet[Membership]:
    """The people behind the figures, each with their timesheet's status of the month:
    `missing` (not submitted), `pending_approval`, `pending_client`, or `all`."""
    zone = zone or tenant_zone()
    approvals = ClientApproval.objects.filter(timesheet_id=OuterRef("ts_id"))
    people = (
        expected_consultants(month, zone=zone)
        .annotate(ts=FilteredRelation("timesheets", condition=Q(timesheets__month=month)))
        .annotate(
            ts_id=F("ts__id"),
            ts_status=F("ts__status"),
            ts_first_submitted_at=F("ts__first_submitted_at"),
            ts_rejected_at=F("ts__rejected_at"),
        )
        .annotate(
            client_required=Exists(approvals),
            client_pending=Exists(approvals.exclude(status=ClientApprovalStatus.APPROVED)),
        )
        .select_related("user", "reports_to__user")
    )
    if team_of is not None:
        people = people.filter(reports_to=team_of)
    elif manager_id == "none":
        people = people.filter(reports_to__isnull=True)
    elif manager_id:
        people = people.filter(reports_to_id=manager_id)
    if show == "missing":
        people = people.filter(Q(ts_status__isnull=True) | Q(ts_status=TimesheetStatus.DRAFT))
    elif show == "pending_approval":
        people = people.filter(ts_status=TimesheetStatus.SUBMITTED)
    elif show == "pending_client":
        people = people.filter(ts_status=TimesheetStatus.APPROVED, client_pending=True)
    return people.order_by("user__last_name", "user__first_name", "id")


# --- Late submitters -----------------------------------------------------------------------------


def reference_month(today: datetime.date, policy: TimesheetPolicy | None = None) -> datetime.date:
    """The latest month whose submission deadline has passed (the report's last month)."""
    current = today.replace(day=1)
    deadline = calendar_for(current, policy).submission_deadline
    return current if deadline < today else add_months(current, -1)


@dataclass(frozen=True)
class MonthLate:
    """One person's lateness for one month."""

    membership: Membership
    deadline: datetime.date
    first_submitted_at: datetime.datetime | None
    delay_days: int
    status: str | None

    @property
    def submitted(self) -> bool:
        return self.first_submitted_at is not None


@dataclass(frozen=True)
class PersonLateness:
    membership: Membership
    late_6: int
    median_6: float | None
    months_6: int
    late_12: int
    median_12: float | None
    months_12: int
    late_in_window: int
    habitually_late: bool


@dataclass
class LatePage:
    """A page of rows computed in SQL, with the total count from the same query."""

    rows: list
    count: int
    number: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))


def _months_values(calendars: dict[datetime.date, ClosingCalendar]) -> tuple[str, list]:
    values = ", ".join(["(%s::date, %s::date)"] * len(calendars))
    params: list = []
    for month, row in sorted(calendars.items()):
        params += [month, row.submission_deadline]
    return values, params


_LATE_ROWS_SQL = """
    WITH months(month, deadline) AS (VALUES {values}),
    rows AS (
        SELECT m.id AS membership_id, mo.month, mo.deadline, t.status, t.first_submitted_at,
               CASE WHEN t.first_submitted_at IS NOT NULL
                    THEN (t.first_submitted_at AT TIME ZONE %s)::date - mo.deadline
                    ELSE %s::date - mo.deadline END AS delay
        FROM tenancy_membership m
        JOIN users_user u ON u.id = m.user_id
        CROSS JOIN months mo
        LEFT JOIN timesheets_timesheet t ON t.tenant_id = %s AND t.consultant_id = m.id AND t.month = mo.month
        WHERE m.tenant_id = %s
          AND (t.id IS NOT NULL OR (m.role = 'consultant' AND m.is_active AND u.is_active
                                    AND m.created_at < ((mo.month + interval '1 month') AT TIME ZONE %s)))
          {team}
    )
"""


def _team_clause(team_of: Membership | None) -> tuple[str, list]:
    return ("AND m.reports_to_id = %s", [team_of.pk]) if team_of is not None else ("", [])


def _rows_sql(calendars, *, today, zone, team_of) -> tuple[str, list]:
    values, params = _months_values(calendars)
    team, team_params = _team_clause(team_of)
    tenant_id = require_tenant_id()
    return (
        _LATE_ROWS_SQL.format(values=values, team=team),
        [*params, str(zone), today, tenant_id, tenant_id, str(zone), *team_params],
    )


def _memberships(ids) -> dict:
    return {m.pk: m for m in Membership.objects.filter(pk__in=list(ids)).select_related("user", "reports_to__user")}


def late_for_month(
    *, month: datetime.date, today: datetime.date, page: int = 1, per_page: int = 50, team_of: Membership | None = None,
    zone: zoneinfo.ZoneInfo | None = None, policy: TimesheetPolicy | None = None,
) -> LatePage:
    """Who submitted `month` after its deadline, and by how many days (not yet submitted: late so
    far), the latest first. Two queries: the page of rows (with its count), and its people."""
    zone = zone or tenant_zone()
    calendars = calendars_for([month], policy)
    sql, params = _rows_sql(calendars, today=today, zone=zone, team_of=team_of)
    sql += """
        SELECT r.membership_id, r.deadline, r.first_submitted_at, r.delay, r.status, count(*) OVER ()
        FROM rows r JOIN tenancy_membership m ON m.id = r.membership_id JOIN users_user u ON u.id = m.user_id
        WHERE r.delay > 0
        ORDER BY r.delay DESC, u.last_name, u.first_name, r.membership_id
        LIMIT %s OFFSET %s
    """
    page = max(1, page)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, per_page, (page - 1) * per_page])
        found = cursor.fetchall()
    people = _memberships(row[0] for row in found)
    rows = [MonthLate(people[r[0]], r[1], r[2], r[3], r[4]) for r in found]
    return LatePage(rows=rows, count=found[0][5] if found else 0, number=page, per_page=per_page)


def history_months(today: datetime.date, policy: TimesheetPolicy, count: int) -> list[datetime.date]:
    last = reference_month(today, policy)
    return [add_months(last, -i) for i in range(count - 1, -1, -1)]


def lateness_by_person(
    *, today: datetime.date, page: int = 1, per_page: int = 50, only_late: bool = True, team_of: Membership | None = None,
    zone: zoneinfo.ZoneInfo | None = None, policy: TimesheetPolicy | None = None,
) -> tuple[LatePage, list[datetime.date]]:
    """Per person over the last 6 and 12 months whose deadline has passed: late months, the
    median delay of those late months, and the habitually-late flag by the firm's rule.
    Habitually late first, then the most late months. Returns the page and the months used."""
    zone = zone or tenant_zone()
    policy = policy or rules()
    window = max(1, policy.habitually_late_window_months)
    months = history_months(today, policy, max(HISTORY_MONTHS, window))
    calendars = calendars_for(months, policy)
    six_from = months[-SHORT_WINDOW_MONTHS]
    twelve_from = months[-HISTORY_MONTHS]
    window_from = months[-window]
    threshold = max(1, policy.habitually_late_count)
    sql, params = _rows_sql(calendars, today=today, zone=zone, team_of=team_of)
    sql += """,
    stats AS (
        SELECT membership_id,
               count(*) FILTER (WHERE delay > 0 AND month >= %s) AS late_6,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY delay) FILTER (WHERE delay > 0 AND month >= %s) AS median_6,
               count(*) FILTER (WHERE month >= %s) AS months_6,
               count(*) FILTER (WHERE delay > 0 AND month >= %s) AS late_12,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY delay) FILTER (WHERE delay > 0 AND month >= %s) AS median_12,
               count(*) FILTER (WHERE month >= %s) AS months_12,
               count(*) FILTER (WHERE delay > 0 AND month >= %s) AS late_window
        FROM rows GROUP BY membership_id
    )
    SELECT s.membership_id, s.late_6, s.median_6, s.months_6, s.late_12, s.median_12, s.months_12, s.late_window,
           count(*) OVER ()
    FROM stats s JOIN tenancy_membership m ON m.id = s.membership_id JOIN users_user u ON u.id = m.user_id
    WHERE (%s = false OR s.late_12 > 0 OR s.late_window > 0)
    ORDER BY (s.late_window >= %s) DESC, s.late_12 DESC, s.median_12 DESC NULLS LAST, u.last_name, u.first_name, s.membership_id
    LIMIT %s OFFSET %s
    """
    page = max(1, page)
    params += [six_from, six_from, six_from, twelve_from, twelve_from, twelve_from, window_from, only_late, threshold]
    params += [per_page, (page - 1) * per_page]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    people = _memberships(row[0] for row in found)
    rows = [
        PersonLateness(
            membership=people[r[0]], late_6=r[1], median_6=r[2], months_6=r[3], late_12=r[4], median_12=r[5],
            months_12=r[6], late_in_window=r[7], habitually_late=r[7] >= threshold,
        )
        for r in found
    ]
    return LatePage(rows=rows, count=found[0][8] if found else 0, number=page, per_page=per_page), months[-HISTORY_MONTHS:]


def habitually_late_ids(*, today: datetime.date, policy: TimesheetPolicy | None = None) -> set:
    """The ids of the habitually late people (for badges elsewhere)."""
    result, _months = lateness_by_person(today=today, per_page=10_000, policy=policy)
    return {row.membership.pk for row in result.rows if row.habitually_late}


def local_date(moment: datetime.datetime | None, zone: zoneinfo.ZoneInfo) -> datetime.date | None:
    return timezone.localtime(moment, zone).date() if moment else None
