"""A database or Redis that cannot be reached is told in one paragraph, not in a traceback.

`manage.py` runs every command inside `explain_unreachable_services()`: a connection failure to
PostgreSQL or Redis becomes a message that names the server, the setting that points to it and
how to fix it, and the command exits with status 1. Every other error keeps its traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _database_hint() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return "DATABASE_URL is not set and the embedded PostgreSQL did not answer; see var/pgdata/log."
    return (
        f"DATABASE_URL={_without_password(url)}\n"
        "Start that PostgreSQL server (and create the database), fix DATABASE_URL, or unset it to use the embedded PostgreSQL."
    )


def _redis_hint() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return (
            "REDIS_URL is not set: the embedded Redis runs only while `make run` (or `make test`) runs.\n"
            "Start `make run` in another terminal, or set REDIS_URL=redis://HOST:6379/0."
        )
    return f"REDIS_URL={_without_password(url)}\nStart that Redis server, fix REDIS_URL, or unset it to use the embedded Redis."


def _raised_while_connecting(exc: BaseException) -> bool:
    return any(frame.f_code.co_name == "get_new_connection" for frame, _line in traceback.walk_tb(exc.__traceback__))


def describe(exc: BaseException) -> str | None:
    """The message for a connection failure to PostgreSQL or Redis; None for any other error."""
    import psycopg
    import redis
    from django.db import utils as db_utils

    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, db_utils.OperationalError) and isinstance(cause, psycopg.OperationalError):
        # Connection refused, unknown host, bad password, missing database: raised while connecting.
        if _raised_while_connecting(exc):
            return f"adv: cannot reach PostgreSQL: {str(exc).strip()}\n{_database_hint()}"
    if isinstance(exc, redis.ConnectionError) or isinstance(cause, redis.ConnectionError):
        return f"adv: cannot reach Redis: {str(exc).strip()}\n{_redis_hint()}"
    try:
        from kombu.exceptions import OperationalError as BrokerError
    except ImportError:  # pragma: no cover - kombu comes with celery
        return None
    if isinstance(exc, BrokerError):
        return f"adv: cannot reach the Celery broker (Redis): {str(exc).strip()}\n{_redis_hint()}"
    return None


@contextmanager
def explain_unreachable_services() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        message = describe(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        raise SystemExit(1) from None
