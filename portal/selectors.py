"""What the portal pages show, read inside the contact's portal scope (row-level security keeps
every query to their clients; the filters here say what each page is about). Constant query
counts: each page reads its rows in a few queries whatever their number."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from billing.models import Invoice, InvoiceKind, InvoiceStatus
from clients.models import Contact
from deals.models import Deal, PurchaseOrder
from timesheets.models import TimesheetEntry, TimesheetLine

from . import evidence, services
from .models import PortalContact


@dataclass
class PendingTimesheet:
    approval: object
    consultant: str
    month: datetime.date
    deal_reference: str
    deal_title: str
    client_name: str
    total: Decimal
    sha256: str
    days: list = field(default_factory=list)


def pending_timesheets() -> list[PendingTimesheet]:
    approvals = list(
        services.awaiting_approvals()
        .select_related("timesheet__consultant__user", "deal__client")
        .order_by("-timesheet__month", "deal__reference", "timesheet__consultant__user__last_name")
    )
    entries = defaultdict(list)
    for entry in TimesheetEntry.objects.filter(
        line__timesheet_id__in=[a.timesheet_id for a in approvals], line__assignment__deal_id__in=[a.deal_id for a in approvals]
    ).values("line__timesheet_id", "line__assignment__deal_id", "day", "quantity", "is_extra").order_by("day"):
        entries[(entry["line__timesheet_id"], entry["line__assignment__deal_id"])].append(entry)
    rows = []
    for approval in approvals:
        days = entries[(approval.timesheet_id, approval.deal_id)]
        user = approval.timesheet.consultant.user
        rows.append(PendingTimesheet(
            approval=approval, consultant=user.get_full_name() or user.email, month=approval.timesheet.month,
            deal_reference=approval.deal.reference, deal_title=approval.deal.title, client_name=approval.deal.client.display_name,
            total=sum((d["quantity"] for d in days if not d["is_extra"]), Decimal("0")),
            sha256=evidence.digest(evidence.timesheet_content(approval)), days=days,
        ))
    return rows


def pending_milestones() -> list[dict]:
    rows = []
    for milestone in services.awaiting_milestones().select_related("deal__client").order_by("due_date", "label"):
        rows.append({"milestone": milestone, "sha256": evidence.digest(evidence.milestone_content(milestone))})
    return rows


def _requires(deal: Deal, name: str) -> bool:
    override = getattr(deal, name)
    if override is not None:
        return override
    profile = getattr(deal.client, "billing_profile", None)
    return bool(profile and getattr(profile, name))


def reception_lines(since: datetime.date) -> list[TimesheetLine]:
    """Consultant-months (one line per deal) from `since`, of the deals that require a
    reception number, not yet billed."""
    lines = list(
        TimesheetLine.objects.filter(assignment__isnull=False, timesheet__month__gte=since, timesheet__locked_at__isnull=True)
        .filter(Q(entries__isnull=False)).distinct()
        .select_related("assignment__deal__client__billing_profile", "timesheet__consultant__user")
        .order_by("-timesheet__month", "assignment__deal__reference")
    )
    return [
        line for line in lines
        if line.assignment.reception_number_required or _requires(line.assignment.deal, "reception_number_required")
    ]


def deals_needing_po() -> list[dict]:
    deals = [
        deal for deal in Deal.objects.select_related("client__billing_profile").exclude(status__in=["lost", "closed", "draft"]).order_by("reference")
        if _requires(deal, "purchase_order_required")
    ]
    orders = defaultdict(list)
    for po in PurchaseOrder.objects.filter(deal__in=deals).values("deal_id", "number", "amount").order_by("created_at"):
        orders[po["deal_id"]].append(po)
    return [{"deal": deal, "orders": orders[deal.pk]} for deal in deals]


def display_status(invoice: Invoice, today: datetime.date) -> tuple[str, str]:
    """(code, label) of the status a client understands."""
    from django.utils.translation import gettext as _

    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return "credit_note", _("Avoir")
    if invoice.status == InvoiceStatus.PAID:
        return "paid", _("Payée")
    if invoice.status == InvoiceStatus.CREDITED:
        return "credited", _("Annulée par avoir")
    if invoice.due_date and invoice.due_date < today and invoice.balance > 0:
        return "overdue", _("En retard")
    if invoice.status == InvoiceStatus.PARTIALLY_PAID:
        return "partially_paid", _("Payée en partie")
    if invoice.deposited_at:
        return "deposited", _("Déposée")
    if invoice.status == InvoiceStatus.SENT:
        return "sent", _("Envoyée")
    return "issued", _("Émise")


def invoices() -> list[dict]:
    from .models import InvoiceDispute

    today = timezone.localdate()
    rows = list(
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT).select_related("client")
        .only(
            "kind", "status", "number", "issue_date", "due_date", "total_gross", "amount_paid", "amount_credited", "currency",
            "deposited_at", "render_status", "pdf_file", "xml_file", "client__legal_name", "client__trade_name",
        )
        .order_by("-issue_date", "-number")
    )
    disputed = set(InvoiceDispute.objects.filter(resolved_at__isnull=True).values_list("invoice_id", flat=True))
    result = []
    for invoice in rows:
        code, label = display_status(invoice, today)
        result.append({"invoice": invoice, "status": code, "status_label": label, "disputed": invoice.pk in disputed})
    return result


def staff_contacts(client) -> list[dict]:
    """The staff page's list: the client's contacts and their portal access."""
    accesses = {pc.contact_id: pc for pc in PortalContact.objects.filter(client=client)}
    return [{"contact": c, "access": accesses.get(c.pk)} for c in Contact.objects.filter(client=client).order_by("last_name", "first_name")]
