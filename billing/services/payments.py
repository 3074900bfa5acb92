"""Payments recorded against issued invoices, and their cancellation."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError, NotFound
from adv.tenancy.models import Membership
from adv.ui.numbers import format_money

from .. import access, signals
from ..errors import BillingErrorCode
from ..models import (
    OPEN_STATUSES,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from .common import decimal_or_error


def invoice_settle(invoice: Invoice) -> None:
    """Status from what was paid (never back to draft). A credit note lowers what is due (the
    balance), it is not a payment: a partly credited invoice with nothing paid stays issued or sent
    (its balance shows what remains due); one wholly covered by credit notes with nothing paid is
    "credited", not "paid"."""
    if invoice.balance <= 0:
        invoice.status = InvoiceStatus.PAID if invoice.amount_paid > 0 else InvoiceStatus.CREDITED
    elif invoice.amount_paid > 0:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    elif invoice.sent_at:
        invoice.status = InvoiceStatus.SENT
    else:
        invoice.status = InvoiceStatus.ISSUED


@transaction.atomic
def payment_record(
    *,
    actor: Membership,
    invoice: Invoice,
    amount,
    paid_on: datetime.date,
    method: str = "transfer",
    reference: str = "",
    bank_fingerprint: str | None = None,
) -> Payment:
    access.require_bill(actor)
    invoice = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if invoice is None or invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN_STATUSES:
        raise Conflict(_("Un paiement s'enregistre sur une facture émise, non soldée."), code=BillingErrorCode.NOT_PAYABLE)
    value = decimal_or_error(amount, "amount")
    if value <= 0:
        raise DomainError(_("Le montant doit être positif."), code=BillingErrorCode.INVALID_AMOUNT, field="amount")
    if value > invoice.balance:
        raise DomainError(
            _("Le paiement (%(amount)s) dépasse le reste dû (%(balance)s).")
            % {"amount": format_money(value, invoice.currency), "balance": format_money(invoice.balance, invoice.currency)},
            code=BillingErrorCode.OVERPAYMENT,
            field="amount",
        )
    if paid_on is None:
        raise DomainError(_("Indiquez la date du paiement."), code=BillingErrorCode.REQUIRED, field="paid_on")
    if paid_on > timezone.localdate() + datetime.timedelta(days=1):
        raise DomainError(_("La date du paiement est dans le futur."), code=BillingErrorCode.FUTURE_DATE, field="paid_on")
    if method not in PaymentMethod.values:
        raise DomainError(_("Mode de paiement inconnu."), code=BillingErrorCode.INVALID_METHOD, field="method")
    payment = Payment.objects.create(
        invoice=invoice,
        amount=value,
        paid_on=paid_on,
        method=method,
        reference=(reference or "").strip()[:200],
        recorded_by=actor,
        bank_fingerprint=bank_fingerprint,
    )
    invoice.amount_paid += value
    invoice_settle(invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    signals.payment_recorded.send(
        sender=Payment, payment_id=str(payment.pk), invoice_id=str(invoice.pk), actor_id=str(actor.pk)
    )
    if invoice.status == InvoiceStatus.PAID:
        signals.invoice_paid.send(sender=Invoice, invoice_id=str(invoice.pk))
    return payment


@transaction.atomic
def payment_cancel(*, actor: Membership, payment: Payment) -> Invoice:
    """Remove a payment recorded by mistake: the invoice's balance and status follow. The payment
    stays in the audit trail (its deletion is recorded with its author)."""
    access.require_bill(actor)
    payment = Payment.objects.select_for_update().filter(pk=payment.pk).first()
    if payment is None:
        raise NotFound(_("Paiement introuvable."))
    invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
    invoice.amount_paid -= payment.amount
    payment_id = str(payment.pk)
    payment.delete()
    invoice_settle(invoice)
    invoice.save(update_fields=["amount_paid", "status", "updated_at"])
    signals.payment_cancelled.send(sender=Payment, payment_id=payment_id, invoice_id=str(invoice.pk), actor_id=str(actor.pk))
    return invoice


# --- Chasing and preferences --------------------------------------------------------------------
