from django.dispatch import Signal

# Sent inside the writing transaction when something a pre-invoice's checks read about a client
# changed: identity and billing address, billing profile, invoice recipients. Higher floors listen
# (billing refreshes the client's pre-invoices after commit). Keyword: client_id.
client_billing_changed = Signal()
