"""Celery entry points of the notifications core. Thin: each calls a service.

- `deliver_email(tenant_id, email_id)`: dispatched after the commit that wrote the outbox row.
- `outbox_sweep()` (beat, every minute): re-dispatches due pending emails of every active
  tenant, so that a broker outage at commit time or a retry due later loses nothing.
- `daily_digest_all()` (beat, hourly): one `daily_digest(tenant_id)` per active tenant, which
  sends each member's digest once per local day, after the digest hour.
"""

from __future__ import annotations

from celery import shared_task

from adv.tenancy.tasks import DEFAULT_TASK_OPTIONS, fan_out, for_each_active_tenant, tenant_task

from . import services


@shared_task(**DEFAULT_TASK_OPTIONS)
def deliver_email(tenant_id, email_id) -> str:
    # Not a tenant_task: the service commits its claim before sending (at most once), so it
    # enters the firm's context itself, once per step.
    return services.outbox_email_deliver(tenant_id=tenant_id, email_id=email_id)


@shared_task(acks_late=True)
def outbox_sweep() -> int:
    return sum(for_each_active_tenant(services.outbox_redispatch_due))


@tenant_task()
def daily_digest(tenant_id) -> int:
    return services.digest_send_due()


@shared_task(acks_late=True)
def daily_digest_all() -> int:
    return fan_out(daily_digest)
