"""Background work of reporting: the monthly management report (beat), and the expected amounts
of months nobody opened in billing yet.

Billing stores each month's expected amounts (`billing.MonthExpected`) when its month summary or
cockpit is viewed or a run ends; a revenue chart over 12 months meets months that were never
stored. The page shows them as "being computed" and queues this task, which stores them through
billing's own computation (billing/figures.py)."""

from __future__ import annotations

import datetime

from celery import shared_task

from adv.tenancy.tasks import fan_out, tenant_task
from billing import figures
from billing.models import Invoice, MonthExpected


@tenant_task()
def expected_fill(tenant_id, months: list[str]) -> int:
    done = 0
    for value in months:
        month = datetime.date.fromisoformat(value)
        if MonthExpected.objects.filter(month=month).exists():
            continue
        stamp = Invoice.objects.filter(month=month).aggregate(**figures.INVOICE_STAMP)
        figures.expected_store(month, figures.fingerprint(stamp, month))
        done += 1
    return done


@shared_task(acks_late=True)
def monthly_reports_all() -> int:
    """Beat (the 5th of the month, 8:00 Paris): last month's report, once per firm."""
    return fan_out(monthly_report)


@tenant_task()
def monthly_report(tenant_id) -> int:
    from django.utils import timezone

    from .report import previous_month
    from .services import monthly_report_send

    return monthly_report_send(month=previous_month(timezone.localdate()))


@shared_task(acks_late=True)
def blocked_snapshots_all() -> int:
    """Beat (every evening): each firm's blocked pre-invoices of the day (reporting/snapshots.py)."""
    return fan_out(blocked_snapshot)


@tenant_task()
def blocked_snapshot(tenant_id) -> int:
    from django.utils import timezone

    from .snapshots import blocked_snapshot_take

    return blocked_snapshot_take(timezone.localdate())
