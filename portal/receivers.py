"""The portal listens to billing's dispute event (billing/signals.py): when the firm closes a
dispute (the dunning's "Reprendre les relances", the e-invoicing platform), the client's open
dispute of that invoice is marked resolved, so the portal stops showing it "contestée" and the
client may flag a new one. Runs in the sender's transaction."""

from __future__ import annotations

from django.utils import timezone

from billing import signals


def on_dispute(sender, invoice_id, disputed, **kwargs) -> None:
    from .models import InvoiceDispute

    if not disputed:
        InvoiceDispute.objects.filter(invoice_id=invoice_id, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), updated_at=timezone.now()
        )


def connect() -> None:
    signals.invoice_disputed.connect(on_dispute, dispatch_uid="portal.invoice_disputed")
