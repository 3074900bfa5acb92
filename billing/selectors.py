"""Reads of billing: the cockpit, invoice lists, the month's figures, accrued revenue (FAE)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from clients.models import Contact
from deals.models import DealInvoiceRecipient, DealStatus, DealType, Milestone, MilestoneStatus

from . import figures, readiness
from .build import month_bounds
from .exports import fae_reasons
from .models import OPEN_STATUSES, Invoice, InvoiceKind, InvoiceStatus, Readiness

ZERO = Decimal("0.00")
# Every optional column of the cockpit (the views name and label them).
COLUMN_KEYS_ALL = (
    "deal", "amount", "po", "reception", "signed_timesheet", "milestone_document", "platform", "recipients", "notes",
)
MONEY = DecimalField(max_digits=16, decimal_places=2)


# The cockpit's one ordering, shared by the page and the API: ready first, then action needed, then
# blocked; easy ones first in each.
READINESS_ORDER = Case(
    When(readiness=Readiness.READY, then=Value(0)),
    When(readiness=Readiness.ACTION, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
PRE_INVOICE_ORDER = ["readiness_order", "ease", "client__legal_name", "id"]


def with_readiness_order(queryset):
    return queryset.annotate(readiness_order=READINESS_ORDER)


def drafts(month: datetime.date):
    """The month's pre-invoices (drafts), unordered and without joins: filter, count or page them."""
    return Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE)


def pre_invoices(month: datetime.date):
    """The cockpit's rows as full invoices, in the cockpit's order."""
    return (
        with_readiness_order(drafts(month))
        .select_related("client__billing_profile", "deal__sales_owner__user", "purchase_order", "consultant__user")
        .order_by(*PRE_INVOICE_ORDER)
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
    computed_at: datetime.datetime | None = None  # when the expected amounts were computed

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
    """Billed versus expected for the month: the invoices' totals and counts live (one aggregate),
    the expected amounts from their stored row (billing/figures.py), recomputed only when the
    month's fingerprint changed: 3 queries."""
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
        **figures.INVOICE_STAMP,
    )
    stored = figures.expected_for(month, figures.fingerprint(rows, month))
    return MonthFigures(
        expected_time=stored.expected_time,
        expected_milestones=stored.expected_milestones,
        expected_subscriptions=stored.expected_subscriptions,
        billed=rows["billed"],
        credited=rows["credited"],
        pre_invoiced=rows["pre_invoiced"],
        counts={k: rows[k] for k in ("ready", "action", "blocked", "issued")},
        computed_at=stored.computed_at,
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


# --- The cockpit's table: one page of plain rows, read with only the columns shown ------------------

COCKPIT_PAGE_SIZE = 50


@dataclass
class CockpitItem:
    """A pre-invoice as its cockpit row shows it: plain values, no model instance."""

    pk: object
    readiness: str
    client_id: object
    client_name: str
    month: datetime.date
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    consultant_name: str = ""
    checks: list = field(default_factory=list)
    deal_id: object = None
    deal_reference: str = ""
    sales_owner_name: str = ""
    total_net: Decimal = ZERO
    po_number: str = ""
    purchase_order_id: object = None
    po_amount: Decimal | None = None

    @classmethod
    def of(cls, invoice: Invoice) -> CockpitItem:
        """The same from a full invoice (the pre-invoice page)."""
        po = invoice.purchase_order
        return cls(
            pk=invoice.pk,
            readiness=invoice.readiness,
            client_id=invoice.client_id,
            client_name=invoice.client.display_name,
            month=invoice.month,
            checks=invoice.checks or [],
            deal_id=invoice.deal_id,
            total_net=invoice.total_net,
            po_number=invoice.po_number,
            purchase_order_id=invoice.purchase_order_id,
            po_amount=po.amount if po is not None else None,
        )


@dataclass
class CockpitRow:
    """A pre-invoice with what its cockpit row shows, read in bulk (no query per row)."""

    invoice: CockpitItem
    todo: list = field(default_factory=list)  # blocking and action checks
    reception: list = field(default_factory=list)
    signed_timesheet: list = field(default_factory=list)
    milestone_document: list = field(default_factory=list)
    platform: dict | None = None
    notes: dict | None = None
    provisional: dict | None = None
    po_remaining: Decimal | None = None
    recipients: list = field(default_factory=list)
    blocking: list = field(default_factory=list)
    error: str = ""
    error_line: str = ""

    @property
    def selectable(self) -> bool:
        return self.invoice.readiness != Readiness.BLOCKED


@dataclass
class CockpitPage:
    rows: list[CockpitRow]
    page: object  # django.core.paginator.Page (number, paginator.num_pages, has_next...)
    total: int
    ready: int  # ready drafts in the filter, on every page: what "select all ready" issues
    provisional_clients: list[str]  # selectable drafts of unsigned deals in the filter


def _person(first: str | None, last: str | None, email: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (email or "")


# Columns read for every row, then per optional column (a hidden column costs no join).
_BASE_FIELDS = [
    "id", "readiness", "client_id", "client__legal_name", "client__trade_name", "month", "period_start",
    "period_end", "checks", "deal_id", "consultant__user__first_name", "consultant__user__last_name",
    "consultant__user__email",
]
_COLUMN_FIELDS = {
    "deal": [
        "deal__reference", "deal__sales_owner__user__first_name", "deal__sales_owner__user__last_name",
        "deal__sales_owner__user__email",
    ],
    "amount": ["total_net"],
    "po": ["total_net", "po_number", "purchase_order_id", "purchase_order__amount"],
}


def cockpit_drafts(month: datetime.date, *, readiness="", q="", owner="", mine=None):
    """The month's drafts narrowed by the cockpit's filters (`mine`: the ADV membership in charge)."""
    queryset = drafts(month)
    if readiness:
        queryset = queryset.filter(readiness=readiness)
    if q:
        q = q.strip()
        queryset = queryset.filter(Q(client__legal_name__icontains=q) | Q(client__trade_name__icontains=q))
    if owner:
        queryset = queryset.filter(deal__sales_owner_id=owner)
    if mine is not None:
        queryset = queryset.filter(client__adv_owner=mine)
    return queryset


def cockpit_items(queryset, columns) -> list[CockpitItem]:
    """The rows of `queryset` (ordered by the caller) as plain items, reading the chosen columns only."""
    names = list(_BASE_FIELDS)
    for column in columns:
        names += [n for n in _COLUMN_FIELDS.get(column, []) if n not in names]
    items = []
    for v in queryset.values(*names):
        items.append(
            CockpitItem(
                pk=v["id"],
                readiness=v["readiness"],
                client_id=v["client_id"],
                client_name=v["client__trade_name"] or v["client__legal_name"],
                month=v["month"],
                period_start=v["period_start"],
                period_end=v["period_end"],
                consultant_name=_person(
                    v["consultant__user__first_name"], v["consultant__user__last_name"], v["consultant__user__email"]
                ),
                checks=v["checks"] or [],
                deal_id=v["deal_id"],
                deal_reference=v.get("deal__reference") or "",
                sales_owner_name=_person(
                    v.get("deal__sales_owner__user__first_name"),
                    v.get("deal__sales_owner__user__last_name"),
                    v.get("deal__sales_owner__user__email"),
                ),
                total_net=v.get("total_net", ZERO),
                po_number=v.get("po_number") or "",
                purchase_order_id=v.get("purchase_order_id"),
                po_amount=v.get("purchase_order__amount"),
            )
        )
    return items


def cockpit_rows(items: list[CockpitItem], columns=None) -> list[CockpitRow]:
    """Each item with its checks sorted into the row's cells; what is left on the purchase order and
    the recipients read in one query each, for the whole page (`columns`: None for all)."""
    wanted = set(COLUMN_KEYS_ALL if columns is None else columns)
    po_used = {}
    po_ids = {item.purchase_order_id for item in items if item.purchase_order_id} if "po" in wanted else set()
    if po_ids:
        po_used = dict(
            Invoice.objects.filter(purchase_order_id__in=po_ids, number__isnull=False, kind=InvoiceKind.INVOICE)
            .values("purchase_order_id")
            .annotate(total=Sum("total_net"))
            .values_list("purchase_order_id", "total")
        )
    deal_recipients: dict = {}
    client_recipients: dict = {}
    if "recipients" in wanted and items:
        deal_ids = {item.deal_id for item in items if item.deal_id}
        if deal_ids:
            for deal_id, email in DealInvoiceRecipient.objects.filter(deal_id__in=deal_ids).values_list(
                "deal_id", "contact__email"
            ):
                deal_recipients.setdefault(deal_id, []).append(email)
        for client_id, email in (
            Contact.objects.filter(client_id__in={item.client_id for item in items}, is_active=True)
            .exclude(invoice_delivery="")
            .values_list("client_id", "email")
        ):
            client_recipients.setdefault(client_id, []).append(email)
    rows = []
    for item in items:
        row = CockpitRow(invoice=item)
        for check in item.checks:
            code, level = check.get("code"), check.get("level")
            if level in (readiness.BLOCKED, readiness.ACTION):
                row.todo.append(check)
            if level == readiness.BLOCKED:
                row.blocking.append(check["message"])
            if code == readiness.MISSING_RECEPTION:
                row.reception.append(check)
            elif code == readiness.MISSING_SIGNED_TIMESHEET:
                row.signed_timesheet.append(check)
            elif code == readiness.MISSING_MILESTONE_DOCUMENT:
                row.milestone_document.append(check)
            elif code == readiness.PLATFORM_DEPOSIT:
                row.platform = check
            elif code == readiness.PRE_INVOICE_NOTES:
                row.notes = check
            elif code == readiness.PROVISIONAL_DEAL:
                row.provisional = check
        if item.po_amount is not None:
            row.po_remaining = item.po_amount - (po_used.get(item.purchase_order_id) or Decimal("0"))
        row.recipients = [
            e for e in (deal_recipients.get(item.deal_id) or client_recipients.get(item.client_id) or []) if e
        ]
        rows.append(row)
    return rows


def cockpit_page(queryset, *, columns, page_number=None, per_page: int | None = None) -> CockpitPage:
    """One page of the filtered drafts in the cockpit's order, with the filter's totals: a fixed
    number of queries whatever the month's size."""
    per_page = per_page or COCKPIT_PAGE_SIZE
    totals = queryset.aggregate(total=Count("id"), ready=Count("id", filter=Q(readiness=Readiness.READY)))
    paginator = Paginator(with_readiness_order(queryset).order_by(*PRE_INVOICE_ORDER), per_page)
    paginator.count = totals["total"]  # already counted above: no second COUNT(*)
    page = paginator.get_page(page_number)
    # The page's ids are chosen in a subquery joining the clients only (the order's columns); the
    # shown columns are then joined for those rows alone, not for every draft of the month sorted.
    window = (
        queryset.order_by(READINESS_ORDER.asc(), "ease", "client__legal_name", "id")
        .values("pk")[max(page.start_index() - 1, 0) : page.end_index()]
    )
    # `id = ANY(ARRAY(subquery))`: run once, before the joins (as `IN (subquery)` the planner, which
    # row-level security leaves estimating one row, joined every draft first).
    on_page = Func(F("pk"), ArraySubquery(window), template="%(expressions)s)", arg_joiner=" = ANY(", output_field=BooleanField())
    shown = with_readiness_order(queryset.filter(on_page)).order_by(*PRE_INVOICE_ORDER)
    rows = cockpit_rows(cockpit_items(shown, columns), columns)
    provisional = sorted(
        set(
            name_trade or name_legal
            for name_trade, name_legal in queryset.filter(deal__status=DealStatus.PROVISIONAL)
            .exclude(readiness=Readiness.BLOCKED)
            .order_by()
            .values_list("client__trade_name", "client__legal_name")
            .distinct()[:50]
        )
    )
    return CockpitPage(rows=rows, page=page, total=totals["total"], ready=totals["ready"], provisional_clients=provisional)


# --- Accrued revenue (FAE) page: one page of plain rows, the total over all of them ---------------

FAE_PAGE_SIZE = 50


@dataclass
class AccruedItem:
    pk: object
    readiness: str
    client: str
    deal_reference: str
    deal_title: str
    total_net: Decimal
    escalated_at: datetime.datetime | None
    reasons: list


@dataclass
class AccruedPage:
    rows: list[AccruedItem]
    page: object  # django.core.paginator.Page
    total: int
    amount: Decimal  # the open drafts' amount, every page


def accrued_page(month: datetime.date, *, page_number=None, per_page: int | None = None) -> AccruedPage:
    """The FAE list's page in the cockpit's order, reading the columns it shows: 2 queries."""
    per_page = per_page or FAE_PAGE_SIZE
    queryset = drafts(month).filter(total_net__gt=0)
    totals = queryset.aggregate(total=Count("id"), amount=Coalesce(Sum("total_net"), ZERO))
    paginator = Paginator(with_readiness_order(queryset).order_by(*PRE_INVOICE_ORDER), per_page)
    paginator.count = totals["total"]
    page = paginator.get_page(page_number)
    rows = [
        AccruedItem(
            pk=v["id"],
            readiness=v["readiness"],
            client=v["client__trade_name"] or v["client__legal_name"],
            deal_reference=v["deal__reference"] or "",
            deal_title=v["deal__title"] or "",
            total_net=v["total_net"],
            escalated_at=v["escalated_at"],
            reasons=fae_reasons(v["checks"]),
        )
        for v in page.object_list.values(
            "id", "readiness", "client__trade_name", "client__legal_name", "deal__reference", "deal__title",
            "total_net", "escalated_at", "checks",
        )
    ]
    return AccruedPage(rows=rows, page=page, total=totals["total"], amount=totals["amount"])
