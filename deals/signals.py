"""Signals of the deals floor, for the floors above it (never importing them)."""

from django.dispatch import Signal

# Sent inside the writing transaction when something a pre-invoice's checks read about a deal
# changed: signature or provisional validation, purchase orders, milestones and their documents,
# invoice recipients. Billing listens and refreshes the deal's pre-invoices after commit.
# Keyword: deal_id.
deal_billing_changed = Signal()

# A deal's signature recorded (inside the writing transaction). Keywords: deal_id, actor_id.
deal_signed = Signal()
