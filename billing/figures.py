"""The month's expected billing (approved time, due milestones, subscriptions due), stored per month
(`MonthExpected`) instead of recomputed by every view of the cockpit and the month summary.

Kept fresh two ways: the floors' `*_billing_changed` signals and the end of a billing run queue
`tasks.refresh_month_expected` (billing/refresh.py, billing/runs.py), which marks the stored months
stale and recomputes them; and each view compares the stored `fingerprint` with the month's live
one (issued invoices, credit notes, the month's timesheets: read by queries the view runs anyway,
plus one on the timesheets' index) and recomputes once when they differ, e.g. after an issuance or
a timesheet approval, which send no signal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from adv.tenancy.context import require_tenant_id
from deals.models import DealType, Milestone, MilestoneStatus, Subscription
from timesheets.models import Timesheet, TimesheetEntry, TimesheetLine, TimesheetStatus

from .build import month_bounds
from .models import Invoice, InvoiceKind, MonthExpected

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
# Months recomputed eagerly by the refresh task (the ones being closed); older stored months are
# only marked stale and recomputed by their next view.
EAGER_MONTHS = 3


def timesheet_stamp(month: datetime.date) -> str:
    """What changes when the month's timesheets do (approval, reopening, a new one): one query on
    the (tenant, month, status) index."""
    row = Timesheet.objects.filter(month=month).aggregate(
        approved=Count("id", filter=Q(status=TimesheetStatus.APPROVED)), changed=Max("updated_at")
    )
    changed = row["changed"].isoformat() if row["changed"] else "-"
    return f"{row['approved']}@{changed}"


def expected_time(month: datetime.date) -> Decimal:
    """Approved T&M days × the assignment's rate. The month's approved timesheets are found first
    (index), then their lines, then each line's entries summed: PostgreSQL never walks other
    months' lines (the join version filtered the month last, 150–215 ms at 2,000 consultants)."""
    approved = Timesheet.objects.filter(month=month, status=TimesheetStatus.APPROVED).values("id")
    days = (
        TimesheetEntry.objects.filter(line_id=OuterRef("pk"))
        .order_by()
        .values("line_id")
        .annotate(days=Sum("quantity"))
        .values("days")
    )
    return (
        TimesheetLine.objects.filter(timesheet_id__in=approved, assignment__deal__deal_type=DealType.T_AND_M)
        .annotate(days=Subquery(days, output_field=MONEY))
        .aggregate(total=Coalesce(Sum(F("days") * F("assignment__daily_rate"), output_field=MONEY), ZERO))["total"]
    )


def expected_compute(month: datetime.date) -> dict:
    """The three expected amounts. What issued invoices already billed left the "due" lists: it is
    added back, so that issuing does not change what was expected."""
    start, end = month_bounds(month)
    milestones = (
        Milestone.objects.filter(deal__deal_type=DealType.FIXED_PRICE)
        .filter(
            Q(due_date__range=(start, end))
            | Q(event_occurred_on__range=(start, end))
            | Q(status__in=[MilestoneStatus.DUE, MilestoneStatus.READY, MilestoneStatus.BLOCKED], due_date__lt=start)
        )
        .aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    )
    subscriptions = Subscription.objects.filter(
        is_active=True, deal__deal_type=DealType.SUBSCRIPTION, next_billing_date__lte=end
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    billed = Invoice.objects.filter(month=month, kind=InvoiceKind.INVOICE, number__isnull=False).aggregate(
        milestones=Coalesce(Sum("lines__net_amount", filter=Q(lines__milestone__isnull=False)), ZERO),
        subscriptions=Coalesce(Sum("lines__net_amount", filter=Q(lines__subscription__isnull=False)), ZERO),
    )
    return {
        "expected_time": expected_time(month),
        "expected_milestones": milestones + billed["milestones"],
        "expected_subscriptions": subscriptions + billed["subscriptions"],
    }


def expected_store(month: datetime.date, fingerprint: str) -> MonthExpected:
    """Compute and store (upsert: two concurrent views both write the same values)."""
    row = MonthExpected(
        tenant_id=require_tenant_id(),
        month=month,
        fingerprint=fingerprint,
        stale=False,
        computed_at=timezone.now(),
        **expected_compute(month),
    )
    MonthExpected.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=["tenant", "month"],
        update_fields=[
            "expected_time", "expected_milestones", "expected_subscriptions", "fingerprint", "stale",
            "computed_at", "updated_at",
        ],
    )
    return row


def expected_for(month: datetime.date, fingerprint: str) -> MonthExpected:
    """The stored row if still true, else recomputed once and stored."""
    stored = MonthExpected.objects.filter(month=month).first()
    if stored is None or stored.stale or stored.fingerprint != fingerprint:
        stored = expected_store(month, fingerprint)
    return stored


INVOICE_STAMP = {
    "stamp_issued": Count("id", filter=Q(kind=InvoiceKind.INVOICE, number__isnull=False)),
    "stamp_billed": Coalesce(Sum("total_net", filter=Q(kind=InvoiceKind.INVOICE, number__isnull=False)), ZERO),
    "stamp_credits": Count("id", filter=Q(kind=InvoiceKind.CREDIT_NOTE)),
    "stamp_credited": Coalesce(Sum("total_net", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), ZERO),
}


def fingerprint(invoice_row: dict, month: datetime.date) -> str:
    """The month's live fingerprint, from an aggregate that included INVOICE_STAMP."""
    return ":".join(str(invoice_row[k]) for k in INVOICE_STAMP) + "|" + timesheet_stamp(month)


def months_refresh(months: list[datetime.date] | None = None) -> int:
    """Mark the stored months stale (all of them when `months` is None: a deal's milestones or
    subscriptions may count in any month), then recompute the recent ones. Returns how many."""
    stored = MonthExpected.objects.all()
    if months is not None:
        stored = stored.filter(month__in=months)
    stored.update(stale=True, updated_at=timezone.now())
    first = timezone.localdate().replace(day=1)
    horizon = (first - datetime.timedelta(days=31 * (EAGER_MONTHS - 1))).replace(day=1)
    recent = MonthExpected.objects.filter(stale=True, month__gte=horizon).order_by("month")
    if months is not None:
        recent = MonthExpected.objects.filter(stale=True, month__in=months).order_by("month")
    done = 0
    for month in list(recent.values_list("month", flat=True)):
        expected_store(month, fingerprint(Invoice.objects.filter(month=month).aggregate(**INVOICE_STAMP), month))
        done += 1
    return done
