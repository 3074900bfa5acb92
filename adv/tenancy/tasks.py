"""Celery tasks that act for one tenant receive its id and enter its context themselves."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator
from contextlib import contextmanager

from celery import shared_task
from django.utils import timezone

from .context import tenant_context

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
    from .models import Tenant

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


def jittered(seconds: float) -> float:
    return seconds * (0.8 + random.random() * 0.4)
