from django.dispatch import Signal, receiver

from adv.tenancy.signals import tenant_created

# Sent inside the writing transaction when something a pre-invoice's checks read about a client
# changed: identity and billing address, billing profile, invoice recipients. Higher floors listen
# (billing refreshes the client's pre-invoices after commit). Keyword: client_id.
client_billing_changed = Signal()


@receiver(tenant_created)
def seed_document_types(sender, tenant, **kwargs):
    from .services import document_types_seed_defaults

    document_types_seed_defaults()
