"""The domain signals of every floor, turned into webhook events (connected when the app is ready).

Signals are sent inside the writing transaction: the event rows are written there too (the
outbox), so a rolled-back action records nothing and sends nothing. A receiver's own failure must
never undo the business action: it runs in a savepoint, and an error is logged and dropped.
"""

from __future__ import annotations

import functools
import logging

from django.db import transaction
from django.dispatch import receiver

from billing import signals as billing_signals
from deals.signals import deal_signed
from documents.signals import document_stored
from timesheets.signals import timesheet_approved

from . import payloads, services

logger = logging.getLogger(__name__)


def _guarded(func):
    @functools.wraps(func)
    def wrapper(sender, **kwargs):
        try:
            with transaction.atomic():
                func(**kwargs)
        except Exception:  # the action stands; the event is lost, and said so in the logs
            logger.exception("Webhook event not recorded (%s)", func.__name__)

    return wrapper


def _invoices(event_type: str, ids, **extra) -> None:
    rows = payloads.invoices(ids)
    services.events_record(event_type, [{**rows[str(i)], **extra} for i in ids if str(i) in rows])


@receiver(billing_signals.invoices_issued, dispatch_uid="webhooks.invoices_issued")
@_guarded
def on_invoices_issued(*, invoice_ids, **kwargs):
    _invoices("invoice.issued", invoice_ids)


@receiver(billing_signals.invoice_sent, dispatch_uid="webhooks.invoice_sent")
@_guarded
def on_invoice_sent(*, invoice_id, channel="", **kwargs):
    _invoices("invoice.sent", [invoice_id], channel=channel)


@receiver(billing_signals.invoice_status_changed, dispatch_uid="webhooks.invoice_status_changed")
@_guarded
def on_invoice_status_changed(*, invoice_id, status, previous="", reason="", **kwargs):
    _invoices(
        "invoice.status_changed", [invoice_id],
        platform_status={"status": status, "previous": previous or None, "reason": reason or ""},
    )  # fmt: skip


@receiver(billing_signals.invoice_paid, dispatch_uid="webhooks.invoice_paid")
@_guarded
def on_invoice_paid(*, invoice_id, **kwargs):
    _invoices("invoice.paid", [invoice_id])


@receiver(billing_signals.credit_note_issued, dispatch_uid="webhooks.credit_note_issued")
@_guarded
def on_credit_note_issued(*, invoice_id, **kwargs):
    _invoices("credit_note.issued", [invoice_id])


@receiver(billing_signals.payment_recorded, dispatch_uid="webhooks.payment_recorded")
@_guarded
def on_payment_recorded(*, payment_id, **kwargs):
    services.events_record("payment.recorded", [payloads.payment(payment_id)])


@receiver(billing_signals.pre_invoice_blocked, dispatch_uid="webhooks.pre_invoice_blocked")
@_guarded
def on_pre_invoice_blocked(*, invoice_id, reasons=(), **kwargs):
    services.events_record("pre_invoice.blocked", [payloads.pre_invoice(invoice_id, list(reasons))])


@receiver(timesheet_approved, dispatch_uid="webhooks.timesheet_approved")
@_guarded
def on_timesheet_approved(*, timesheet_id, **kwargs):
    services.events_record("timesheet.approved", [payloads.timesheet(timesheet_id)])


@receiver(deal_signed, dispatch_uid="webhooks.deal_signed")
@_guarded
def on_deal_signed(*, deal_id, **kwargs):
    services.events_record("deal.signed", [payloads.deal(deal_id)])


@receiver(document_stored, dispatch_uid="webhooks.document_stored")
@_guarded
def on_document_stored(*, document_id, version_id, **kwargs):
    services.events_record("document.uploaded", [payloads.document(document_id, version_id)])
