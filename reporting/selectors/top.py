"""Top clients and deals of the period by revenue (invoiced less credit notes, excluding VAT, by
billed month) and by margin: revenue less what the staffed contractors cost (days billed × their
purchase daily rate). Employees have no purchase rate in the product: their days cost nothing
here, so the margin is the margin over subcontracting. Margins are shown only to who may see
purchase rates (reporting/access.py). One query per table, from the invoice lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, Sum, When
from django.db.models.functions import Coalesce

from billing.models import InvoiceKind, InvoiceLine

from ..periods import Period
from .common import MONEY, ZERO, Filters, narrowed, scoped_invoices

LIMIT = 10


@dataclass
class TopRow:
    key: object
    label: str
    detail: str
    revenue: Decimal
    cost: Decimal | None  # None when hidden from the reader

    @property
    def margin(self) -> Decimal | None:
        return None if self.cost is None else self.revenue - self.cost

    @property
    def margin_rate(self) -> Decimal | None:
        if self.cost is None or not self.revenue:
            return None
        return ((self.revenue - self.cost) * 100 / self.revenue).quantize(Decimal("0.1"))


def _lines(actor, period: Period, filters: Filters):
    lines = InvoiceLine.objects.filter(
        invoice__number__isnull=False, invoice__month__gte=period.start, invoice__month__lte=period.end,
        invoice__in=scoped_invoices(actor, Filters()).values("id"),
    )
    return narrowed(lines, filters, "invoice__")


def _sums():
    credit = Q(invoice__kind=InvoiceKind.CREDIT_NOTE)
    revenue = Sum(Case(When(credit, then=-F("net_amount")), default=F("net_amount"), output_field=MONEY))
    cost_line = Case(
        When(assignment__purchase_daily_rate__isnull=False, kind="time",
             then=F("quantity") * F("assignment__purchase_daily_rate")),
        default=ZERO, output_field=DecimalField(max_digits=20, decimal_places=4),
    )
    cost = Sum(Case(When(credit, then=-cost_line), default=cost_line, output_field=DecimalField(max_digits=20, decimal_places=4)))
    return {"revenue": Coalesce(revenue, ZERO), "cost": Coalesce(cost, ZERO, output_field=DecimalField(max_digits=20, decimal_places=4))}


def top_clients(actor, period: Period, filters: Filters, *, with_margin: bool, order: str = "revenue") -> list[TopRow]:
    rows = (
        _lines(actor, period, filters)
        .values("invoice__client_id", "invoice__client__legal_name", "invoice__client__trade_name")
        .annotate(**_sums())
        .order_by()
    )
    return _ranked(
        [
            TopRow(
                key=r["invoice__client_id"], label=r["invoice__client__trade_name"] or r["invoice__client__legal_name"],
                detail="", revenue=r["revenue"], cost=r["cost"].quantize(Decimal("0.01")) if with_margin else None,
            )
            for r in rows
        ],
        order,
    )


def top_deals(actor, period: Period, filters: Filters, *, with_margin: bool, order: str = "revenue") -> list[TopRow]:
    rows = (
        _lines(actor, period, filters)
        .filter(invoice__deal__isnull=False)
        .values("invoice__deal_id", "invoice__deal__reference", "invoice__deal__title", "invoice__client__legal_name",
                "invoice__client__trade_name")
        .annotate(**_sums())
        .order_by()
    )
    return _ranked(
        [
            TopRow(
                key=r["invoice__deal_id"], label=f'{r["invoice__deal__reference"]} {r["invoice__deal__title"]}',
                detail=r["invoice__client__trade_name"] or r["invoice__client__legal_name"], revenue=r["revenue"],
                cost=r["cost"].quantize(Decimal("0.01")) if with_margin else None,
            )
            for r in rows
        ],
        order,
    )


def _ranked(rows: list[TopRow], order: str) -> list[TopRow]:
    if order == "margin" and rows and rows[0].cost is not None:
        rows.sort(key=lambda r: (-(r.margin or ZERO), r.label))
    else:
        rows.sort(key=lambda r: (-r.revenue, r.label))
    return rows[:LIMIT]
