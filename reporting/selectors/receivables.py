"""Receivables: what clients owe (amounts including VAT), how late, how fast they pay.

- Outstanding at a date D: each issued invoice's total less its payments dated by D and its credit
  notes issued by D (so that a past date reads as it stood then).
- Aged balance at D, by days late = D − due date: not due (≤ 0, due on D itself is not late),
  1–30, 31–60, 61–90, over 90.
- DSO by the countback method at each month end E: the receivables at E are matched against each
  month's net sales (invoices less credit notes, including VAT, by issue date) going back from E's
  month; each month wholly covered counts its days, the last one its share
  (days × what is left / its sales). Receivables at E = invoiced − credited − paid by E (running
  sums by month: two queries for every month end).
- Payment delay of an invoice = the date of the payment that settled it − its due date (negative:
  paid early); per client the average and the median over the invoices settled in the period, and
  the firm's average by month of settlement (the trend).
- Collection forecast: the open balances by week of their due date; what is already late falls in
  the first week.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth

from adv.months import Month
from billing.models import OPEN_STATUSES, InvoiceKind, Payment

from ..periods import Period
from .common import ZERO, Filters, scoped_invoices, subquery_sql

BUCKETS = ("not_due", "late_1_30", "late_31_60", "late_61_90", "late_over_90")
COUNTBACK_MONTHS = 24  # how far back the countback looks
FORECAST_WEEKS = 12


@dataclass
class ClientBalance:
    client_id: object
    client: str
    buckets: dict[str, Decimal]
    invoices: int

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass
class ClientDelay:
    client_id: object
    client: str
    invoices: int
    average: Decimal
    median: Decimal


@dataclass
class Receivables:
    at: datetime.date
    buckets: dict[str, Decimal]
    clients: list[ClientBalance]
    dso: list[tuple[datetime.date, Decimal | None]]  # (month end, DSO in days)
    delays: list[ClientDelay]
    delay_trend: list[tuple[datetime.date, Decimal | None, int]]  # (month, average delay, invoices settled)
    forecast: list[tuple[datetime.date, Decimal]]  # (monday of the week, amount due)
    later: Decimal = ZERO  # due after the forecast's weeks
    overdue_count: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def overdue(self) -> Decimal:
        return self.total - self.buckets["not_due"]

    @property
    def is_empty(self) -> bool:
        return not self.total and not self.delays and not any(d for _m, d in self.dso)


_AGED_SQL = """
WITH inv AS (
    SELECT i.id, i.client_id, i.due_date, i.total_gross FROM billing_invoice i
    WHERE i.id IN ({scoped}) AND i.kind = 'invoice' AND i.number IS NOT NULL AND i.issue_date <= %(at)s
), paid AS (
    SELECT p.invoice_id, SUM(p.amount) AS s FROM billing_payment p
    WHERE p.paid_on <= %(at)s AND p.invoice_id IN (SELECT id FROM inv) GROUP BY 1
), credited AS (
    SELECT n.credited_invoice_id, SUM(n.total_gross) AS s FROM billing_invoice n
    WHERE n.kind = 'credit_note' AND n.number IS NOT NULL AND n.issue_date <= %(at)s
      AND n.credited_invoice_id IN (SELECT id FROM inv) GROUP BY 1
), owed AS (
    SELECT inv.client_id, inv.due_date, inv.total_gross - COALESCE(paid.s, 0) - COALESCE(credited.s, 0) AS balance
    FROM inv LEFT JOIN paid ON paid.invoice_id = inv.id LEFT JOIN credited ON credited.credited_invoice_id = inv.id
)
SELECT o.client_id, COALESCE(NULLIF(c.trade_name, ''), c.legal_name),
       COALESCE(SUM(o.balance) FILTER (WHERE o.due_date IS NULL OR o.due_date >= %(at)s), 0),
       COALESCE(SUM(o.balance) FILTER (WHERE %(at)s - o.due_date BETWEEN 1 AND 30), 0),
       COALESCE(SUM(o.balance) FILTER (WHERE %(at)s - o.due_date BETWEEN 31 AND 60), 0),
       COALESCE(SUM(o.balance) FILTER (WHERE %(at)s - o.due_date BETWEEN 61 AND 90), 0),
       COALESCE(SUM(o.balance) FILTER (WHERE %(at)s - o.due_date > 90), 0),
       COUNT(*), COUNT(*) FILTER (WHERE o.due_date < %(at)s)
FROM owed o JOIN clients_client c ON c.id = o.client_id
WHERE o.balance > 0
GROUP BY o.client_id, c.trade_name, c.legal_name
"""


def aged_balance(actor, filters: Filters, at: datetime.date) -> tuple[dict[str, Decimal], list[ClientBalance], int]:
    """The aged balance at `at` for the firm (buckets) and per client (largest first): 1 query.
    Each invoice's balance at `at` = its total − its payments dated by `at` − its credit notes
    issued by `at` (aggregated once per table and hash-joined, not a subquery per invoice)."""
    scoped, params = subquery_sql(scoped_invoices(actor, filters))
    named = {f"s{i}": value for i, value in enumerate(params)}
    for i in range(len(params)):
        scoped = scoped.replace("%s", f"%(s{i})s", 1)
    with connection.cursor() as cursor:
        cursor.execute(_AGED_SQL.format(scoped=scoped), {"at": at, **named})
        rows = cursor.fetchall()
    clients = [
        ClientBalance(client_id=r[0], client=r[1], buckets=dict(zip(BUCKETS, r[2:7], strict=True)), invoices=r[7])
        for r in rows
    ]
    clients.sort(key=lambda c: (-c.total, c.client))
    totals = {b: sum((c.buckets[b] for c in clients), ZERO) for b in BUCKETS}
    return totals, clients, sum(r[8] for r in rows)


def countback(receivable: Decimal, sales: list[tuple[int, Decimal]]) -> Decimal:
    """DSO by the countback method: `sales` is [(days in month, net sales)] from the month of the
    measure backwards."""
    left, days = receivable, Decimal("0")
    if left <= 0:
        return Decimal("0.0")
    for month_days, amount in sales:
        if amount <= 0:
            days += month_days
            continue
        if left >= amount:
            left -= amount
            days += month_days
        else:
            days += Decimal(month_days) * left / amount
            left = Decimal("0")
            break
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def dso_by_month(actor, filters: Filters, period: Period) -> list[tuple[datetime.date, Decimal | None]]:
    """The DSO at each month end of the period: 2 queries (sales and payments by month)."""
    invoices = scoped_invoices(actor, filters).filter(number__isnull=False, issue_date__lte=period.end)
    monthly = {
        (r["m"].date() if hasattr(r["m"], "date") else r["m"], r["kind"]): r["gross"]
        for r in invoices.annotate(m=TruncMonth("issue_date")).values("m", "kind").annotate(gross=Sum("total_gross")).order_by()
    }
    paid = {
        (r["m"].date() if hasattr(r["m"], "date") else r["m"]): r["s"]
        for r in Payment.objects.filter(invoice__in=invoices.filter(kind=InvoiceKind.INVOICE).values("id"), paid_on__lte=period.end)
        .annotate(m=TruncMonth("paid_on")).values("m").annotate(s=Sum("amount")).order_by()
    }
    if not monthly:
        return [(m.last, None) for m in period.months()]
    first = min(m for m, _k in monthly)
    cumulative, running = {}, ZERO
    sales: dict[datetime.date, Decimal] = {}
    for month in Month.of(first).until(period.last):
        day = month.first
        invoiced = monthly.get((day, InvoiceKind.INVOICE), ZERO)
        credited = monthly.get((day, InvoiceKind.CREDIT_NOTE), ZERO)
        sales[day] = invoiced - credited
        running += invoiced - credited - paid.get(day, ZERO)
        cumulative[day] = running
    result = []
    for month in period.months():
        if month.first < first:
            result.append((month.last, None))
            continue
        back = []
        for step in range(COUNTBACK_MONTHS):
            m = month - step
            back.append((calendar.monthrange(m.year, m.month)[1], sales.get(m.first, ZERO)))
        result.append((month.last, countback(cumulative[month.first], back)))
    return result


_DELAYS_SQL = """
WITH settled AS (
    SELECT i.id, i.client_id, COALESCE(NULLIF(c.trade_name, ''), c.legal_name) AS client_name,
           MAX(p.paid_on) AS paid_on, MAX(p.paid_on) - i.due_date AS delay
    FROM billing_invoice i JOIN billing_payment p ON p.invoice_id = i.id
    JOIN clients_client c ON c.id = i.client_id
    WHERE i.id IN ({scoped}) AND i.kind = 'invoice' AND i.status = 'paid' AND i.due_date IS NOT NULL
      AND i.id IN (SELECT invoice_id FROM billing_payment WHERE paid_on BETWEEN %s AND %s)
    GROUP BY i.id, i.client_id, c.trade_name, c.legal_name, i.due_date
)
SELECT GROUPING(client_id), client_id, client_name, date_trunc('month', paid_on)::date,
       COUNT(*), AVG(delay), percentile_cont(0.5) WITHIN GROUP (ORDER BY delay)
FROM settled WHERE paid_on BETWEEN %s AND %s
GROUP BY GROUPING SETS ((client_id, client_name), (date_trunc('month', paid_on)::date))
"""


def _round(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def payment_delays(actor, filters: Filters, period: Period):
    """Per client (client id, name, invoices, average, median) and per month of settlement
    ({month: (month, invoices, average, median)}): 1 query, the settled invoices read once and
    grouped both ways (grouping sets)."""
    scoped, params = subquery_sql(scoped_invoices(actor, filters))
    with connection.cursor() as cursor:
        cursor.execute(_DELAYS_SQL.format(scoped=scoped), (*params, period.start, period.end, period.start, period.end))
        rows = cursor.fetchall()
    by_client = [(r[1], r[2], *r[4:]) for r in rows if r[0] == 0]
    by_month = {r[3]: (r[3], *r[4:]) for r in rows if r[0] == 1}
    return by_client, by_month


def receivables(actor, period: Period, filters: Filters, today: datetime.date) -> Receivables:
    """Everything the receivables page shows: 6 queries whatever the size."""
    at = min(today, period.end)
    buckets, clients, overdue_count = aged_balance(actor, filters, at)
    dso = dso_by_month(actor, filters, period)
    by_client, by_month = payment_delays(actor, filters, period)
    delays = sorted(
        (
            ClientDelay(client_id=row[0], client=row[1], invoices=row[2], average=_round(row[3]), median=_round(row[4]))
            for row in by_client
        ),
        key=lambda d: (-d.invoices, d.client),
    )
    trend = []
    for month in period.months():
        row = by_month.get(month.first)
        trend.append((month.first, _round(row[2]) if row else None, row[1] if row else 0))
    forecast, later = collection_forecast(actor, filters, today)
    return Receivables(
        at=at, buckets=buckets, clients=clients, dso=dso, delays=delays, delay_trend=trend, forecast=forecast,
        later=later, overdue_count=overdue_count,
    )


def collection_forecast(actor, filters: Filters, today: datetime.date) -> tuple[list[tuple[datetime.date, Decimal]], Decimal]:
    """What is still owed today, by week of its due date (late: this week), for FORECAST_WEEKS weeks;
    and what falls due after them. 1 query."""
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = [monday + datetime.timedelta(weeks=i) for i in range(FORECAST_WEEKS)]
    balance = ExpressionWrapper(F("total_gross") - F("amount_paid") - F("amount_credited"), output_field=DecimalField(max_digits=16, decimal_places=2))
    sums = {}
    for i, start in enumerate(weeks):
        stop = start + datetime.timedelta(days=6)
        q = Q(due_date__lte=stop) if i == 0 else Q(due_date__gte=start, due_date__lte=stop)
        sums[f"w{i}"] = Coalesce(Sum(balance, filter=q), ZERO)
    sums["later"] = Coalesce(Sum(balance, filter=Q(due_date__gt=weeks[-1] + datetime.timedelta(days=6)) | Q(due_date__isnull=True)), ZERO)
    row = (
        scoped_invoices(actor, filters)
        .filter(kind=InvoiceKind.INVOICE, number__isnull=False, status__in=OPEN_STATUSES)
        .aggregate(**sums)
    )
    return [(start, row[f"w{i}"]) for i, start in enumerate(weeks)], row["later"]
