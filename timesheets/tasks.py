"""Periodic work of the month-end close (beat, hourly): announce the closing calendar, remind
consultants and managers, escalate. Thin: the schedule and the idempotence live in
`timesheets.reminders` (each step is a Reminder row inserted under a unique constraint).
"""

from __future__ import annotations

from celery import shared_task

from adv.tenancy.models import Tenant
from adv.tenancy.tasks import tenant_task


@shared_task(acks_late=True)
def closing_reminders_all() -> int:
    """Fan out to one task per active firm."""
    # Tenants are not tenant-owned rows: listing them crosses no isolation boundary.
    tenant_ids = [str(pk) for pk in Tenant.objects.filter(is_active=True).order_by("id").values_list("pk", flat=True)]
    for tenant_id in tenant_ids:
        closing_reminders.delay(tenant_id)
    return len(tenant_ids)


@tenant_task()
def closing_reminders(tenant_id) -> dict:
    from .reminders import run_due

    return run_due().as_dict()


@tenant_task()
def closing_calendar_changes(tenant_id) -> dict:
    """Dispatched after ADV edits an announced calendar: re-announce what changed, at once."""
    from .reminders import announce_calendar_changes, local_today

    return announce_calendar_changes(today=local_today()).as_dict()
