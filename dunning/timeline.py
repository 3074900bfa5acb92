"""An invoice's dunning history, one timeline: every reminder sent, every pause and dispute (opened,
lifted), every payment promise (noted, kept or broken), newest first, with who did it.

Reminders are not tracked by the history engine (they are written once, never changed), so the
timeline is read from the dunning rows the invoice block loads anyway: no query of its own."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import DunningPause, PauseKind, PaymentPromise, PromiseStatus, Reminder


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime.datetime
    kind: str  # reminder | dispute | dispute_end | pause | pause_end | promise | promise_kept | promise_broken
    title: str
    detail: str = ""
    by: str = ""
    reminder: Reminder | None = None  # the reminder itself (its penalties, its email's status)


def _name(member) -> str:
    return str(member) if member is not None else ""


def _reminder(reminder: Reminder) -> TimelineEvent:
    by = _name(reminder.sent_by) if reminder.sent_by_id else _("automatique")
    return TimelineEvent(
        reminder.sent_at, "reminder", _("Relance envoyée : %(tone)s") % {"tone": reminder.get_tone_display().lower()},
        ", ".join(reminder.to), by, reminder,
    )


def _pause(pause: DunningPause) -> list[TimelineEvent]:
    dispute = pause.kind == PauseKind.DISPUTE
    if dispute:
        title = _("Litige ouvert (%(source)s)") % {"source": pause.get_source_display().lower()}
    elif pause.until:
        title = _("Relances en pause jusqu'au %(day)s") % {"day": pause.until.strftime("%d/%m/%Y")}
    else:
        title = _("Relances en pause")
    events = [TimelineEvent(pause.created_at, "dispute" if dispute else "pause", title, pause.reason, _name(pause.created_by))]
    if pause.ended_at is not None:
        events.append(TimelineEvent(
            pause.ended_at, "dispute_end" if dispute else "pause_end",
            _("Litige clos : les relances reprennent") if dispute else _("Relances reprises"), "", _name(pause.ended_by),
        ))
    return events


def _promise(promise: PaymentPromise, money) -> list[TimelineEvent]:
    events = [TimelineEvent(
        promise.created_at, "promise",
        _("Promesse de paiement notée : %(amount)s au plus tard le %(day)s")
        % {"amount": money(promise.amount), "day": promise.promised_on.strftime("%d/%m/%Y")},
        promise.note, _name(promise.noted_by),
    )]
    if promise.status != PromiseStatus.PENDING and promise.checked_at is not None:
        kept = promise.status == PromiseStatus.KEPT
        events.append(TimelineEvent(
            promise.checked_at, "promise_kept" if kept else "promise_broken",
            _("Promesse tenue") if kept else _("Promesse non tenue : les relances reprennent"),
        ))
    return events


def timeline(
    *, reminders: Iterable[Reminder], pauses: Iterable[DunningPause], promises: Iterable[PaymentPromise], money=str
) -> list[TimelineEvent]:
    """The events of these rows, newest first (`money` formats an amount)."""
    events = [_reminder(reminder) for reminder in reminders]
    for pause in pauses:
        events.extend(_pause(pause))
    for promise in promises:
        events.extend(_promise(promise, money))
    return sorted(events, key=lambda event: event.when, reverse=True)
