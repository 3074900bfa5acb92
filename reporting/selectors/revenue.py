"""Revenue invoiced per month, net of credit notes, by deal type; the same months of the previous
year; what was expected (billing's stored `MonthExpected`: approved time, due milestones,
subscriptions due). Months are the billed month (the invoice's `month`, the period of service), as
on billing's month summary, so that a month's revenue stands beside what it was expected to bill.

Two queries whatever the size: one aggregate over the invoices of both years, one read of the
stored expected rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum, Value
from django.db.models.functions import Coalesce

from billing.models import MonthExpected

from .. import access
from ..periods import Period
from .common import DEAL_TYPES, OTHER, ZERO, Filters, scoped_invoices, signed

# Which expected amount goes with which deal type.
EXPECTED_BY_TYPE = {"t_and_m": "expected_time", "fixed_price": "expected_milestones", "subscription": "expected_subscriptions"}


@dataclass
class RevenueMonth:
    month: datetime.date
    by_type: dict[str, Decimal]
    previous_year: Decimal
    expected: Decimal | None  # None: not shown (narrowed) or not computed yet

    @property
    def total(self) -> Decimal:
        return sum(self.by_type.values(), ZERO)

    @property
    def versus_previous(self) -> Decimal | None:
        """Growth over the same month of the previous year, in %; None when that month billed nothing."""
        if not self.previous_year:
            return None
        return ((self.total - self.previous_year) * 100 / self.previous_year).quantize(Decimal("0.1"))


@dataclass
class Revenue:
    period: Period
    months: list[RevenueMonth]
    types: list[str]  # the deal types present, in a fixed order
    expected_shown: bool
    missing_expected: list[datetime.date] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((m.total for m in self.months), ZERO)

    @property
    def previous_total(self) -> Decimal:
        return sum((m.previous_year for m in self.months), ZERO)

    @property
    def expected_total(self) -> Decimal | None:
        if not self.expected_shown:
            return None
        return sum((m.expected or ZERO for m in self.months), ZERO)

    @property
    def is_empty(self) -> bool:
        return not any(m.total or m.previous_year for m in self.months)


def revenue(actor, period: Period, filters: Filters) -> Revenue:
    previous = period.shifted(-12)
    rows = (
        scoped_invoices(actor, filters)
        .filter(number__isnull=False, month__gte=previous.start, month__lte=period.end)
        .values("month")
        .annotate(deal_type=Coalesce("deal__deal_type", Value(OTHER)), net=Sum(signed("total_net")))
        .values_list("month", "deal_type", "net")
        .order_by()
    )
    amounts: dict[tuple[datetime.date, str], Decimal] = {}
    for month, deal_type, net in rows:
        amounts[(month, deal_type)] = amounts.get((month, deal_type), ZERO) + (net or ZERO)
    present = {t for (m, t), v in amounts.items() if period.start <= m <= period.end and v}
    types = [t for t in (*DEAL_TYPES, OTHER) if t in present or (filters.deal_type == t)]
    if not types:
        types = [filters.deal_type] if filters.deal_type else list(DEAL_TYPES)
    expected_shown = access.sees_firm(actor) and not filters.narrows
    stored = {}
    if expected_shown:
        stored = {
            row["month"]: row
            for row in MonthExpected.objects.filter(month__gte=period.start, month__lte=period.end).values(
                "month", *EXPECTED_BY_TYPE.values()
            )
        }
    months, missing = [], []
    for month in period.months():
        day = month.first
        before = (month - 12).first
        expected = None
        if expected_shown:
            row = stored.get(day)
            if row is None:
                missing.append(day)
            else:
                names = [EXPECTED_BY_TYPE[filters.deal_type]] if filters.deal_type else list(EXPECTED_BY_TYPE.values())
                expected = sum((row[n] for n in names), ZERO)
        months.append(
            RevenueMonth(
                month=day,
                by_type={t: amounts.get((day, t), ZERO) for t in types},
                previous_year=sum((v for (m, t), v in amounts.items() if m == before), ZERO),
                expected=expected,
            )
        )
    return Revenue(period=period, months=months, types=types, expected_shown=expected_shown, missing_expected=missing)
