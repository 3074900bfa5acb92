"""Pre-invoices blocked over time: billing keeps a pre-invoice's checks only as they stand now, so
each day a beat task (reporting/tasks.py) counts the firm's blocked pre-invoices per billed month
and reason and stores the counts (`BlockedSnapshot`); the close page charts them day by day
(`reporting.selectors.close.blocked_over_time`)."""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from adv.tenancy.context import require_tenant_id

from .models import BlockedSnapshot

_COUNT_SQL = """
SELECT i.month, c->>'code', COUNT(DISTINCT i.id)
FROM billing_invoice i CROSS JOIN LATERAL jsonb_array_elements(i.checks) c
WHERE i.status = 'draft' AND i.kind = 'invoice' AND i.readiness = 'blocked' AND c->>'level' = 'blocked'
GROUP BY 1, 2
"""


@transaction.atomic
def blocked_snapshot_take(day: datetime.date) -> int:
    """Store today's counts of the current firm (row-level security keeps it to the firm); taken
    again the same day, it replaces them. Returns how many rows were stored."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL)
        rows = cursor.fetchall()
    tenant_id = require_tenant_id()
    BlockedSnapshot.objects.filter(day=day).delete()
    BlockedSnapshot.objects.bulk_create([
        BlockedSnapshot(tenant_id=tenant_id, day=day, month=month, code=code or "other", count=count)
        for month, code, count in rows
    ])
    return len(rows)
