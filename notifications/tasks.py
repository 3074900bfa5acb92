"""Celery entry points of the notifications core. Thin: each calls a service.

- `deliver_email(tenant_id, email_id)`: dispatched after the commit that wrote the outbox row.
- `outbox_sweep()` (beat, every minute): re-dispatches due pending emails of every active
  tenant, so that a broker outage at commit time or a retry due later loses nothing.
- `daily_digest_all()` (beat, hourly): one `daily_digest(tenant_id)` per active tenant, which
  sends each member's digest once per local day, after the digest hour.
"""

from __future__ import annotations

import logging

from celery import shared_task

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from adv.tenancy.tasks import DEFAULT_TASK_OPTIONS, tenant_task

from . import services

logger = logging.getLogger(__name__)


def _active_tenant_ids() -> list:
    # Tenants are not tenant-owned rows: listing them crosses no isolation boundary.
    return list(Tenant.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


@shared_task(**DEFAULT_TASK_OPTIONS)
def deliver_email(tenant_id, email_id) -> str:
    # Not a tenant_task: the service commits its claim before sending (at most once), so it
    # enters the firm's context itself, once per step.
    return services.outbox_email_deliver(tenant_id=tenant_id, email_id=email_id)


@shared_task(acks_late=True)
def outbox_sweep() -> int:
    dispatched = 0
    for tenant_id in _active_tenant_ids():
        try:
            with tenant_context(tenant_id):
                dispatched += services.outbox_redispatch_due()
        except Exception:  # noqa: BLE001 - one tenant's problem must not stop the others
            logger.exception("Outbox sweep failed for tenant %s", tenant_id)
    return dispatched


@tenant_task()
def daily_digest(tenant_id) -> int:
    return services.digest_send_due()


@shared_task(acks_late=True)
def daily_digest_all() -> int:
    tenant_ids = _active_tenant_ids()
    for tenant_id in tenant_ids:
        daily_digest.apply_async(args=[str(tenant_id)])
    return len(tenant_ids)
