"""The closing calendar's announcement to everyone who submits or approves, and its re-announcement
when its deadlines change."""


from __future__ import annotations

import datetime
import zoneinfo

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adv.tenancy.models import Membership, Role, Tenant

from .. import calendar as cal
from ..closing import selectors as closing_selectors
from ..messages import (  # the message keys, registered with their default wording
    ANNOUNCEMENT,
    CALENDAR_CHANGE,
)
from ..models import ClosingCalendar, ReminderKind
from .context import closing_url, current_tenant, first_name, format_day, format_month, language_for, send
from .recording import RunReport, claim


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
        with translation.override(language_for(member.user, tenant)):
            context = {"first_name": first_name(member), "month": format_month(row.month)}
            context.update({name: format_day(getattr(row, name)) for name in DEADLINE_FIELDS})
            if changes is not None:
                context["changes"] = "\n".join(
                    _("- %(deadline)s : %(before)s → %(after)s")
                    % {"deadline": DEADLINE_LABELS[name], "before": format_day(old), "after": format_day(new)}
                    for name, (old, new) in changes.items()
                )
        send(member, key=key, context=context, url=url, target=row)
        report.count(counter, member, key, step)


def announce_calendars(
    *, today: datetime.date, now: datetime.datetime | None = None, report: RunReport | None = None,
) -> RunReport:
    """Announce the month's calendar to everyone who submits or approves, once, from
    `announce_days_ahead` days before its submission deadline until the deadline."""
    from ..services import closing_calendar_ensure

    report = report or RunReport()
    tenant = current_tenant()
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
    tenant = current_tenant()
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


