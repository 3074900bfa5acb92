"""Credit notes: total or partial, numbered in their own series, crediting one issued invoice."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import Conflict, DomainError
from adv.tenancy.models import Membership
from adv.ui.numbers import format_money
from deals.models import Milestone, MilestoneStatus, Subscription

from .. import access, numbering, signals
from ..errors import BillingErrorCode
from ..models import (
    Invoice,
    InvoiceKind,
    InvoiceLine,
    LineKind,
    Series,
    Unit,
)
from .common import ZERO, current_tenant, decimal_or_error, policy
from .issuing import invoice_freeze, renders_schedule
from .payments import invoice_settle


@transaction.atomic
def credit_note_create(
    *,
    actor: Membership,
    invoice: Invoice,
    reason: str,
    amount=None,
    vat_rate=None,
    issue_date: datetime.date | None = None,
) -> Invoice:
    """A credit note on an issued invoice: the whole invoice (no amount), or a partial amount (HT)."""
    access.require_bill(actor)
    tenant = current_tenant()
    origin = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("client__billing_profile")
        .filter(pk=invoice.pk)
        .first()
    )
    if origin is None or origin.kind != InvoiceKind.INVOICE or not origin.is_issued:
        raise Conflict(_("Un avoir porte sur une facture émise."), code=BillingErrorCode.NOT_ISSUED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de l'avoir."), code=BillingErrorCode.REQUIRED, field="reason")
    remaining = origin.total_gross - origin.amount_credited
    if remaining <= 0:
        raise Conflict(_("Cette facture est déjà entièrement couverte par des avoirs."), code=BillingErrorCode.FULLY_CREDITED)
    issue_date = issue_date or timezone.localdate()
    if issue_date < origin.issue_date:
        raise DomainError(_("Un avoir ne peut pas précéder la facture."), code=BillingErrorCode.INVALID_DATE, field="issue_date")
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        month=origin.month,
        client=origin.client,
        deal=origin.deal,
        purchase_order=origin.purchase_order,
        credited_invoice=origin,
        credit_reason=reason[:300],
        currency=origin.currency,
        language=origin.language,
        po_number=origin.po_number,
        engagement_number=origin.engagement_number,
        buyer_reference=origin.buyer_reference,
        service_code=origin.service_code,
        period_start=origin.period_start,
        period_end=origin.period_end,
    )
    lines: list[InvoiceLine] = []
    if amount in (None, ""):
        if origin.amount_credited > 0:
            raise Conflict(
                _("Un avoir partiel existe déjà : indiquez le montant restant à créditer."), code=BillingErrorCode.PARTIALLY_CREDITED
            )
        for line in origin.lines.all():
            lines.append(
                InvoiceLine(
                    kind=line.kind,
                    label=line.label,
                    detail=line.detail,
                    quantity=line.quantity,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    net_amount=line.net_amount,
                    position=line.position,
                    reception_number=line.reception_number,
                )
            )
    else:
        value = decimal_or_error(amount, "amount")
        rate = decimal_or_error(vat_rate, "vat_rate") if vat_rate not in (None, "") else _main_rate(origin)
        rates = {line.vat_rate for line in origin.lines.all()}
        if rates and rate not in rates:
            raise DomainError(
                _("Un avoir reprend les taux de TVA de la facture : choisissez l'un de ses taux (%(rates)s %%).")
                % {"rates": ", ".join(sorted(f"{r.normalize():f}" for r in rates))},
                code=BillingErrorCode.INVALID_VAT_RATE,
                field="vat_rate",
            )
        if value <= 0:
            raise DomainError(_("Le montant de l'avoir doit être positif."), code=BillingErrorCode.INVALID_AMOUNT, field="amount")
        lines.append(
            InvoiceLine(
                kind=LineKind.MANUAL,
                label=_("Avoir partiel sur la facture %(number)s : %(reason)s")
                % {"number": origin.number, "reason": reason},
                quantity=Decimal("1"),
                unit=Unit.UNIT,
                unit_price=value,
                vat_rate=rate,
                net_amount=value,
            )
        )
    note.save()
    for line in lines:
        line.invoice = note
    InvoiceLine.objects.bulk_create([_stamp(line) for line in lines])
    rules = policy()
    note = (
        Invoice.objects.select_related("client__billing_profile", "credited_invoice")
        .prefetch_related("lines")
        .get(pk=note.pk)
    )
    invoice_freeze(note, tenant=tenant, rules=rules, issue_date=issue_date, actor=actor)
    if note.total_gross > remaining:
        raise DomainError(
            _("L'avoir (%(amount)s TTC) dépasse ce qui reste à créditer sur la facture (%(remaining)s TTC).")
            % {"amount": format_money(note.total_gross, note.currency), "remaining": format_money(remaining, note.currency)},
            code=BillingErrorCode.CREDIT_EXCEEDS_INVOICE,
            field="amount",
        )
    note.number = numbering.take_numbers(Series.CREDIT_NOTE, issue_date.year, rules.credit_note_number_format, 1)[0]
    note.render_status = "pending"
    note.save()
    origin.amount_credited = F("amount_credited") + note.total_gross
    origin.save(update_fields=["amount_credited", "updated_at"])
    origin.refresh_from_db()
    invoice_settle(origin)
    origin.save(update_fields=["status", "updated_at"])
    if origin.amount_credited >= origin.total_gross:
        _give_back(origin)
    renders_schedule([note.pk])
    signals.credit_note_issued.send(
        sender=Invoice, invoice_id=str(note.pk), credited_invoice_id=str(origin.pk), actor_id=str(actor.pk)
    )
    return note


def _give_back(origin: Invoice) -> None:
    """A fully credited invoice bills nothing any more: its milestones and subscription periods
    become billable again (its time already is: the run skips lines of fully credited invoices)."""
    from deals.services import first_billing_date

    lines = list(origin.lines.all())
    milestone_ids = [line.milestone_id for line in lines if line.milestone_id]
    for milestone in Milestone.objects.filter(pk__in=milestone_ids, status=MilestoneStatus.INVOICED):
        milestone.status = MilestoneStatus.READY if milestone.document_id else MilestoneStatus.DUE
        milestone.invoiced_at = None
        milestone.save(update_fields=["status", "invoiced_at", "updated_at"])
    for line in lines:
        if not (line.subscription_id and line.subscription_period_start):
            continue
        subscription = Subscription.objects.select_for_update().get(pk=line.subscription_id)
        period_date = first_billing_date(line.subscription_period_start, subscription.period, subscription.timing)
        if subscription.next_billing_date > period_date:
            subscription.next_billing_date = period_date
            subscription.is_active = True
            subscription.save(update_fields=["next_billing_date", "is_active", "updated_at"])


def _stamp(line: InvoiceLine) -> InvoiceLine:
    line.tenant_id = require_tenant_id()
    return line


def _main_rate(invoice: Invoice) -> Decimal:
    rates: dict[Decimal, Decimal] = {}
    for line in invoice.lines.all():
        rates[line.vat_rate] = rates.get(line.vat_rate, ZERO) + line.net_amount
    return max(rates, key=rates.get) if rates else policy().default_vat_rate


# --- Payments -------------------------------------------------------------------------------------
