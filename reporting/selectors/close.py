"""The month-end close, measured: for the invoices of each billed month, the days from the end of
the month to their issue date (median) and the share issued by the 3rd working day of the next
month (French working days: weekends and public holidays, timesheets/calendar.py); and the
pre-invoices still blocked, per reason (the code of their blocking check) and month.

The product keeps a pre-invoice's checks as they stand now: a reason that was fixed and issued
leaves no trace, so "blocked over time" is, for each month, what is still blocked of it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from billing import readiness
from billing.models import InvoiceKind
from timesheets.calendar import add_working_days

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


@dataclass
class Close:
    months: list[CloseMonth]
    median_days: Decimal | None
    on_time_percent: Decimal | None
    blocked: dict[str, dict[datetime.date, int]]  # reason code -> month -> pre-invoices
    blocked_labels: dict[str, str]

    @property
    def is_empty(self) -> bool:
        return not any(m.issued for m in self.months) and not self.blocked


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


def close(actor, period: Period, filters: Filters, country: str = "FR") -> Close:
    """3 queries: per month (count, median delay, on time), over the period, blocked per reason."""
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
    percent = None
    if overall["n"]:
        percent = (Decimal(overall["on_time"]) * 100 / overall["n"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Close(
        months=result, median_days=_decimal(overall["median"]), on_time_percent=percent, blocked=blocked,
        blocked_labels={code: blocked_label(code) for code in blocked},
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

