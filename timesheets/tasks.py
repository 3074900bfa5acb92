"""Periodic work of the month-end close (beat, hourly): announce the closing calendar, remind
consultants and managers, escalate. Thin: the schedule and the idempotence live in
`timesheets.reminders` (each step is a Reminder row inserted under a unique constraint).
"""

from __future__ import annotations

from celery import shared_task

from adv.tenancy.tasks import fan_out, tenant_task

from .reminders import announce_calendar_changes, local_today, run_due


@shared_task(acks_late=True)
def closing_reminders_all() -> int:
    """Fan out to one task per active firm."""
    return fan_out(closing_reminders)


@tenant_task()
def closing_reminders(tenant_id) -> dict:
    return run_due().as_dict()


@tenant_task()
def closing_calendar_changes(tenant_id) -> dict:
    """Dispatched after ADV edits an announced calendar: re-announce what changed, at once."""
    return announce_calendar_changes(today=local_today()).as_dict()
