"""Celery tasks that act for one tenant receive its id and enter its context themselves."""

from __future__ import annotations

import functools
import random

from celery import shared_task

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


def tenant_task(**options):
    """`@tenant_task()` on `def f(tenant_id, ...)`: runs `f` inside `tenant_context(tenant_id)`."""

    def decorator(func):
        if options.get("bind"):
            # Bound tasks receive the task first: `def f(self, tenant_id, ...)`.
            @functools.wraps(func)
            def run_in_tenant(task, tenant_id, *args, **kwargs):
                with tenant_context(tenant_id):
                    return func(task, tenant_id, *args, **kwargs)
        else:
            @functools.wraps(func)
            def run_in_tenant(tenant_id, *args, **kwargs):
                with tenant_context(tenant_id):
                    return func(tenant_id, *args, **kwargs)

        return shared_task(**{**DEFAULT_TASK_OPTIONS, **options})(run_in_tenant)

    return decorator


def jittered(seconds: float) -> float:
    return seconds * (0.8 + random.random() * 0.4)
