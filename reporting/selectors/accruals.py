"""FAE and PCA at a month end, with their evolution over the period.

FAE (factures à établir), at the end E of month M: what was delivered in a month up to M and not
invoiced at E. Billing builds a pre-invoice per delivered month, so that is
- every invoice of a month up to M issued after E (it was a pre-invoice at E), and every
  pre-invoice of a month up to M still open (billing's FAE list: drafts with an amount), and
- every fixed-price milestone due by E that no pre-invoice carries (billing's
  `unbilled_milestones`);
each with why it is not invoiced (the pre-invoice's blocking and action checks, as billing's FAE
page says them, or "issued on ..."), its age (days since the end of the delivered month) and the
person responsible (the ADV in charge of the deal, else of the client, else the salesperson).

PCA (produits constatés d'avance), at E: what was invoiced by E for after E:
- a line whose period ends after E (a subscription period invoiced ahead, an advance invoice for a
  future period): its amount × the days of its period after E / the days of its period;
- a milestone invoiced by E while its due date (or its event) comes after E: invoiced ahead of
  the work it pays for, in full. The product records no percentage of completion, so a milestone
  counts by its due date.
Credit notes issued by E on the same invoice reduce nothing here: a credited invoice's PCA is the
credit note's business (it carries no period).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from billing.exports import fae_reasons
from billing.models import InvoiceKind, InvoiceLine, InvoiceStatus, LineKind

from .. import access
from ..periods import Period
from .common import ZERO, Filters, month_end, narrowed, person, scoped_invoices

CENT = Decimal("0.01")
ROW_LIMIT = 500  # rows listed on the page (the export has them all)


@dataclass
class AccrualRow:
    kind: str  # "fae" | "pca"
    invoice_id: object
    number: str
    client_id: object
    client: str
    deal_reference: str
    deal_type: str
    month: datetime.date | None
    amount: Decimal
    reason: str
    age_days: int
    responsible: str
    milestone_id: object = None


@dataclass
class AccrualPoint:
    month_end: datetime.date
    fae: Decimal
    pca: Decimal


@dataclass
class Accruals:
    at: datetime.date
    fae_rows: list[AccrualRow]
    pca_rows: list[AccrualRow]
    fae_total: Decimal
    pca_total: Decimal
    evolution: list[AccrualPoint]

    @property
    def is_empty(self) -> bool:
        return not self.fae_rows and not self.pca_rows and not any(p.fae or p.pca for p in self.evolution)


_PEOPLE = (
    "deal__adv_owner__user__first_name", "deal__adv_owner__user__last_name",
    "client__adv_owner__user__first_name", "client__adv_owner__user__last_name",
    "deal__sales_owner__user__first_name", "deal__sales_owner__user__last_name",
)


def _responsible(v: dict, prefix: str = "") -> str:
    for who in ("deal__adv_owner", "client__adv_owner", "deal__sales_owner"):
        name = person(v.get(f"{prefix}{who}__user__first_name"), v.get(f"{prefix}{who}__user__last_name"))
        if name:
            return name
    return ""


def _fae_condition(month: datetime.date) -> Q:
    """Invoices that were not issued at the end of `month` although their month was delivered."""
    end = month_end(month)
    return Q(month__lte=month) & (Q(status=InvoiceStatus.DRAFT) | Q(issue_date__gt=end))


def fae_rows(actor, at_month: datetime.date, filters: Filters) -> tuple[list[AccrualRow], Decimal]:
    """FAE at the end of `at_month`: its rows (at most ROW_LIMIT) and their total. 3 queries."""
    end = month_end(at_month)
    invoices = scoped_invoices(actor, filters).filter(kind=InvoiceKind.INVOICE, total_net__gt=0).filter(
        _fae_condition(at_month)
    )
    total = invoices.aggregate(total=Coalesce(Sum("total_net"), ZERO))["total"]
    rows = []
    for v in invoices.order_by("month", "client__legal_name", "id").values(
        "id", "number", "issue_date", "status", "month", "total_net", "checks", "client_id", "client__legal_name",
        "client__trade_name", "deal__reference", "deal__deal_type", *_PEOPLE,
    )[:ROW_LIMIT]:
        if v["status"] == InvoiceStatus.DRAFT:
            reasons = fae_reasons(v["checks"])
            reason = " | ".join(reasons) if reasons else _("Préfacture prête à émettre")
        else:
            reason = _("Émise le %(date)s (%(number)s)") % {
                "date": v["issue_date"].strftime("%d/%m/%Y"), "number": v["number"],
            }
        rows.append(
            AccrualRow(
                kind="fae", invoice_id=v["id"], number=v["number"] or "", client_id=v["client_id"],
                client=v["client__trade_name"] or v["client__legal_name"], deal_reference=v["deal__reference"] or "",
                deal_type=v["deal__deal_type"] or "", month=v["month"], amount=v["total_net"], reason=reason,
                age_days=(end - month_end(v["month"])).days, responsible=_responsible(v),
            )
        )
    milestones = billing_selectors.unbilled_milestones(at_month)
    scope = access.deal_scope(actor, "deal__")
    if scope is not None:
        milestones = milestones.filter(scope)
    if filters.client:
        milestones = milestones.filter(deal__client_id=filters.client)
    if filters.owner:
        milestones = milestones.filter(deal__sales_owner_id=filters.owner)
    if filters.deal_type and filters.deal_type != "fixed_price":
        milestones = milestones.none()
    for v in milestones.values(
        "id", "label", "amount", "due_date", "event_occurred_on", "deal__client_id", "deal__client__legal_name",
        "deal__client__trade_name", "deal__reference", "deal__deal_type", "deal__adv_owner__user__first_name",
        "deal__adv_owner__user__last_name", "deal__client__adv_owner__user__first_name",
        "deal__client__adv_owner__user__last_name", "deal__sales_owner__user__first_name",
        "deal__sales_owner__user__last_name",
    ):
        due = v["event_occurred_on"] or v["due_date"] or end
        total += v["amount"]
        if len(rows) < ROW_LIMIT:
            rows.append(
                AccrualRow(
                    kind="fae", invoice_id=None, number="", client_id=v["deal__client_id"],
                    client=v["deal__client__trade_name"] or v["deal__client__legal_name"],
                    deal_reference=v["deal__reference"], deal_type=v["deal__deal_type"], month=due.replace(day=1),
                    amount=v["amount"],
                    reason=_("Échéance « %(label)s » due sans préfacture : lancez la facturation du mois.")
                    % {"label": v["label"]},
                    age_days=max((end - due).days, 0),
                    responsible=person(v["deal__adv_owner__user__first_name"], v["deal__adv_owner__user__last_name"])
                    or person(v["deal__client__adv_owner__user__first_name"], v["deal__client__adv_owner__user__last_name"])
                    or person(v["deal__sales_owner__user__first_name"], v["deal__sales_owner__user__last_name"]),
                    milestone_id=v["id"],
                )
            )
    return rows, total


def fae_evolution(actor, period: Period, filters: Filters) -> dict[datetime.date, Decimal]:
    """The invoices' FAE at each month end of the period, in one aggregate."""
    invoices = scoped_invoices(actor, filters).filter(kind=InvoiceKind.INVOICE, total_net__gt=0)
    sums = {
        f"m{i}": Coalesce(Sum("total_net", filter=_fae_condition(m.first)), ZERO)
        for i, m in enumerate(period.months())
    }
    # Only rows that can be FAE at one of these month ends: drafts, or issued after the first one.
    candidates = invoices.filter(month__lte=period.end).filter(
        Q(status=InvoiceStatus.DRAFT) | Q(issue_date__gt=period.first.last)
    )
    row = candidates.aggregate(**sums, _n=Count("id"))
    return {m.first: row[f"m{i}"] for i, m in enumerate(period.months())}


def _pca_lines(actor, filters: Filters, first_end: datetime.date, last_end: datetime.date):
    """Lines of invoices issued by `last_end` that may be invoiced ahead of some month end from
    `first_end` on: their period ends later, or their milestone falls due later."""
    lines = InvoiceLine.objects.filter(
        invoice__kind=InvoiceKind.INVOICE, invoice__number__isnull=False, invoice__issue_date__lte=last_end,
        invoice__in=scoped_invoices(actor, Filters()).values("id"),
    ).filter(
        Q(period_end__gt=first_end)
        | Q(milestone__isnull=False, milestone__due_date__gt=first_end, milestone__event_occurred_on__isnull=True)
        | Q(milestone__isnull=False, milestone__event_occurred_on__gt=first_end)
    )
    return narrowed(lines, filters, "invoice__")


def _pca_amount(v: dict, end: datetime.date) -> Decimal:
    """The part of the line invoiced ahead of `end` (0 if none)."""
    if v["invoice__issue_date"] > end:
        return ZERO
    net = v["net_amount"]
    if v["milestone_id"] is not None and v["period_end"] is None:
        due = v["milestone__event_occurred_on"] or v["milestone__due_date"]
        return net if due is not None and due > end else ZERO
    start, stop = v["period_start"], v["period_end"]
    if stop is None or stop <= end:
        return ZERO
    if start is None or start > end:
        return net
    days = (stop - start).days + 1
    ahead = (stop - end).days
    return (net * ahead / days).quantize(CENT, rounding=ROUND_HALF_UP)


def _pca_reason(v: dict) -> str:
    if v["kind"] == LineKind.SUBSCRIPTION:
        return _("Abonnement facturé d'avance jusqu'au %(date)s") % {"date": v["period_end"].strftime("%d/%m/%Y")}
    if v["milestone_id"] is not None and v["period_end"] is None:
        due = v["milestone__event_occurred_on"] or v["milestone__due_date"]
        return _("Échéance facturée avant son terme (prévue le %(date)s)") % {"date": due.strftime("%d/%m/%Y")}
    return _("Facturé d'avance pour la période jusqu'au %(date)s") % {"date": v["period_end"].strftime("%d/%m/%Y")}


_PCA_FIELDS = (
    "invoice_id", "invoice__number", "invoice__issue_date", "invoice__month", "invoice__client_id",
    "invoice__client__legal_name", "invoice__client__trade_name", "invoice__deal__reference",
    "invoice__deal__deal_type", "kind", "net_amount", "period_start", "period_end", "milestone_id",
    "milestone__due_date", "milestone__event_occurred_on",
    *(f"invoice__{p}" for p in _PEOPLE),
)


def pca(actor, period: Period, at_month: datetime.date, filters: Filters):
    """PCA rows at the end of `at_month`, their total, and the PCA at each month end of the period:
    one query (the lines that may be ahead of one of those month ends), prorated here."""
    ends = [m.last for m in period.months()]
    at = month_end(at_month)
    first_end, last_end = min([*ends, at]), max([*ends, at])
    values = list(_pca_lines(actor, filters, first_end, last_end).order_by("invoice__issue_date", "id").values(*_PCA_FIELDS))
    evolution = {end.replace(day=1): sum((_pca_amount(v, end) for v in values), ZERO) for end in ends}
    rows, total = [], ZERO
    for v in values:
        amount = _pca_amount(v, at)
        if not amount:
            continue
        total += amount
        if len(rows) < ROW_LIMIT:
            rows.append(
                AccrualRow(
                    kind="pca", invoice_id=v["invoice_id"], number=v["invoice__number"],
                    client_id=v["invoice__client_id"],
                    client=v["invoice__client__trade_name"] or v["invoice__client__legal_name"],
                    deal_reference=v["invoice__deal__reference"] or "", deal_type=v["invoice__deal__deal_type"] or "",
                    month=v["invoice__month"], amount=amount, reason=_pca_reason(v),
                    age_days=(at - v["invoice__issue_date"]).days, responsible=_responsible(v, "invoice__"),
                )
            )
    return rows, total, evolution


def accruals(actor, period: Period, filters: Filters, at_month: datetime.date | None = None) -> Accruals:
    """FAE and PCA at the end of `at_month` (default: the period's last month), and both at each
    month end of the period: 5 queries."""
    at_month = at_month or period.last.first
    fae_list, fae_total = fae_rows(actor, at_month, filters)
    fae_by_month = fae_evolution(actor, period, filters)
    pca_list, pca_total, pca_by_month = pca(actor, period, at_month, filters)
    evolution = [
        AccrualPoint(month_end=m.last, fae=fae_by_month[m.first], pca=pca_by_month[m.first]) for m in period.months()
    ]
    return Accruals(
        at=month_end(at_month), fae_rows=fae_list, pca_rows=pca_list, fae_total=fae_total, pca_total=pca_total,
        evolution=evolution,
    )
