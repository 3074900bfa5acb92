"""Reads of billing: the cockpit, invoice lists, the month's figures, accrued revenue (FAE)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from deals.models import DealType, Milestone, MilestoneStatus, Subscription
from timesheets.models import TimesheetEntry, TimesheetStatus

from .build import month_bounds
from .models import OPEN_STATUSES, Invoice, InvoiceKind, InvoiceStatus, Readiness

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def pre_invoices(month: datetime.date):
    """The cockpit's rows: ready first, then action needed, then blocked; easy ones first in each."""
    order = Case(
        When(readiness=Readiness.READY, then=Value(0)),
        When(readiness=Readiness.ACTION, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE)
        .select_related("client__billing_profile", "deal__sales_owner__user", "purchase_order", "consultant__user")
        .annotate(readiness_order=order, line_count=Count("lines"))
        .order_by("readiness_order", "ease", "client__legal_name", "id")
    )


def issued(kind: str = InvoiceKind.INVOICE):
    return Invoice.objects.filter(kind=kind, number__isnull=False).select_related("client", "deal", "credited_invoice")


def overdue(today: datetime.date):
    return (
        issued()
        .filter(status__in=OPEN_STATUSES, due_date__lt=today)
        .annotate(
            open_balance=ExpressionWrapper(
                F("total_gross") - F("amount_paid") - F("amount_credited"), output_field=MONEY
            )
        )
        .filter(open_balance__gt=0)
        .order_by("due_date", "number")
    )


def to_deposit():
    """Issued invoices and credit notes of clients on an e-invoicing platform, not deposited yet, with how
    to deposit (a credit note goes on the platform like the invoice it credits)."""
    return (
        Invoice.objects.filter(number__isnull=False, deposited_at__isnull=True)
        .exclude(client__billing_profile__einvoicing_platform="none")
        .select_related("client__billing_profile", "deal", "credited_invoice")
        .order_by("issue_date", "number")
    )


@dataclass
class MonthFigures:
    expected_time: Decimal
    expected_milestones: Decimal
    expected_subscriptions: Decimal
    billed: Decimal
    credited: Decimal
    pre_invoiced: Decimal
    counts: dict

    @property
    def expected(self) -> Decimal:
        return self.expected_time + self.expected_milestones + self.expected_subscriptions

    @property
    def net_billed(self) -> Decimal:
        """Invoices less the credit notes of the month."""
        return self.billed - self.credited

    @property
    def remaining(self) -> Decimal:
        return max(self.expected - self.net_billed, ZERO)


def month_figures(month: datetime.date) -> MonthFigures:
    """Billed versus expected for the month (approved time, due milestones, subscriptions due): 6 queries."""
    start, end = month_bounds(month)
    time_value = TimesheetEntry.objects.filter(
        line__timesheet__month=month,
        line__timesheet__status=TimesheetStatus.APPROVED,
        line__assignment__deal__deal_type=DealType.T_AND_M,
    ).aggregate(total=Coalesce(Sum(F("quantity") * F("line__assignment__daily_rate"), output_field=MONEY), ZERO))[
        "total"
    ]
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
        is_active=True,
        deal__deal_type=DealType.SUBSCRIPTION,
        next_billing_date__lte=end,
    ).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    billed_milestones = Invoice.objects.filter(
        month=month,
        kind=InvoiceKind.INVOICE,
        number__isnull=False,
        lines__milestone__isnull=False,
    ).aggregate(total=Coalesce(Sum("lines__net_amount"), ZERO))["total"]
    billed_subscriptions = Invoice.objects.filter(
        month=month,
        kind=InvoiceKind.INVOICE,
        number__isnull=False,
        lines__subscription__isnull=False,
    ).aggregate(total=Coalesce(Sum("lines__net_amount"), ZERO))["total"]
    rows = Invoice.objects.filter(month=month).aggregate(
        billed=Coalesce(Sum("total_net", filter=Q(kind=InvoiceKind.INVOICE, number__isnull=False)), ZERO),
        credited=Coalesce(Sum("total_net", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), ZERO),
        pre_invoiced=Coalesce(Sum("total_net", filter=Q(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE)), ZERO),
        ready=Count("id", filter=Q(status=InvoiceStatus.DRAFT, readiness=Readiness.READY, kind=InvoiceKind.INVOICE)),
        action=Count("id", filter=Q(status=InvoiceStatus.DRAFT, readiness=Readiness.ACTION, kind=InvoiceKind.INVOICE)),
        blocked=Count(
            "id", filter=Q(status=InvoiceStatus.DRAFT, readiness=Readiness.BLOCKED, kind=InvoiceKind.INVOICE)
        ),
        issued=Count("id", filter=Q(kind=InvoiceKind.INVOICE, number__isnull=False)),
    )
    return MonthFigures(
        # What issued invoices already billed left the "due" lists: add it back to the expected.
        expected_time=time_value,
        expected_milestones=milestones + billed_milestones,
        expected_subscriptions=subscriptions + billed_subscriptions,
        billed=rows["billed"],
        credited=rows["credited"],
        pre_invoiced=rows["pre_invoiced"],
        counts={k: rows[k] for k in ("ready", "action", "blocked", "issued")},
    )


def unbilled_milestones(month: datetime.date):
    """Due milestones of the month that no pre-invoice carries (the run was not launched since, or
    their pre-invoice was deleted): accrued revenue too, until billed."""
    _start, end = month_bounds(month)
    on_drafts = Invoice.objects.filter(
        status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE, lines__milestone__isnull=False
    )
    return (
        Milestone.objects.filter(deal__deal_type=DealType.FIXED_PRICE)
        .exclude(status=MilestoneStatus.INVOICED)
        .filter(Q(due_date__lte=end) | Q(event_occurred_on__lte=end))
        .exclude(pk__in=on_drafts.values("lines__milestone"))
        .select_related("deal__client", "required_document_type")
        .order_by("due_date", "deal__reference")
    )


def accrued_revenue(month: datetime.date):
    """FAE: what should have been billed for the month and is not, with the reason (the open drafts)."""
    return pre_invoices(month).filter(total_net__gt=0)
