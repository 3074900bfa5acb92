"""Celery entry points of collections: beat runs `dunning_all`, which queues one `dunning_run` per
active firm (adv/tenancy/tasks.py); each checks the promises due and sends the reminders due, in
the firm's context and time zone."""

from __future__ import annotations

from celery import shared_task

from adv.tenancy.tasks import fan_out, tenant_task

from . import services


@tenant_task()
def dunning_run(tenant_id) -> int:
    return services.reminders_send_due()


@shared_task
def dunning_all() -> int:
    return fan_out(dunning_run)
