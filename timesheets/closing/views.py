"""Pages of the month-end close, under /t/<slug>/timesheets/closing/: the closing calendar (this
month and the next, editable by ADV, with the firm's rules for admins), one-click grouped
reminders (ADV), the late-submitters report and the month's completion (ADV, admins and the
accountant see the firm; a manager sees their team). Views parse, call a selector (closing_selectors.py)
or a service, and render. Plus the dashboard's "closing calendar of the month" card.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv import exports
from adv.months import first_day
from adv.tenancy import errors as domain
from adv.tenancy.models import Membership, Role
from adv.tenancy.roles import ADV_ROLES, CLOSE_FOLLOWERS
from adv.ui.pages import is_partial, raise_http
from adv.ui.permissions import require_member, require_role

from .. import calendar as cal
from .. import reminders
from ..models import ClosingCalendar, Timesheet, TimesheetPolicy, TimesheetStatus, month_start
from ..services import closing_calendar_ensure, closing_calendar_update
from . import selectors as closing_selectors
from .forms import DEADLINE_FIELDS, ClosingCalendarForm, GroupedReminderForm, TimesheetPolicyForm
from .services import timesheet_policy_update

PER_PAGE = 50
EXPORT_FORMATS = ("csv", "xlsx")

adv_only = require_role(*sorted(ADV_ROLES))
followers = require_role(*sorted(CLOSE_FOLLOWERS))

DEADLINES = [
    # (field, label, short marker, css modifier)
    ("submission_deadline", _("Soumission des CRA"), "S", "submit"),
    ("approval_deadline", _("Validation manager"), "V", "approve"),
    ("client_approval_deadline", _("Validation client"), "C", "client"),
    ("billing_close_deadline", _("Clôture de facturation"), "F", "close"),
]


def _team_of(membership: Membership) -> Membership | None:
    """Managers see their team; ADV, admins and the accountant see the firm."""
    return membership if membership.role == Role.MANAGER else None


def month_in_close(today: datetime.date, policy: TimesheetPolicy) -> datetime.date:
    """The month whose close is under way: this month once its calendar is announced (or its
    deadline near), else last month."""
    current = month_start(today)
    row = closing_selectors.calendar_for(current, policy)
    starts = row.submission_deadline - datetime.timedelta(days=policy.announce_days_ahead)
    return current if today >= starts else closing_selectors.add_months(current, -1)


def _month_nav(month: datetime.date, today: datetime.date) -> dict:
    previous = closing_selectors.add_months(month, -1)
    following = closing_selectors.add_months(month, 1)
    return {
        "month": month,
        "previous": previous,
        "next": following if following <= month_start(today) else None,
        "is_current": month == month_start(today),
    }


# --- Closing calendar ----------------------------------------------------------------------------


@dataclass
class Deadline:
    key: str
    label: str
    marker: str
    css: str
    day: datetime.date
    days_left: int
    proposed: datetime.date

    @property
    def passed(self) -> bool:
        return self.days_left < 0

    @property
    def edited(self) -> bool:
        return self.day != self.proposed


@dataclass
class Cell:
    day: datetime.date
    in_month: bool
    is_weekend: bool
    holiday: str | None
    is_today: bool
    deadlines: list[Deadline] = field(default_factory=list)


@dataclass
class CalendarBlock:
    month: datetime.date
    row: ClosingCalendar
    deadlines: list[Deadline]
    weeks: list[list[Cell]]
    announce_on: datetime.date
    form: ClosingCalendarForm | None = None

    @property
    def is_saved(self) -> bool:
        return self.row.pk is not None and not self.row._state.adding

    @property
    def edited(self) -> bool:
        return any(d.edited for d in self.deadlines)

    @property
    def prefix(self) -> str:
        return f"m{self.month:%Y%m}"


def _weeks(month: datetime.date, last: datetime.date, deadlines: list[Deadline], today: datetime.date, country: str) -> list[list[Cell]]:
    start = month - datetime.timedelta(days=month.weekday())
    end_month = cal.next_month(month) - datetime.timedelta(days=1)
    end = max(last, end_month)
    end += datetime.timedelta(days=6 - end.weekday())
    by_day: dict = {}
    for deadline in deadlines:
        by_day.setdefault(deadline.day, []).append(deadline)
    weeks, week = [], []
    day = start
    while day <= end:
        known = cal.public_holidays(country, day.year)
        week.append(Cell(
            day=day, in_month=day.month == month.month and day.year == month.year, is_weekend=day.weekday() >= 5,
            holiday=known.get(day), is_today=day == today, deadlines=by_day.get(day, []),
        ))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += datetime.timedelta(days=1)
    return weeks


def _block(month: datetime.date, row: ClosingCalendar, policy: TimesheetPolicy, today: datetime.date, form=None) -> CalendarBlock:
    proposed = cal.propose_deadlines(month, policy)
    deadlines = [
        Deadline(key=key, label=str(label), marker=marker, css=css, day=getattr(row, key),
                 days_left=(getattr(row, key) - today).days, proposed=proposed[key])
        for key, label, marker, css in DEADLINES
    ]
    last = max(d.day for d in deadlines)
    weeks = _weeks(month, last, deadlines, today, policy.holiday_country)
    announce_on = row.submission_deadline - datetime.timedelta(days=policy.announce_days_ahead)
    return CalendarBlock(month=month, row=row, deadlines=deadlines, weeks=weeks, announce_on=announce_on, form=form)


def _calendar_page(request, *, first: datetime.date, bound: dict | None = None, policy_form=None, status: int = 200):
    membership = request.membership
    today = timezone.localdate()
    policy = closing_selectors.rules()
    can_edit = membership.role in ADV_ROLES
    calendars = closing_selectors.calendars_for([first, cal.next_month(first)], policy)
    blocks = []
    for month, row in sorted(calendars.items()):
        form = None
        if can_edit:
            prefix = f"m{month:%Y%m}"
            form = (bound or {}).get(month) or ClosingCalendarForm(instance=row, prefix=prefix)
        blocks.append(_block(month, row, policy, today, form))
    if membership.role == Role.ADMIN and policy_form is None:
        policy_form = TimesheetPolicyForm(instance=policy)
    context = {
        "blocks": blocks,
        "can_edit": can_edit,
        "policy": policy,
        "policy_form": policy_form if membership.role == Role.ADMIN else None,
        "first": first,
        "previous": closing_selectors.add_months(first, -1),
        "following": cal.next_month(first),
        "is_current": first == month_start(today),
        "today": today,
        "offsets": reminders.parse_offsets(policy.reminder_offsets),
    }
    return render(request, "timesheets/closing/calendar.html", context, status=status)


@require_member
@require_GET
def closing_calendar(request, tenant_slug):
    first = first_day(request.GET.get("from"), month_start(timezone.localdate()))
    return _calendar_page(request, first=first)


@adv_only
@require_POST
def closing_calendar_edit(request, tenant_slug, year, month):
    try:
        month = datetime.date(year, month, 1)
    except ValueError:
        raise Http404(_("Ce mois n'existe pas."))
    prefix = f"m{month:%Y%m}"
    row = closing_calendar_ensure(month=month)
    first = first_day(request.POST.get("from"), month_start(timezone.localdate()))
    if month not in (first, cal.next_month(first)):
        first = month  # the page shows the month being edited
    back = reverse("timesheets:closing", kwargs={"tenant_slug": tenant_slug})
    back += f"?from={first:%Y-%m}#{prefix}" if first != month_start(timezone.localdate()) else f"#{prefix}"
    if "reset" in request.POST:
        deadlines = cal.propose_deadlines(month, closing_selectors.rules())
        form = ClosingCalendarForm(instance=row, prefix=prefix)
    else:
        form = ClosingCalendarForm(request.POST, instance=row, prefix=prefix)
        deadlines = {name: form.cleaned_data[name] for name in DEADLINE_FIELDS} if form.is_valid() else None
    if deadlines is not None:
        try:
            closing_calendar_update(actor=request.membership, calendar_row=row, **deadlines)
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            text = _("Le calendrier de %(month)s revient à la proposition de la règle.") if "reset" in request.POST else _(
                "Le calendrier de %(month)s est enregistré."
            )
            messages.success(request, text % {"month": reminders.format_month(month)})
            return redirect(back)
    row.refresh_from_db()
    return _calendar_page(request, first=first, bound={month: form}, status=400)


@require_role(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def closing_policy(request, tenant_slug):
    back = reverse("timesheets:closing", kwargs={"tenant_slug": tenant_slug}) + "#policy"
    if request.method == "GET":
        return redirect(back)
    current = closing_selectors.rules()
    form = TimesheetPolicyForm(request.POST, instance=current if current.pk else TimesheetPolicy())
    if form.is_valid():
        try:
            timesheet_policy_update(actor=request.membership, **form.cleaned_data)
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Les règles des CRA sont enregistrées. Les calendriers déjà enregistrés gardent leurs dates."))
            return redirect(back)
    return _calendar_page(request, first=month_start(timezone.localdate()), policy_form=form, status=400)


# --- Grouped reminders ---------------------------------------------------------------------------


def _audience(request) -> str:
    value = request.POST.get("audience") or request.GET.get("audience")
    return value if value in reminders.GROUPED_TEMPLATES else reminders.AUDIENCE_CONSULTANTS


@adv_only
@require_http_methods(["GET", "POST"])
def grouped_reminders(request, tenant_slug):
    membership = request.membership
    today = timezone.localdate()
    policy = closing_selectors.rules()
    data = request.POST if request.method == "POST" else request.GET
    month = first_day(data.get("month"), month_in_close(today, policy))
    if month > month_start(today):
        month = month_start(today)
    audience = _audience(request)
    candidates = reminders.grouped_candidates(month=month, audience=audience, today=today)
    row = closing_selectors.calendar_for(month, policy)
    deadline = row.submission_deadline if audience == reminders.AUDIENCE_CONSULTANTS else row.approval_deadline
    here = reverse("timesheets:reminders", kwargs={"tenant_slug": tenant_slug}) + f"?month={month:%Y-%m}&audience={audience}"
    preview = preview_for = None
    status = 200
    if request.method == "POST":
        form = GroupedReminderForm(request.POST, audience=audience, candidates=candidates)
        if form.is_valid():
            chosen = set(form.cleaned_data["people"])
            if request.POST.get("action") == "send":
                try:
                    result = reminders.grouped_reminder_send(
                        actor=membership, month=month, audience=audience, template_key=form.cleaned_data["template"],
                        membership_ids=chosen, today=today,
                    )
                except domain.DomainError as error:
                    raise_http(error)
                    form.add_domain_error(error)
                    status = 400
                else:
                    _grouped_messages(request, result)
                    return redirect(here)
            else:
                preview_for = next(c for c in candidates if str(c.pk) in chosen)
                preview = reminders.grouped_preview(
                    actor=membership, month=month, audience=audience, template_key=form.cleaned_data["template"],
                    candidate=preview_for,
                )
                preview_for.others = len(chosen) - 1
        else:
            status = 400
    else:
        form = GroupedReminderForm(
            audience=audience, candidates=candidates,
            initial={
                "template": reminders.default_template(audience, month=month, today=today),
                "people": [str(c.pk) for c in candidates],
            },
        )
    if is_partial(request) and request.POST.get("action") == "preview":
        response = render(request, "timesheets/closing/_preview.html", {"preview": preview, "preview_for": preview_for, "form": form}, status=status)
        patch_vary_headers(response, ("HX-Request",))
        return response
    context = {
        "form": form,
        "month": month,
        "nav": _month_nav(month, today),
        "audience": audience,
        "candidates": candidates,
        "selected": set(form["people"].value() or []),
        "deadline": deadline,
        "deadline_passed": today > deadline,
        "preview": preview,
        "preview_for": preview_for,
        "late_count": sum(1 for c in candidates if c.is_late),
        "reminded_today": sum(1 for c in candidates if c.reminded_today),
        "counts": _audience_counts(month, today, audience, len(candidates)),
    }
    response = render(request, "timesheets/closing/reminders.html", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _audience_counts(month, today, audience, shown: int) -> dict:
    """How many people each tab holds (the tab shown is already counted)."""
    counts = {audience: shown}
    other = reminders.AUDIENCE_APPROVERS if audience == reminders.AUDIENCE_CONSULTANTS else reminders.AUDIENCE_CONSULTANTS
    if other == reminders.AUDIENCE_APPROVERS:
        counts[other] = len(reminders.pending_approvals(month))
    else:
        counts[other] = closing_selectors.unsubmitted_consultants(month).count()
    return counts


def _grouped_messages(request, result: reminders.GroupedResult) -> None:
    if result.sent:
        messages.success(request, ngettext(
            "Relance envoyée à %(count)d personne.", "Relance envoyée à %(count)d personnes.", len(result.sent)
        ) % {"count": len(result.sent)})
    if result.already:
        names = ", ".join(str(m.user) for m in result.already[:5]) + ("…" if len(result.already) > 5 else "")
        messages.info(request, ngettext(
            "Rien de plus envoyé à %(count)d personne déjà relancée aujourd'hui : %(names)s.",
            "Rien de plus envoyé à %(count)d personnes déjà relancées aujourd'hui : %(names)s.",
            len(result.already),
        ) % {"count": len(result.already), "names": names})
    if result.not_eligible:
        messages.info(request, ngettext(
            "%(count)d personne n'a plus besoin de relance (CRA soumis ou validé entre-temps).",
            "%(count)d personnes n'ont plus besoin de relance (CRA soumis ou validés entre-temps).",
            result.not_eligible,
        ) % {"count": result.not_eligible})


# --- Late submitters -----------------------------------------------------------------------------


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@followers
@require_GET
def late_report(request, tenant_slug):
    membership = request.membership
    today = timezone.localdate()
    policy = closing_selectors.rules()
    zone = zoneinfo.ZoneInfo(request.tenant.time_zone)
    team_of = _team_of(membership)
    view = "people" if request.GET.get("view") == "people" else "month"
    fmt = request.GET.get("export")
    per_page = 100_000 if fmt in EXPORT_FORMATS else PER_PAGE
    page_number = 1 if fmt in EXPORT_FORMATS else _page_number(request)
    context = {"view": view, "policy": policy, "team_of": team_of, "today": today}
    if view == "month":
        month = first_day(request.GET.get("month"), closing_selectors.reference_month(today, policy))
        if month > month_start(today):
            month = month_start(today)
        page = closing_selectors.late_for_month(month=month, today=today, page=page_number, per_page=per_page, team_of=team_of,
                                      zone=zone, policy=policy)
        if fmt in EXPORT_FORMATS:
            return _export_month(page, month=month, zone=zone, fmt=fmt)
        deadline = closing_selectors.calendar_for(month, policy).submission_deadline
        context.update(month=month, nav=_month_nav(month, today), page=page, deadline=deadline,
                       deadline_passed=deadline < today)
    else:
        page, months = closing_selectors.lateness_by_person(today=today, page=page_number, per_page=per_page, team_of=team_of,
                                                 zone=zone, policy=policy)
        if fmt in EXPORT_FORMATS:
            return _export_people(page, months=months, fmt=fmt)
        context.update(page=page, months=months, six_from=months[-closing_selectors.SHORT_WINDOW_MONTHS])
    context["pager"] = _pager(page)
    return render(request, "timesheets/closing/late.html", context)


def _pager(page: closing_selectors.LatePage):
    """A Django Page over the SQL page (its count comes from the same query)."""
    paginator = Paginator(range(page.count), page.per_page)
    return paginator.get_page(page.number)


def _person(member: Membership | None) -> str:
    if member is None:
        return ""
    return member.user.get_full_name() or member.user.email


def _export_month(page: closing_selectors.LatePage, *, month: datetime.date, zone, fmt: str) -> FileResponse:
    columns = [
        exports.Column(_("Consultant")), exports.Column(_("E-mail")), exports.Column(_("Manager")),
        exports.Column(_("Échéance de soumission"), "date"), exports.Column(_("Première soumission"), "date"),
        exports.Column(_("Retard (jours)"), "int"), exports.Column(_("Soumis"), "bool"),
    ]
    rows = [
        [
            _person(row.membership), row.membership.user.email, _person(row.membership.reports_to), row.deadline,
            closing_selectors.local_date(row.first_submitted_at, zone), row.delay_days, row.submitted,
        ]
        for row in page.rows
    ]
    stem = _("retards-cra-%(month)s") % {"month": f"{month:%Y-%m}"}
    return _export(columns, rows, stem=stem, sheet=_("Retards %(month)s") % {"month": f"{month:%m-%Y}"}, fmt=fmt)


def _export_people(page: closing_selectors.LatePage, *, months: list[datetime.date], fmt: str) -> FileResponse:
    columns = [
        exports.Column(_("Consultant")), exports.Column(_("E-mail")), exports.Column(_("Manager")),
        exports.Column(_("Retards sur 6 mois"), "int"), exports.Column(_("Retard médian sur 6 mois (jours)")),
        exports.Column(_("Retards sur 12 mois"), "int"), exports.Column(_("Retard médian sur 12 mois (jours)")),
        exports.Column(_("Retardataire habituel"), "bool"),
    ]
    rows = [
        [
            _person(row.membership), row.membership.user.email, _person(row.membership.reports_to), row.late_6,
            _median(row.median_6), row.late_12, _median(row.median_12), row.habitually_late,
        ]
        for row in page.rows
    ]
    stem = _("retardataires-%(start)s-%(end)s") % {"start": f"{months[0]:%Y-%m}", "end": f"{months[-1]:%Y-%m}"}
    return _export(columns, rows, stem=stem, sheet=_("Retardataires"), fmt=fmt)


def _median(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}".replace(".", ",")


def _export(columns, rows, *, stem: str, sheet: str, fmt: str) -> FileResponse:
    return exports.table_response(columns, rows, stem=stem, sheet=sheet, fmt=fmt)


# --- The month's completion ----------------------------------------------------------------------


@followers
@require_GET
def completion(request, tenant_slug):
    membership = request.membership
    today = timezone.localdate()
    policy = closing_selectors.rules()
    zone = zoneinfo.ZoneInfo(request.tenant.time_zone)
    team_of = _team_of(membership)
    month = first_day(request.GET.get("month"), month_in_close(today, policy))
    if month > month_start(today):
        month = month_start(today)
    show = request.GET.get("show")
    show = show if show in closing_selectors.COMPLETION_FILTERS else "missing"
    figures = closing_selectors.completion(month=month, team_of=team_of, zone=zone)
    manager_id, team = _manager_filter(request.GET.get("manager"), figures, team_of)
    people = closing_selectors.completion_people(month=month, show=show, team_of=team_of, manager_id=manager_id, zone=zone)
    paginator = Paginator(people, PER_PAGE)
    # The count comes from the figures already computed (no COUNT query).
    paginator.count = _filtered_count(team or figures.total, show)
    page = paginator.get_page(request.GET.get("page"))
    row = closing_selectors.calendar_for(month, policy)
    context = {
        "month": month,
        "nav": _month_nav(month, today),
        "figures": figures,
        "line": team or figures.total,
        "team": team,
        "team_of": team_of,
        "show": show,
        "manager_param": request.GET.get("manager", ""),
        "page": page,
        "calendar_row": row,
        "today": today,
        "can_remind": membership.role in ADV_ROLES,
        "filters": [
            ("missing", _("Non soumis")), ("pending_approval", _("À valider")),
            ("pending_client", _("Validation client attendue")), ("all", _("Tous")),
        ],
    }
    template = "timesheets/closing/_completion_people.html" if is_partial(request) else "timesheets/closing/completion.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _manager_filter(value: str | None, figures: closing_selectors.Completion, team_of):
    """A team of the figures ("none": the consultants without a manager); anything else, such as
    another firm's manager, answers 404."""
    if not value or team_of is not None:
        return None, None
    if value == "none":
        team = next((line for line in figures.teams if line.manager_id is None), None)
        return "none", team or closing_selectors.CompletionLine()
    try:
        wanted = uuid.UUID(value)
    except ValueError:
        raise Http404(_("Ce manager n'existe pas."))
    team = next((line for line in figures.teams if line.manager_id == wanted), None)
    if team is None:
        raise Http404(_("Ce manager n'existe pas."))
    return wanted, team


def _filtered_count(line: closing_selectors.CompletionLine, show: str) -> int:
    return {"missing": line.missing, "pending_approval": line.pending_approval, "pending_client": line.pending_client}.get(show, line.expected)


# --- Dashboard card ------------------------------------------------------------------------------


def dashboard_card(membership: Membership, *, today: datetime.date | None = None) -> dict:
    """The closing calendar of the month for the dashboard: its deadlines and, for the member,
    where they stand (their own timesheet; the completion for those who follow the close)."""
    today = today or timezone.localdate()
    policy = closing_selectors.rules()
    month = month_in_close(today, policy)
    row = closing_selectors.calendar_for(month, policy)
    proposed = cal.propose_deadlines(month, policy)
    deadlines = [
        Deadline(key=key, label=str(label), marker=marker, css=css, day=getattr(row, key),
                 days_left=(getattr(row, key) - today).days, proposed=proposed[key])
        for key, label, marker, css in DEADLINES
    ]
    card = {"month": month, "deadlines": deadlines, "next": next((d for d in deadlines if not d.passed), None)}
    own = Timesheet.objects.filter(consultant=membership, month=month).values_list("status", flat=True).first()
    if own or membership.role == Role.CONSULTANT:
        card["own_status"] = own or "missing"
        if own not in (TimesheetStatus.SUBMITTED, TimesheetStatus.APPROVED) and today > row.submission_deadline:
            card["own_late_days"] = (today - row.submission_deadline).days
    if membership.role in CLOSE_FOLLOWERS:
        card["completion"] = closing_selectors.completion(month=month, team_of=_team_of(membership)).total
    card["reminders_sent"] = (
        reminders.sent_count(month) if membership.role in ADV_ROLES else None
    )
    return card
