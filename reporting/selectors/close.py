"""The month-end close, measured: for the invoices of each billed month, the days from the end of
the month to their issue date (median) and the share issued by the 3rd working day of the next
month (French working days: weekends and public holidays, timesheets/calendar.py); and the
pre-invoices still blocked, per reason (the code of their blocking check) and month.

The product keeps a pre-invoice's checks as they stand now: a reason that was fixed and issued
leaves no trace, so "blocked over time" is, for each month, what is still blocked of it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from billing import readiness
from billing.models import InvoiceKind
from einvoicing.models import StatusEvent
from einvoicing.statuses import Lifecycle
from timesheets.calendar import add_working_days

from .. import access
from ..models import BlockedSnapshot
from ..periods import Period
from .common import DaysBetween, Filters, Median, MonthEnd, scoped_invoices, subquery_sql

TARGET_WORKING_DAY = 3


@dataclass
class CloseMonth:
    month: datetime.date
    issued: int
    median_days: Decimal | None
    by_target: int  # issued by the target working day
    deadline: datetime.date

    @property
    def on_time_percent(self) -> Decimal | None:
        if not self.issued:
            return None
        return (Decimal(self.by_target) * 100 / self.issued).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# The e-invoicing network's verdicts that send an invoice back: refused by the client, rejected by
# the platform (e-invoicing's status history keeps them with their reason).
REFUSALS = (Lifecycle.REFUSEE, Lifecycle.REJETEE)


@dataclass(frozen=True)
class Refusal:
    day: datetime.date
    invoice_id: object
    number: str
    client: str
    code: str
    label: str
    reason: str


@dataclass
class Close:
    months: list[CloseMonth]
    median_days: Decimal | None
    on_time_percent: Decimal | None
    blocked: dict[str, dict[datetime.date, int]]  # reason code -> month -> pre-invoices
    blocked_labels: dict[str, str]
    refusals: list[Refusal] = field(default_factory=list)
    # reason code -> day -> pre-invoices blocked that day (daily snapshots); None: not shown to this reader
    blocked_days: dict[str, dict[datetime.date, int]] | None = None

    @property
    def is_empty(self) -> bool:
        return not any(m.issued for m in self.months) and not self.blocked and not self.refusals


def deadline(month: datetime.date, country: str = "FR") -> datetime.date:
    """The target working day of the month after `month` (3rd working day)."""
    last = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    return add_working_days(last, TARGET_WORKING_DAY, country)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


_BLOCKED_SQL = """
SELECT i.month, c->>'code', COUNT(DISTINCT i.id)
FROM billing_invoice i CROSS JOIN LATERAL jsonb_array_elements(i.checks) c
WHERE i.id IN ({scoped}) AND i.status = 'draft' AND i.kind = 'invoice' AND i.readiness = 'blocked'
  AND c->>'level' = 'blocked' AND i.month BETWEEN %s AND %s
GROUP BY 1, 2 ORDER BY 1, 2
"""


def refusals(actor, filters: Filters, period: Period) -> list[Refusal]:
    """The invoices refused or rejected on the e-invoicing network during the period, newest
    first, from e-invoicing's status history (an invoice refused twice is listed twice): 1 query."""
    labels = dict(Lifecycle.choices)
    rows = (
        StatusEvent.objects.filter(
            code__in=REFUSALS, invoice__in=scoped_invoices(actor, filters).values("id"),
            occurred_at__date__gte=period.start, occurred_at__date__lte=period.end,
        )
        .order_by("-occurred_at", "invoice__number")
        .values_list("occurred_at", "invoice_id", "invoice__number", "invoice__client__trade_name",
                     "invoice__client__legal_name", "code", "reason")
    )
    return [
        Refusal(localdate(at), invoice_id, number or "", trade or legal, code, str(labels.get(code, code)), reason)
        for at, invoice_id, number, trade, legal, code, reason in rows
    ]


def blocked_over_time(actor, filters: Filters, period: Period) -> dict[str, dict[datetime.date, int]] | None:
    """{reason code: {day: pre-invoices blocked that day}} over the period's days, from the daily
    snapshots (reporting/snapshots.py; every billed month summed). The snapshots are firm-wide
    counts: None for a member who does not see the whole firm, or when a client, sales owner or
    deal type filter narrows the report. 1 query."""
    if not access.sees_firm(actor) or filters.narrows or filters.deal_type:
        return None
    result: dict[str, dict[datetime.date, int]] = {}
    rows = (
        BlockedSnapshot.objects.filter(day__gte=period.start, day__lte=period.end)
        .values("code", "day").annotate(n=Sum("count")).order_by("day", "code")
    )
    for row in rows:
        result.setdefault(row["code"], {})[row["day"]] = row["n"]
    return result


def close(actor, period: Period, filters: Filters, country: str = "FR") -> Close:
    """5 queries: per month (count, median delay, on time), over the period, blocked per reason,
    refused or rejected on the e-invoicing network, blocked day by day."""
    months = period.months()
    deadlines = {m.first: deadline(m.first, country) for m in months}
    on_time = Q()
    for month, day in deadlines.items():
        on_time |= Q(month=month, issue_date__lte=day)
    issued = scoped_invoices(actor, filters).filter(
        kind=InvoiceKind.INVOICE, number__isnull=False, month__gte=period.start, month__lte=period.end
    )
    delay = DaysBetween("issue_date", MonthEnd("month"))
    rows = {
        r["month"]: r
        for r in issued.values("month").annotate(n=Count("id"), median=Median(delay), on_time=Count("id", filter=on_time)).order_by()
    }
    overall = issued.aggregate(n=Count("id"), median=Median(delay), on_time=Count("id", filter=on_time))
    scoped, params = subquery_sql(scoped_invoices(actor, filters))
    blocked: dict[str, dict[datetime.date, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_BLOCKED_SQL.format(scoped=scoped), (*params, period.start, period.end))
        for month, code, count in cursor.fetchall():
            blocked.setdefault(code or "other", {})[month] = count
    result = [
        CloseMonth(
            month=m.first, issued=rows.get(m.first, {}).get("n", 0), median_days=_decimal(rows.get(m.first, {}).get("median")),
            by_target=rows.get(m.first, {}).get("on_time", 0), deadline=deadlines[m.first],
        )
        for m in months
    ]
    days = blocked_over_time(actor, filters, period)
    percent = None
    if overall["n"]:
        percent = (Decimal(overall["on_time"]) * 100 / overall["n"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Close(
        months=result, median_days=_decimal(overall["median"]), on_time_percent=percent, blocked=blocked,
        blocked_labels={code: blocked_label(code) for code in {*blocked, *(days or {})}}, refusals=refusals(actor, filters, period),
        blocked_days=days,
    )


def blocked_label(code: str) -> str:
    labels = {
        readiness.MISSING_RECEPTION: _("N° de réception manquant"),
        readiness.MISSING_SIGNED_TIMESHEET: _("CRA signé manquant"),
        readiness.MISSING_MILESTONE_DOCUMENT: _("PV de recette manquant"),
        readiness.MISSING_PO: _("Bon de commande manquant"),
        readiness.PO_EXCEEDED: _("Bon de commande dépassé"),
        readiness.MISSING_RECIPIENTS: _("Destinataires manquants"),
        readiness.MISSING_CLIENT_IDENTITY: _("Identité du client incomplète"),
        readiness.VAT_MISMATCH: _("TVA du client incohérente"),
        readiness.MISSING_SERVICE_CODE: _("Code service manquant"),
        readiness.MISSING_ENGAGEMENT: _("N° d'engagement manquant"),
        readiness.EMPTY: _("Préfacture vide"),
    }
    return str(labels.get(code, code.replace("_", " ").capitalize()))

