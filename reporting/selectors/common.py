"""What every report shares: the filters, the invoices a member reads, SQL helpers."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Aggregate, Case, DateField, DecimalField, F, FloatField, Func, IntegerField, Q, When
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceKind
from deals.models import DealType

from .. import access
from ..errors import PeriodInvalid, ReportingErrorCode

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)
OTHER = "other"  # invoices without a deal
DEAL_TYPES = (DealType.T_AND_M, DealType.FIXED_PRICE, DealType.SUBSCRIPTION)


@dataclass(frozen=True)
class Filters:
    client: uuid.UUID | None = None
    owner: uuid.UUID | None = None  # the deal's sales owner (a membership)
    deal_type: str = ""

    @classmethod
    def of(cls, params) -> Filters:
        values = {}
        for name in ("client", "owner"):
            raw = (params.get(name) or "").strip()
            if raw:
                try:
                    values[name] = uuid.UUID(raw)
                except ValueError:
                    raise PeriodInvalid(
                        _("Filtre invalide : %(name)s.") % {"name": name}, code=ReportingErrorCode.INVALID_FILTER,
                        field=name,
                    ) from None
        deal_type = (params.get("deal_type") or "").strip()
        if deal_type and deal_type not in DealType.values:
            raise PeriodInvalid(
                _("Type d'affaire inconnu : %(value)s.") % {"value": deal_type},
                code=ReportingErrorCode.INVALID_FILTER, field="deal_type",
            )
        return cls(deal_type=deal_type, **values)

    @property
    def narrows(self) -> bool:
        """Whether a client or a sales owner is chosen (the firm-wide stored figures do not apply)."""
        return bool(self.client or self.owner)

    def query(self) -> dict[str, str]:
        return {k: str(v) for k, v in (("client", self.client), ("owner", self.owner), ("deal_type", self.deal_type)) if v}


def scoped_invoices(actor, filters: Filters):
    """Invoices and credit notes (any status) the member reads, narrowed by the filters."""
    queryset = Invoice.objects.all()
    scope = access.invoice_scope(actor)
    if scope is not None:
        queryset = queryset.filter(scope)
    return narrowed(queryset, filters, "")


def narrowed(queryset, filters: Filters, prefix: str):
    """`queryset` narrowed by the filters; `prefix` is the path to the Invoice ("" or "invoice__")."""
    if filters.client:
        queryset = queryset.filter(**{f"{prefix}client_id": filters.client})
    if filters.owner:
        queryset = queryset.filter(**{f"{prefix}deal__sales_owner_id": filters.owner})
    if filters.deal_type:
        queryset = queryset.filter(**{f"{prefix}deal__deal_type": filters.deal_type})
    return queryset


def signed(field: str, kind_path: str = "kind"):
    """`field`, negative on a credit note: an invoice's amount less its credit notes when summed."""
    return Case(
        When(**{kind_path: InvoiceKind.CREDIT_NOTE}, then=-F(field)), default=F(field), output_field=MONEY
    )


class DaysBetween(Func):
    """later - earlier, in days (PostgreSQL's date subtraction is an integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


class MonthEnd(Func):
    """The last day of the month of a date."""

    template = "((date_trunc('month', %(expressions)s) + interval '1 month' - interval '1 day')::date)"
    output_field = DateField()


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


def person(first: str | None, last: str | None, email: str | None = None) -> str:
    return f"{first or ''} {last or ''}".strip() or (email or "")


def month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def issued_filter() -> Q:
    return Q(number__isnull=False)


def subquery_sql(queryset) -> tuple[str, tuple]:
    """The SQL of `queryset.values("id")`, to embed in a raw statement (`id IN (...)`)."""
    sql, params = queryset.values("id").query.sql_with_params()
    return sql, tuple(params)
