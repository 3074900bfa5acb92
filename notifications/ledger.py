"""The reminder ledger's one way in: claim a step before sending it.

`claim()` inserts the `ReminderSent` row with INSERT … ON CONFLICT DO NOTHING RETURNING under the
(tenant, kind, subject, step, recipient) constraint and tells whether this call inserted it. A
concurrent transaction inserting the same key waits for the first to end, then inserts nothing:
exactly one caller wins, without a savepoint and without catching errors (a real error, such as a
missing recipient, is raised as it should be). It runs in the caller's transaction, so the row and
the message it guards commit or roll back together. (The ORM's `bulk_create(ignore_conflicts=True)`
cannot say which rows it inserted, hence the SQL.)
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from adv.tenancy.context import require_tenant_id

from .models import ReminderSent

_INSERT = f"""
    INSERT INTO {ReminderSent._meta.db_table}
        (id, tenant_id, created_at, updated_at, kind, subject, step, recipient_id, sent_at, sent_by_id,
         template_key, details)
    SELECT gen_random_uuid(), %s, %s, %s, %s, %s, %s, person, %s, %s, %s, %s::jsonb
    FROM unnest(%s::uuid[]) AS person
    ON CONFLICT (tenant_id, kind, subject, step, recipient_id) DO NOTHING
    RETURNING recipient_id
"""


def _pk(value) -> uuid.UUID:
    return uuid.UUID(str(getattr(value, "pk", value)))


def claim_many(
    *,
    kind: str,
    step: str,
    recipients: Iterable,
    subject: str = "",
    sent_by=None,
    template_key: str = "",
    details=None,
    now: datetime.datetime | None = None,
) -> set[uuid.UUID]:
    """Claim (kind, subject, step) for each recipient (memberships or their ids); return the ids
    of those claimed by this call: the others had it already, or a concurrent call won it."""
    ids = sorted({_pk(r) for r in recipients}, key=str)  # a fixed order: no deadlock between two claims
    if not ids:
        return set()
    if not kind or not step:
        raise ValueError("A reminder claim needs a kind and a step.")
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT,
            [
                require_tenant_id(), now, now, kind, subject, step, now,
                _pk(sent_by) if sent_by is not None else None, template_key,
                json.dumps(details if details is not None else []), ids,
            ],
        )
        return {row[0] for row in cursor.fetchall()}


def claim(*, kind: str, step: str, recipient, subject: str = "", **fields) -> bool:
    """True when this call recorded the step for `recipient` (and so must send it), False when it
    was recorded already."""
    return bool(claim_many(kind=kind, step=step, recipients=[recipient], subject=subject, **fields))
