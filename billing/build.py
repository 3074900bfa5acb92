"""Building the month's pre-invoices for a set of deals (one chunk of a billing run).

Sources: approved timesheets on time-and-materials deals (days × daily rate per assignment), due
milestones on fixed-price deals, subscription periods due. What an issued invoice already bills is
skipped. Lines are grouped per the client's preference into pre-invoices keyed by
`(month, group_key)`: a rerun updates the same drafts (a unique index forbids a second one), keeps
the lines a person added or reworded, and never touches an issued invoice.

Reads are a fixed number of queries per chunk, whatever its size; writes are bulk.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.firm_settings import settings_read
from clients.models import Contact, InvoiceGrouping
from deals.models import (
    PERIOD_MONTHS,
    BillingTiming,
    Deal,
    DealInvoiceRecipient,
    DealType,
    Milestone,
    MilestoneStatus,
    PurchaseOrder,
    Subscription,
)
from deals.services import first_billing_date
from timesheets.models import (
    ClientApproval,
    ClientApprovalStatus,
    TimesheetEntry,
    TimesheetPolicy,
    TimesheetStatus,
    TimeUnit,
)

from . import readiness, signals, totals
from .models import (
    BillingPolicy,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    Readiness,
    Unit,
)
from .regime import vat_category, vat_regime_for

ZERO = Decimal("0")
GENERATED_PREFIXES = ("deal:", "po:", "consultant:")
BULK_BATCH = 100


def billed_month(today: datetime.date) -> datetime.date:
    """The month billed at this month's end: the previous one (the cockpit's and dashboard's default)."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, start + relativedelta(months=1) - datetime.timedelta(days=1)


def subscription_period(subscription: Subscription) -> tuple[datetime.date, datetime.date]:
    months = relativedelta(months=PERIOD_MONTHS[subscription.period])
    if subscription.timing == BillingTiming.IN_ADVANCE:
        start = subscription.next_billing_date
        return start, start + months - datetime.timedelta(days=1)
    end = subscription.next_billing_date
    return end + datetime.timedelta(days=1) - months, end


def next_billing_after(subscription: Subscription, period_end: datetime.date) -> datetime.date:
    return first_billing_date(period_end + datetime.timedelta(days=1), subscription.period, subscription.timing)


def billed_lines():
    """Lines of issued invoices that still bill their source: an invoice fully cancelled by credit
    notes gives its time and milestones back to the next run."""
    return InvoiceLine.objects.filter(invoice__number__isnull=False, invoice__kind=InvoiceKind.INVOICE).exclude(
        invoice__amount_credited__gte=F("invoice__total_gross")
    )


def deals_to_bill(month: datetime.date) -> list:
    """Every deal with something to bill this month, or a draft of this month to refresh."""
    _start, end = month_bounds(month)
    time = TimesheetEntry.objects.filter(
        line__timesheet__month=month,
        line__timesheet__status=TimesheetStatus.APPROVED,
        line__assignment__deal__deal_type=DealType.T_AND_M,
        quantity__gt=0,
    ).values_list("line__assignment__deal_id", flat=True)
    milestones = (
        Milestone.objects.exclude(status=MilestoneStatus.INVOICED)
        .filter(
            Q(due_date__lte=end) | Q(event_occurred_on__lte=end),
            deal__deal_type=DealType.FIXED_PRICE,
        )
        .values_list("deal_id", flat=True)
    )
    subscriptions = Subscription.objects.filter(
        is_active=True,
        next_billing_date__lte=end,
        deal__deal_type=DealType.SUBSCRIPTION,
    ).values_list("deal_id", flat=True)
    drafts = Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE).values_list(
        "deal_id", flat=True
    )
    ids = set(time.distinct()) | set(milestones.distinct()) | set(subscriptions.distinct()) | set(drafts.distinct())
    ids.discard(None)
    return sorted(ids, key=str)


@dataclass
class Draft:
    key: str
    deal: Deal
    purchase_order: PurchaseOrder | None
    consultant_id: object = None
    lines: list[InvoiceLine] = field(default_factory=list)
    time_facts: list[readiness.TimeLineFacts] = field(default_factory=list)
    milestone_facts: list[readiness.MilestoneFacts] = field(default_factory=list)
    ease: int = 0


@dataclass
class BuildStats:
    created: int = 0
    updated: int = 0
    removed: int = 0

    def add(self, other: BuildStats) -> None:
        self.created += other.created
        self.updated += other.updated
        self.removed += other.removed


def _current_po(orders: list[PurchaseOrder], start: datetime.date, end: datetime.date) -> PurchaseOrder | None:
    valid = [
        po
        for po in orders
        if (po.valid_from is None or po.valid_from <= end) and (po.valid_until is None or po.valid_until >= start)
    ]
    return max(valid, key=lambda po: (po.valid_from or datetime.date.min, po.created_at), default=None)


def _name(first: str, last: str, email: str) -> str:
    return f"{first} {last}".strip() or email


class _Builder:
    def __init__(self, month: datetime.date, deal_ids: list, run=None):
        self.month = month
        self.start, self.end = month_bounds(month)
        self.deal_ids = list(deal_ids)
        self.run = run
        self.now = timezone.now()
        self.tenant_id = require_tenant_id()
        self.policy = settings_read(BillingPolicy)
        ts_policy = settings_read(TimesheetPolicy)
        self.in_hours = ts_policy.unit == TimeUnit.HOURS
        self.hours_per_day = ts_policy.hours_per_day if self.in_hours else Decimal("1")
        self.drafts: dict[str, Draft] = {}

    # --- reads -------------------------------------------------------------------------------
    def load(self) -> None:
        self.deals = {
            d.pk: d for d in Deal.objects.filter(pk__in=self.deal_ids).select_related("client__billing_profile")
        }
        # Children are read in one query each and grouped here: a prefetch builds one queryset per
        # parent, which costs more than the query itself at a thousand deals.
        self.orders = defaultdict(list)
        for po in PurchaseOrder.objects.filter(deal_id__in=self.deal_ids):
            self.orders[po.deal_id].append(po)
        client_ids = {d.client_id for d in self.deals.values()}
        self.contacts = defaultdict(list)
        for contact in Contact.objects.filter(client_id__in=client_ids, is_active=True).exclude(invoice_delivery=""):
            self.contacts[contact.client_id].append(contact.email)
        self.deal_recipients = defaultdict(list)
        for row in DealInvoiceRecipient.objects.filter(deal_id__in=self.deal_ids).values("deal_id", "contact__email"):
            self.deal_recipients[row["deal_id"]].append(row["contact__email"])
        po_ids = [po.pk for orders in self.orders.values() for po in orders]
        self.po_invoiced = dict(
            Invoice.objects.filter(purchase_order_id__in=po_ids, number__isnull=False, kind=InvoiceKind.INVOICE)
            .values("purchase_order_id")
            .annotate(total=Sum("total_net"))
            .values_list("purchase_order_id", "total")
        )
        self.existing = {
            inv.group_key: inv
            for inv in Invoice.objects.filter(
                month=self.month,
                status=InvoiceStatus.DRAFT,
                kind=InvoiceKind.INVOICE,
                deal_id__in=self.deal_ids,
            )
        }
        self.lines = defaultdict(list)
        for line in InvoiceLine.objects.filter(invoice_id__in=[inv.pk for inv in self.existing.values()]).order_by(
            "position", "id"
        ):
            self.lines[line.invoice_id].append(line)

    def _draft(self, deal: Deal, consultant_id=None) -> Draft:
        po = _current_po(self.orders[deal.pk], self.start, self.end)
        grouping = deal.client.billing_profile.grouping
        if grouping == InvoiceGrouping.PER_CONSULTANT and consultant_id is not None:
            key = f"consultant:{deal.pk}:{consultant_id}"
        elif grouping == InvoiceGrouping.PER_PURCHASE_ORDER and po is not None:
            key = f"po:{po.pk}"
        else:
            key = f"deal:{deal.pk}"
            consultant_id = None
        if key not in self.drafts:
            self.drafts[key] = Draft(key=key, deal=deal, purchase_order=po, consultant_id=consultant_id)
        return self.drafts[key]

    def _line(self, draft: Draft, **fields) -> None:
        fields.setdefault("vat_rate", self.policy.default_vat_rate)
        draft.lines.append(InvoiceLine(tenant_id=self.tenant_id, **fields))

    def time(self) -> None:
        t_and_m = [pk for pk, d in self.deals.items() if d.deal_type == DealType.T_AND_M]
        if not t_and_m:
            return
        rows = list(
            TimesheetEntry.objects.filter(
                line__assignment__deal_id__in=t_and_m,
                line__timesheet__month=self.month,
                line__timesheet__status=TimesheetStatus.APPROVED,
            )
            .values(
                "line_id",
                "is_extra",
                "line__timesheet_id",
                "line__reception_number",
                "line__assignment_id",
                "line__assignment__deal_id",
                "line__assignment__daily_rate",
                "line__assignment__reception_number_required",
                "line__assignment__consultant_id",
                "line__assignment__consultant__reports_to_id",
                "line__assignment__consultant__user__first_name",
                "line__assignment__consultant__user__last_name",
                "line__assignment__consultant__user__email",
            )
            .annotate(quantity=Sum("quantity"))
            .order_by("line__assignment__consultant__user__last_name", "line__assignment_id", "is_extra")
        )
        line_ids = {r["line_id"] for r in rows}
        billed = set(billed_lines().filter(timesheet_line_id__in=line_ids).values_list("timesheet_line_id", flat=True))
        approvals = {
            (a["timesheet_id"], a["deal_id"]): a["status"] == ClientApprovalStatus.APPROVED
            or a["signed_document_id"] is not None
            for a in ClientApproval.objects.filter(deal_id__in=t_and_m, timesheet__month=self.month).values(
                "timesheet_id", "deal_id", "status", "signed_document_id"
            )
        }
        seen_lines = set()
        for row in rows:
            if row["line_id"] in billed or not row["quantity"]:
                continue
            deal = self.deals[row["line__assignment__deal_id"]]
            consultant_id = row["line__assignment__consultant_id"]
            draft = self._draft(deal, consultant_id)
            name = _name(
                row["line__assignment__consultant__user__first_name"],
                row["line__assignment__consultant__user__last_name"],
                row["line__assignment__consultant__user__email"],
            )
            rate = row["line__assignment__daily_rate"]
            unit_price = (rate / self.hours_per_day).quantize(Decimal("0.0001")) if self.in_hours else rate
            label = _("Prestation de %(consultant)s – %(month)s") % {
                "consultant": name,
                "month": self.start.strftime("%m/%Y"),
            }
            if row["is_extra"]:
                label = _("Temps supplémentaire (astreinte, heures sup.) de %(consultant)s – %(month)s") % {
                    "consultant": name,
                    "month": self.start.strftime("%m/%Y"),
                }
            self._line(
                draft,
                kind=LineKind.TIME,
                label=label,
                detail=deal.reference,
                quantity=row["quantity"],
                unit=Unit.HOUR if self.in_hours else Unit.DAY,
                unit_price=unit_price,
                assignment_id=row["line__assignment_id"],
                timesheet_id=row["line__timesheet_id"],
                timesheet_line_id=row["line_id"],
                is_extra=row["is_extra"],
                period_start=self.start,
                period_end=self.end,
                reception_number=row["line__reception_number"] or "",
            )
            if row["line_id"] in seen_lines:
                continue
            seen_lines.add(row["line_id"])
            needs_signature = deal.requires("signed_timesheet_required")
            draft.time_facts.append(
                readiness.TimeLineFacts(
                    consultant_name=name,
                    consultant_id=str(consultant_id),
                    manager_id=str(row["line__assignment__consultant__reports_to_id"] or "") or None,
                    timesheet_id=str(row["line__timesheet_id"]),
                    timesheet_line_id=str(row["line_id"]),
                    reception_number=row["line__reception_number"],
                    reception_required=row["line__assignment__reception_number_required"]
                    or deal.requires("reception_number_required"),
                    signed_timesheet_required=needs_signature,
                    client_approved=approvals.get((row["line__timesheet_id"], deal.pk), False),
                )
            )
            draft.ease = max(draft.ease, 2 if needs_signature else 0)

    def milestones(self) -> None:
        fixed = [pk for pk, d in self.deals.items() if d.deal_type == DealType.FIXED_PRICE]
        if not fixed:
            return
        milestones = list(
            Milestone.objects.filter(deal_id__in=fixed)
            .exclude(status=MilestoneStatus.INVOICED)
            .filter(Q(due_date__lte=self.end) | Q(event_occurred_on__lte=self.end))
            .select_related("required_document_type")
        )
        # By milestone id (its index), not through the milestones' deals: that join scanned every
        # line of every issued invoice, once per chunk.
        billed = set(
            billed_lines().filter(milestone_id__in=[m.pk for m in milestones]).values_list("milestone_id", flat=True)
        )
        for milestone in milestones:
            if milestone.pk in billed:
                continue
            deal = self.deals[milestone.deal_id]
            draft = self._draft(deal)
            self._line(
                draft,
                kind=LineKind.MILESTONE,
                label=milestone.label,
                detail=deal.reference,
                quantity=Decimal("1"),
                unit=Unit.UNIT,
                unit_price=milestone.amount,
                milestone_id=milestone.pk,
            )
            doc_type = milestone.required_document_type
            draft.milestone_facts.append(
                readiness.MilestoneFacts(
                    label=milestone.label,
                    milestone_id=str(milestone.pk),
                    document_type_name=doc_type.name if doc_type else None,
                    has_document=milestone.document_id is not None,
                    project_manager_id=str(milestone.project_manager_id) if milestone.project_manager_id else None,
                )
            )
            draft.ease = max(draft.ease, 1 if milestone.due_date else 3)

    def subscriptions(self) -> None:
        ids = [pk for pk, d in self.deals.items() if d.deal_type == DealType.SUBSCRIPTION]
        if not ids:
            return
        for subscription in Subscription.objects.filter(
            deal_id__in=ids, is_active=True, next_billing_date__lte=self.end
        ):
            deal = self.deals[subscription.deal_id]
            draft = self._draft(deal)
            period_start, period_end = subscription_period(subscription)
            label = _("%(label)s – du %(start)s au %(end)s") % {
                "label": subscription.label,
                "start": period_start.strftime("%d/%m/%Y"),
                "end": period_end.strftime("%d/%m/%Y"),
            }
            self._line(
                draft,
                kind=LineKind.SUBSCRIPTION,
                label=label,
                detail=deal.reference,
                quantity=Decimal("1"),
                unit=Unit.UNIT,
                unit_price=subscription.amount,
                subscription_id=subscription.pk,
                subscription_period_start=period_start,
                period_start=period_start,
                period_end=period_end,
            )

    # --- writes ------------------------------------------------------------------------------
    def write(self) -> BuildStats:
        """Upsert the drafts. What did not change is not written: an idempotent rerun only reads."""
        stats = BuildStats()
        to_create: list[Invoice] = []
        to_update: list[Invoice] = []
        new_lines: list[InvoiceLine] = []
        stale_line_ids: list = []
        for key, draft in self.drafts.items():
            invoice = self.existing.pop(key, None)
            edited = {}
            kept: list[InvoiceLine] = []
            old_generated: list[InvoiceLine] = []
            before = None
            if invoice is None:
                invoice = Invoice(tenant_id=self.tenant_id, month=self.month, group_key=key, kind=InvoiceKind.INVOICE)
                to_create.append(invoice)
            else:
                before = _state(invoice, COMPARED_FIELDS)
                for line in self.lines[invoice.pk]:
                    if line.is_generated:
                        old_generated.append(line)
                        if line.is_edited:
                            edited[_source(line)] = line
                    else:
                        kept.append(line)
            self._fill(invoice, draft)
            for position, line in enumerate(draft.lines):
                previous = edited.get(_source(line))
                if previous is not None:
                    line.label, line.detail, line.vat_rate, line.is_edited = (
                        previous.label,
                        previous.detail,
                        previous.vat_rate,
                        True,
                    )
                line.position = position
                line.invoice = invoice
                line.net_amount = totals.line_net(line.quantity, line.unit_price)
            lines_changed = sorted(repr(_state(line, LINE_FIELDS)) for line in old_generated) != sorted(
                repr(_state(line, LINE_FIELDS)) for line in draft.lines
            )
            if before is None or lines_changed:
                stale_line_ids.extend(line.pk for line in old_generated)
                new_lines.extend(draft.lines)
                lines = [*draft.lines, *kept]
            else:
                lines = [*old_generated, *kept]
            for offset, line in enumerate(kept, start=len(draft.lines)):
                line._moved = line.position != offset
                line.position = offset
            self._finish(invoice, draft, lines)
            if before is not None and (lines_changed or before != _state(invoice, COMPARED_FIELDS)):
                to_update.append(invoice)
        # Drafts of these deals that nothing produces any more: generated lines go; a draft with
        # nothing a person added goes with them; a manual pre-invoice is only refreshed.
        removed: list = []
        for invoice in self.existing.values():
            lines = self.lines[invoice.pk]
            generated = [line.pk for line in lines if line.is_generated]
            kept = [line for line in lines if not line.is_generated]
            if not kept and invoice.group_key.startswith(GENERATED_PREFIXES):
                removed.append(invoice.pk)
                continue
            stale_line_ids.extend(generated)
            deal = self.deals.get(invoice.deal_id)
            if deal is not None:
                for line in kept:
                    line._moved = False
                before = _state(invoice, COMPARED_FIELDS)
                self._finish(invoice, Draft(key=invoice.group_key, deal=deal, purchase_order=None), kept)
                if generated or before != _state(invoice, COMPARED_FIELDS):
                    to_update.append(invoice)
        if stale_line_ids:
            InvoiceLine.objects.filter(pk__in=stale_line_ids).delete()
        if removed:
            InvoiceLine.objects.filter(invoice_id__in=removed).delete()
            stats.removed = (
                Invoice.objects.filter(pk__in=removed, status=InvoiceStatus.DRAFT).delete()[1].get("billing.Invoice", 0)
            )
        Invoice.objects.bulk_create(to_create)
        if to_update:
            # In batches: one UPDATE of n rows is a CASE of n branches per column, evaluated for
            # each row (n² in PostgreSQL): issuing 1,500 pre-invoices took 84 s, most of it here.
            Invoice.objects.bulk_update(to_update, UPDATED_FIELDS, batch_size=BULK_BATCH)
        InvoiceLine.objects.bulk_create(new_lines)
        moved = [line for inv in to_update for line in inv._kept_lines if getattr(line, "_moved", True)]
        if moved:
            InvoiceLine.objects.bulk_update(moved, ["position"], batch_size=BULK_BATCH)
        stats.created = len(to_create)
        stats.updated = len(to_update)
        for invoice in (*to_create, *to_update):
            if getattr(invoice, "_turned_blocked", False):
                signals.pre_invoice_blocked.send(
                    sender=Invoice, invoice_id=str(invoice.pk), reasons=readiness.blocking_reasons(invoice.checks)
                )
        return stats

    def _fill(self, invoice: Invoice, draft: Draft) -> None:
        deal = draft.deal
        profile = deal.client.billing_profile
        invoice.client = deal.client
        invoice.deal = deal
        invoice.purchase_order = draft.purchase_order
        invoice.consultant_id = draft.consultant_id
        # What a person typed on the pre-invoice wins over the deal's purchase order: a rebuild
        # (every edit, every run, issuing) must not overwrite it.
        if draft.purchase_order is not None and not invoice.po_number_edited:
            invoice.po_number = draft.purchase_order.number
        if not invoice.engagement_number_edited:
            invoice.engagement_number = _default_engagement(deal, invoice.po_number, invoice.engagement_number)
        invoice.service_code = profile.chorus_service_code if deal.client.is_public_sector else ""
        invoice.currency = deal.currency
        invoice.language = profile.invoice_language
        invoice.period_start, invoice.period_end = self.start, self.end
        invoice.run = self.run
        invoice.ease = draft.ease

    def _finish(self, invoice: Invoice, draft: Draft, lines: list[InvoiceLine]) -> None:
        deal = draft.deal
        invoice._kept_lines = [line for line in lines if not line.is_generated and line.pk]
        invoice.updated_at = self.now
        invoice.vat_regime = vat_regime_for(deal.client, self.policy)
        result = totals.compute(((line.net_amount, line.vat_rate) for line in lines), vat_category(invoice.vat_regime))
        invoice.total_net, invoice.total_vat, invoice.total_gross = result.net, result.vat, result.gross
        po = invoice.purchase_order
        remaining = None
        if po is not None and po.amount is not None:
            remaining = po.amount - (self.po_invoiced.get(po.pk) or ZERO)
        recipients = self.deal_recipients.get(deal.pk) or self.contacts.get(deal.client_id) or []
        facts = readiness.InvoiceFacts(
            deal=deal,
            month=self.month,
            now=self.now,
            po_number=invoice.po_number,
            engagement_number=invoice.engagement_number,
            invoice_id=invoice.pk,
            po_remaining=remaining,
            net_amount=invoice.total_net,
            recipients=recipients,
            time_lines=draft.time_facts,
            milestones=draft.milestone_facts,
            is_empty=not lines,
            vat_regime=invoice.vat_regime,
        )
        invoice.checks = readiness.compute_checks(facts)
        was = invoice.readiness  # a new draft starts ready
        invoice.readiness = readiness.readiness_of(invoice.checks)
        invoice._turned_blocked = invoice.readiness == Readiness.BLOCKED and was != Readiness.BLOCKED


def _default_engagement(deal: Deal, po_number: str, current: str) -> str:
    """A public client's engagement number (numéro d'engagement juridique, Chorus Pro) unless typed
    on the pre-invoice: its purchase order's number (the deal's, or typed on the pre-invoice: a
    public order's number is its engagement), else what the draft had."""
    if not deal.client.is_public_sector:
        return ""
    return po_number or current


UPDATED_FIELDS = [
    "client",
    "deal",
    "purchase_order",
    "consultant",
    "po_number",
    "engagement_number",
    "service_code",
    "currency",
    "language",
    "period_start",
    "period_end",
    "run",
    "ease",
    "vat_regime",
    "total_net",
    "total_vat",
    "total_gross",
    "checks",
    "readiness",
    "updated_at",
]


# What a rerun compares to decide whether a draft or its generated lines changed (not `run` nor
# `updated_at`: a draft that says the same is not rewritten).
COMPARED_FIELDS = [
    "client_id",
    "deal_id",
    "purchase_order_id",
    "consultant_id",
    "po_number",
    "engagement_number",
    "service_code",
    "currency",
    "language",
    "period_start",
    "period_end",
    "ease",
    "vat_regime",
    "total_net",
    "total_vat",
    "total_gross",
    "checks",
    "readiness",
]
LINE_FIELDS = [
    "kind",
    "label",
    "detail",
    "quantity",
    "unit",
    "unit_price",
    "vat_rate",
    "net_amount",
    "position",
    "assignment_id",
    "timesheet_id",
    "timesheet_line_id",
    "milestone_id",
    "subscription_id",
    "subscription_period_start",
    "period_start",
    "period_end",
    "is_edited",
    "is_extra",
    "reception_number",
]


def _comparable(value):
    # 650.00 read from a rate and 650.0000 read back from a price are the same amount.
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | dict):
        # jsonb does not keep key order: compare canonical JSON.
        return json.dumps(value, sort_keys=True, default=str)
    return value


def _state(obj, fields: list[str]) -> tuple:
    return tuple(_comparable(getattr(obj, name)) for name in fields)


def _source(line: InvoiceLine) -> tuple:
    """What a generated line bills: a person's rewording of it survives a rerun."""
    return (
        line.kind,
        line.timesheet_line_id,
        line.is_extra,
        line.milestone_id,
        line.subscription_id,
        line.subscription_period_start,
    )


def build_deals(month: datetime.date, deal_ids: list, run=None) -> BuildStats:
    """Build or refresh the month's pre-invoices of these deals, inside the caller's transaction."""
    builder = _Builder(month, deal_ids, run)
    builder.load()
    builder.time()
    builder.milestones()
    builder.subscriptions()
    return builder.write()
