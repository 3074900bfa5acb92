from django.dispatch import Signal, receiver

from adv.tenancy.signals import tenant_created

# Sent inside the writing transaction when something a pre-invoice's checks read about a client
# changed: identity and billing address, billing profile, invoice recipients. Higher floors listen
# (billing refreshes the client's pre-invoices after commit). Keyword: client_id.
client_billing_changed = Signal()

# A document's file stored: a new document or a new version of one. Sent inside the writing
# transaction (receivers with side effects wait for commit). Keywords: document_id, version_id,
# client_id, deal_id (or None), actor_id.
document_stored = Signal()


@receiver(tenant_created)
def seed_document_types(sender, tenant, **kwargs):
    from .services import document_types_seed_defaults

    document_types_seed_defaults()
