"""Celery entry points of webhooks. Thin: each calls a service.

- `deliver(tenant_id, delivery_id)`: queued after the commit that wrote the delivery, and for a
  retry due soon; a delivery not due or already handled is left alone (idempotent).
- `sweep()` (beat, every minute): in every active firm, queues the deliveries due (retries, and
  what a broker outage dropped) and revives those a dead worker left `sending`.
"""

from __future__ import annotations

from celery import shared_task

from adv.tenancy.tasks import for_each_active_tenant

from . import services


# Not a tenant_task: the service enters the firm's context itself, once per step (claim, outcome),
# and never holds a transaction while the request is out. No autoretry: retries are the
# delivery's own schedule (next_attempt_at), picked up by the sweep.
@shared_task(acks_late=True)
def deliver(tenant_id, delivery_id) -> str:
    return services.delivery_attempt(tenant_id=tenant_id, delivery_id=delivery_id)


@shared_task(acks_late=True)
def sweep() -> int:
    return sum(for_each_active_tenant(services.deliveries_redispatch_due))
