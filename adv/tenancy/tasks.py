"""Celery tasks that act for one tenant receive its id and enter its context themselves."""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from celery import shared_task
from django.utils import timezone

from .context import tenant_context
from .models import Tenant

T = TypeVar("T")
logger = logging.getLogger(__name__)

# Retries with exponential backoff and jitter, a bounded count, acks after success.
DEFAULT_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@contextmanager
def tenant_scope(tenant_id) -> Iterator[None]:
    """The tenant's context and its time zone: `timezone.localdate()` is the firm's today."""
    with tenant_context(tenant_id) as active_id:
        time_zone = Tenant.objects.filter(pk=active_id).values_list("time_zone", flat=True).first()
        with timezone.override(time_zone):
            yield


def tenant_task(**options):
    """`@tenant_task()` on `def f(tenant_id, ...)`: runs `f` inside the tenant's context and
    time zone (`tenant_scope`); both are left in `finally`, even when `f` raises."""

    def decorator(func):
        if options.get("bind"):
            # Bound tasks receive the task first: `def f(self, tenant_id, ...)`.
            @functools.wraps(func)
            def run_in_tenant(task, tenant_id, *args, **kwargs):
                with tenant_scope(tenant_id):
                    return func(task, tenant_id, *args, **kwargs)
        else:
            @functools.wraps(func)
            def run_in_tenant(tenant_id, *args, **kwargs):
                with tenant_scope(tenant_id):
                    return func(tenant_id, *args, **kwargs)

        return shared_task(**{**DEFAULT_TASK_OPTIONS, **options})(run_in_tenant)

    return decorator


def active_tenant_ids() -> list[str]:
    """Every active firm, in a fixed order. Tenants are not tenant-owned rows: listing them
    crosses no isolation boundary."""
    return [str(pk) for pk in Tenant.objects.filter(is_active=True).order_by("id").values_list("pk", flat=True)]


def fan_out(task) -> int:
    """Queue the per-firm `task(tenant_id)` (a `@tenant_task`) once for every active firm, so that
    one firm's failure or retries never hold back another's; returns how many were queued."""
    tenant_ids = active_tenant_ids()
    for tenant_id in tenant_ids:
        task.delay(tenant_id)
    return len(tenant_ids)


def for_each_active_tenant(func: Callable[[], T]) -> list[T]:
    """Run `func()` in this process inside each active firm's context and time zone (for short
    sweeps not worth a task per firm). A firm whose run fails is logged and skipped: one firm's
    problem must not stop the others."""
    results = []
    for tenant_id in active_tenant_ids():
        try:
            with tenant_scope(tenant_id):
                results.append(func())
        except Exception:  # logged, and the next firm runs
            logger.exception("%s failed for tenant %s", getattr(func, "__name__", func), tenant_id)
    return results


def jittered(seconds: float) -> float:
    return seconds * (0.8 + random.random() * 0.4)
