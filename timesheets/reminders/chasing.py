"""A reminder is also a chase in the timesheet's own thread (the chat, issue 14): like the deals'
and the pre-invoices' "Relancer", it sends `notifications.signals.chase_sent` for each timesheet it
is about, and the chat posts it there mentioning the person reminded, who answers in the thread.

- a consultant whose month is not submitted: their timesheet of the month (nothing when they have
  not started it: there is no thread to post in; the notification alone goes);
- an approver: each submitted timesheet of their team waiting for them.

The chat marks the chase resolved when the timesheet is approved (`timesheet_approved`).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from adv.tenancy.models import Membership
from notifications.signals import chase_sent

from ..models import ReminderKind, Timesheet, TimesheetStatus
from .context import format_day, format_month

CHASE_CODES = {ReminderKind.SUBMISSION: "timesheet_submission", ReminderKind.APPROVAL: "timesheet_approval"}


def chase_in_threads(
    person: Membership, *, kind: str, month: datetime.date, deadline: datetime.date, concerned=(), actor: Membership | None = None,
) -> int:
    """Send the chase of `person` for each timesheet of `month` the reminder is about (one query);
    returns how many. `actor` None: a scheduled reminder."""
    if kind == ReminderKind.SUBMISSION:
        timesheets = Timesheet.objects.filter(month=month, consultant=person, status=TimesheetStatus.DRAFT)
        text = _("CRA de %(month)s à soumettre (échéance : %(deadline)s).")
    elif kind == ReminderKind.APPROVAL:
        timesheets = Timesheet.objects.filter(month=month, consultant__in=[c.pk for c in concerned], status=TimesheetStatus.SUBMITTED)
        text = _("CRA de %(month)s à valider (échéance : %(deadline)s).")
    else:
        return 0
    text = text % {"month": format_month(month), "deadline": format_day(deadline)}
    ids = list(timesheets.order_by("consultant_id").values_list("id", flat=True))
    for timesheet_id in ids:
        chase_sent.send(
            sender=Timesheet, object_type="timesheet", object_id=str(timesheet_id), responsible_ids=[str(person.pk)],
            actor_id=str(actor.pk) if actor is not None else None, text=str(text), code=CHASE_CODES[kind],
        )
    return len(ids)
