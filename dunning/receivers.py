"""Collections react to billing's events (billing/signals.py), inside the sender's transaction:
a payment checks the invoice's pending promise (and a balance at zero stops the reminders by
itself: only overdue invoices with something left to pay are reminded), a dispute pauses the
reminders until it is closed. Database writes only; nothing leaves before the commit."""

from __future__ import annotations

from billing import signals


def on_payment(sender, invoice_id, **kwargs) -> None:
    from .services import promise_check_invoice

    promise_check_invoice(invoice_id=invoice_id)


def on_dispute(sender, invoice_id, disputed, reason="", source="staff", **kwargs) -> None:
    from .services import dispute_record

    dispute_record(invoice_id=invoice_id, disputed=disputed, reason=reason, source=source)


def connect() -> None:
    signals.payment_recorded.connect(on_payment, dispatch_uid="dunning.payment_recorded")
    signals.invoice_paid.connect(on_payment, dispatch_uid="dunning.invoice_paid")
    signals.invoice_disputed.connect(on_dispute, dispatch_uid="dunning.invoice_disputed")
