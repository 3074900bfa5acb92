"""What the hourly task runs for one firm: calendars, announcements, reminders, escalations."""


from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone

from .announcements import announce_calendar_changes, announce_calendars
from .automatic import APPROVAL_TRACK, SUBMISSION_TRACK, send_reminders
from .context import current_tenant
from .recording import RunReport
from .schedule import months_in_play

# Local hour (the firm's time zone) from which the day's reminders go out.
REMINDER_HOUR = getattr(settings, "TIMESHEETS_REMINDER_HOUR", 8)


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today in the active firm's time zone."""
    return timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(current_tenant().time_zone)).date()


def run_due(*, now: datetime.datetime | None = None, ignore_hour: bool = False) -> RunReport:
    """What the hourly task runs for one firm: ensure this month's and last month's calendars,
    announce (and re-announce what changed), remind, escalate. Nothing before REMINDER_HOUR
    (the firm's local time)."""
    from ..services import closing_calendar_ensure

    now = now or timezone.now()
    tenant = current_tenant()
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


