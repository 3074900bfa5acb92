"""Domain events of the billing floor, for the floors above it (chat, reporting, dunning,
e-invoicing, webhooks) and never importing them.

Every signal is sent inside the writing transaction, after the rows are written: a receiver that
causes a side effect (an email, a webhook, a platform call) records it in the outbox or queues it
with `transaction.on_commit`, so a rolled-back action announces nothing. Keywords are ids (strings
or UUIDs), never model instances a receiver could mutate.
"""

from django.dispatch import Signal

# Pre-invoices issued together. Keywords: invoice_ids (list), actor_id.
invoices_issued = Signal()
# An invoice sent to the client by email (or deposited on a platform by hand). Keywords:
# invoice_id, actor_id, channel ("email", "platform", "manual").
invoice_sent = Signal()
# A credit note issued. Keywords: invoice_id (the credit note), credited_invoice_id, actor_id.
credit_note_issued = Signal()
# A payment recorded on an invoice (by hand, bank import, API, platform). Keywords: payment_id,
# invoice_id, actor_id (None from a platform).
payment_recorded = Signal()
# A payment cancelled. Keywords: payment_id, invoice_id, actor_id.
payment_cancelled = Signal()
# An invoice wholly paid (its balance reached zero by payments). Keywords: invoice_id.
invoice_paid = Signal()
# A lifecycle status received from an e-invoicing platform (XP Z12-012). Keywords: invoice_id,
# status, previous (or ""), reason (or "").
invoice_status_changed = Signal()
# The client disputes an invoice (portal, platform "en litige"), or the dispute is closed.
# Keywords: invoice_id, disputed (bool), reason, source ("portal", "platform", "staff").
# Dunning pauses while an invoice is disputed.
invoice_disputed = Signal()
# A pre-invoice whose checks turned blocked (it was not). Keywords: invoice_id, reasons (list).
pre_invoice_blocked = Signal()
