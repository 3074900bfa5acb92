"""Handing a task to the broker (Redis) once the writing transaction has committed.

When the broker is unreachable the action the person took is already committed: raising then would
answer an error (a 500, or a 503 that invites a retry) for something that happened, and a client
that retries would do it twice. So the dispatch is tried once, without Celery's publish retries (a
request does not wait on a dead broker), and a failure is logged with a metric, never raised. The
work is not lost: each caller names what picks it up again (a sweep, `resume`, the next refresh).
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def send_task(task, *args, recovery: str) -> bool:
    """Queue `task(*args)` now; False (logged) if the broker cannot take it."""
    try:
        task.apply_async(args=list(args), retry=False)
    except Exception:  # kombu, redis and socket errors alike: the broker is away
        logger.warning(
            "Broker unreachable: %s not queued (%s)",
            task.name,
            recovery,
            exc_info=True,
            extra={"metric": "task_dispatch_failed"},
        )
        return False
    return True


def send_task_on_commit(task, *args, recovery: str) -> None:
    """Queue `task(*args)` after the current transaction commits (nothing if it rolls back)."""
    transaction.on_commit(partial(send_task, task, *args, recovery=recovery))
