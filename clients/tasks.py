"""Celery entry points of the clients app. Thin: each calls a service.

- `missing_documents_weekly_digest_all()` (beat, Monday 07:00 Europe/Paris): one
  `missing_documents_weekly_digest(tenant_id)` per active tenant, which sends each owner / ADV
  the list of the client documents they still owe, once per ISO week (idempotent: a retry or a
  second run in the same week sends nothing more).
"""

from __future__ import annotations

import logging

from celery import shared_task

from adv.tenancy.models import Tenant
from adv.tenancy.tasks import tenant_task

from . import reminders
from .requirements import tenant_today

logger = logging.getLogger(__name__)


def _active_tenant_ids() -> list:
    # Tenants are not tenant-owned rows: listing them crosses no isolation boundary.
    return list(Tenant.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


@tenant_task()
def missing_documents_weekly_digest(tenant_id) -> int:
    tenant = Tenant.objects.get(pk=tenant_id)
    return reminders.weekly_digest_send(today=tenant_today(tenant))


@shared_task(acks_late=True)
def missing_documents_weekly_digest_all() -> int:
    tenant_ids = _active_tenant_ids()
    for tenant_id in tenant_ids:
        missing_documents_weekly_digest.apply_async(args=[str(tenant_id)])
    return len(tenant_ids)
