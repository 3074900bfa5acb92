"""Supplier invoices received (contractors billing the firm): fetched from the platform (or
entered by hand on the manual path), matched against the contractor's approved timesheet days ×
purchase daily rate for the month billed, then approved or refused with a reason; the decision
goes back to the platform as a lifecycle status (approuvée 205, refusée 210) by a task after
commit, retried with backoff.

The matching rule: expected net = Σ over the approved timesheet of that month, per assignment, of
the days entered × the assignment's purchase daily rate (rounded to the cent); the invoice's net
must equal it to the cent. Without a supplier identity for the seller's SIREN the invoice is
flagged "unknown supplier"; without approved days, "no timesheet". Approving a flagged invoice
needs a reason, refusing always does.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.errors import Conflict, DomainError
from adv.tenancy.models import Membership
from timesheets.models import TimesheetEntry, TimesheetStatus

from . import access, connectors
from .account import account
from .errors import EinvoicingErrorCode
from .models import (
    SupplierIdentity,
    SupplierInvoice,
    SupplierInvoiceSource,
    SupplierInvoiceState,
    SupplierMatch,
)
from .statuses import Lifecycle

CENT = Decimal("0.01")
MAX_ATTEMPTS = 8


def period_of(issue_date: datetime.date, period_start: datetime.date | None) -> datetime.date:
    """The month billed: the invoice's period when it gives one, else the month before its date
    (a contractor bills the month just worked)."""
    if period_start is not None:
        return period_start.replace(day=1)
    return (issue_date.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def expected_for(membership_id, month: datetime.date) -> tuple[Decimal, Decimal]:
    """(days, net amount) the contractor may bill for the month: approved days × purchase rate."""
    rows = (
        TimesheetEntry.objects.filter(
            line__timesheet__consultant_id=membership_id, line__timesheet__month=month,
            line__timesheet__status=TimesheetStatus.APPROVED, line__assignment__isnull=False,
        )
        .values("line__assignment__purchase_daily_rate")
        .annotate(days=Sum("quantity"))
    )
    days, amount = Decimal(0), Decimal(0)
    for row in rows:
        days += row["days"]
        amount += row["days"] * (row["line__assignment__purchase_daily_rate"] or Decimal(0))
    return days, amount.quantize(CENT, rounding=ROUND_HALF_UP)


def match(invoice: SupplierInvoice) -> None:
    """Set the invoice's supplier, expected days and amount, and its match (not saved)."""
    supplier = invoice.supplier or SupplierIdentity.objects.filter(siren=invoice.seller_siren).first()
    invoice.supplier = supplier
    if supplier is None:
        invoice.expected_days = invoice.expected_net = None
        invoice.match = SupplierMatch.UNKNOWN_SUPPLIER
        return
    days, amount = expected_for(supplier.membership_id, invoice.month)
    invoice.expected_days, invoice.expected_net = days, amount
    if days == 0:
        invoice.match = SupplierMatch.NO_TIMESHEET
    elif invoice.total_net == amount:
        invoice.match = SupplierMatch.MATCHED
    else:
        invoice.match = SupplierMatch.DIFFERS


def supplier_invoices_fetch() -> dict:
    """The invoices received on the firm's platform since the last one stored; each stored once
    (its flow id), matched."""
    counts = {"stored": 0, "known": 0}
    connector = connectors.platform_for(account())
    if not connector.automatic:
        return counts
    since = (SupplierInvoice.objects.filter(source=SupplierInvoiceSource.PLATFORM)
             .aggregate(last=Max("received_at"))["last"])
    for incoming in connector.fetch_supplier_invoices(since):
        if SupplierInvoice.objects.filter(platform_id=incoming.flow_id).exists():
            counts["known"] += 1
            continue
        invoice = SupplierInvoice(
            source=SupplierInvoiceSource.PLATFORM, platform_id=incoming.flow_id[:100],
            seller_siren=incoming.seller_siren[:9], seller_name=incoming.seller_name[:200],
            number=incoming.number[:100], issue_date=incoming.issue_date,
            month=period_of(incoming.issue_date, incoming.period_start), currency=incoming.currency[:3],
            total_net=incoming.total_net, total_vat=incoming.total_vat, total_gross=incoming.total_gross,
            received_at=incoming.received_at,
        )
        match(invoice)
        try:
            with transaction.atomic():
                invoice.save()
        except IntegrityError:  # the same number from the same seller again, or a concurrent fetch
            counts["known"] += 1
            continue
        counts["stored"] += 1
    return counts


@transaction.atomic
def supplier_invoice_enter(*, actor: Membership, supplier: SupplierIdentity, number: str, issue_date: datetime.date,
                           month: datetime.date, total_net: Decimal, total_vat: Decimal) -> SupplierInvoice:
    """The manual path: an invoice received outside a platform, entered by hand."""
    access.require_manage(actor)
    if total_net < 0 or total_vat < 0 or not number.strip():
        raise DomainError(_("Numéro et montants (positifs) sont obligatoires."), code=EinvoicingErrorCode.SUPPLIER_INVALID)
    if SupplierInvoice.objects.filter(seller_siren=supplier.siren, number=number.strip()).exists():
        raise Conflict(_("Cette facture de ce fournisseur est déjà enregistrée."), code=EinvoicingErrorCode.SUPPLIER_INVALID,
                       field="number")
    invoice = SupplierInvoice(
        supplier=supplier, source=SupplierInvoiceSource.MANUAL, seller_siren=supplier.siren,
        seller_name=supplier.company_name, number=number.strip(), issue_date=issue_date, month=month.replace(day=1),
        total_net=total_net, total_vat=total_vat, total_gross=total_net + total_vat, received_at=timezone.now(),
    )
    match(invoice)
    invoice.save()
    return invoice


@transaction.atomic
def supplier_identity_save(*, actor: Membership, membership: Membership, company_name: str, siren: str) -> SupplierIdentity:
    """A contractor's company (its SIREN identifies its invoices); the unmatched invoices of that
    SIREN are matched again."""
    access.require_manage(actor)
    if not membership.is_contractor:
        raise DomainError(_("Seuls les consultants externes facturent le cabinet."),
                          code=EinvoicingErrorCode.SUPPLIER_NOT_CONTRACTOR, field="membership")
    identity = SupplierIdentity.objects.filter(membership=membership).first() or SupplierIdentity(membership=membership)
    identity.company_name, identity.siren = company_name.strip(), siren.replace(" ", "")
    try:
        identity.full_clean(exclude=["tenant", "membership"], validate_unique=False)
    except ValidationError as exc:
        errors = exc.message_dict
        field = next(iter(errors))
        raise DomainError(errors[field][0], code=EinvoicingErrorCode.SUPPLIER_INVALID, field=field,
                          errors=errors) from exc
    if SupplierIdentity.objects.filter(siren=identity.siren).exclude(pk=identity.pk).exists():
        raise Conflict(_("Ce SIREN est déjà celui d'un autre consultant externe."), code=EinvoicingErrorCode.SUPPLIER_INVALID,
                       field="siren")
    identity.save()
    for invoice in SupplierInvoice.objects.filter(seller_siren=identity.siren, state=SupplierInvoiceState.RECEIVED):
        invoice.supplier = None
        match(invoice)
        invoice.save(update_fields=["supplier", "expected_days", "expected_net", "match", "updated_at"])
    return identity


@transaction.atomic
def supplier_invoice_decide(*, actor: Membership, invoice_id, approve: bool, reason: str = "") -> SupplierInvoice:
    """Approve or refuse an invoice received; the decision is sent to the platform after commit."""
    access.require_manage(actor)
    invoice = SupplierInvoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.state != SupplierInvoiceState.RECEIVED:
        raise Conflict(_("Cette facture fournisseur a déjà été traitée."), code=EinvoicingErrorCode.SUPPLIER_ALREADY_DECIDED)
    reason = reason.strip()
    if not reason and (not approve or invoice.match != SupplierMatch.MATCHED):
        message = (_("Le motif du refus est obligatoire : il est transmis au fournisseur.") if not approve else
                   _("Cette facture ne correspond pas aux CRA validés : indiquez pourquoi vous l'approuvez."))
        raise DomainError(message, code=EinvoicingErrorCode.SUPPLIER_REASON_REQUIRED, field="reason")
    invoice.state = SupplierInvoiceState.APPROVED if approve else SupplierInvoiceState.REFUSED
    invoice.status = Lifecycle.APPROUVEE if approve else Lifecycle.REFUSEE
    invoice.reason, invoice.decided_by, invoice.decided_at = reason[:500], actor, timezone.now()
    invoice.save()
    if invoice.platform_id:
        _queue(invoice)
    return invoice


def _queue(invoice: SupplierInvoice) -> None:
    from .tasks import send_supplier_status

    send_task_on_commit(send_supplier_status, str(invoice.tenant_id), str(invoice.pk),
                        recovery="the e-invoicing sweep sends the decisions not yet sent")


def supplier_status_send(invoice_id) -> str:
    """Send the decision to the platform ("sent", "already", "none"); raises PlatformError when a
    retry is due, after recording the attempt."""
    invoice = SupplierInvoice.objects.filter(pk=invoice_id).first()
    if invoice is None or not invoice.status or not invoice.platform_id:
        return "none"
    if invoice.status_sent_at is not None:
        return "already"
    connector = connectors.platform_for(account())
    try:
        connector.send_supplier_status(invoice.platform_id, invoice.status, invoice.reason)
    except connectors.PlatformError as exc:
        SupplierInvoice.objects.filter(pk=invoice.pk).update(
            status_attempts=invoice.status_attempts + 1, status_error=exc.message[:2000], updated_at=timezone.now())
        if not exc.retryable or invoice.status_attempts + 1 >= MAX_ATTEMPTS:
            return "failed"
        raise
    SupplierInvoice.objects.filter(pk=invoice.pk).update(
        status_sent_at=timezone.now(), status_attempts=invoice.status_attempts + 1, status_error="",
        updated_at=timezone.now())
    return "sent"


def due_supplier_statuses() -> list[str]:
    return [str(pk) for pk in SupplierInvoice.objects.filter(
        status_sent_at__isnull=True, status_attempts__lt=MAX_ATTEMPTS).exclude(status="").exclude(platform_id="")
        .values_list("pk", flat=True)[:500]]
