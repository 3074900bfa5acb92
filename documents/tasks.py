"""Celery entry points of the documents app. Thin: each calls a service.

- `missing_documents_weekly_digest_all()` (beat, Monday 07:00 Europe/Paris): one
  `missing_documents_weekly_digest(tenant_id)` per active tenant, which sends each owner / ADV
  the list of the client documents they still owe, once per ISO week (idempotent: a retry or a
  second run in the same week sends nothing more).
"""

from __future__ import annotations

import logging

from celery import shared_task

from adv.tenancy.models import Tenant
from adv.tenancy.tasks import fan_out, tenant_task

from . import reminders
from .requirements import tenant_today

logger = logging.getLogger(__name__)


@tenant_task()
def missing_documents_weekly_digest(tenant_id) -> int:
    tenant = Tenant.objects.get(pk=tenant_id)
    return reminders.weekly_digest_send(today=tenant_today(tenant))


@shared_task(acks_late=True)
def missing_documents_weekly_digest_all() -> int:
    return fan_out(missing_documents_weekly_digest)
