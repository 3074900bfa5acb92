from django.dispatch import Signal, receiver

from adv.tenancy.signals import tenant_created

# A document's file stored: a new document or a new version of one. Sent inside the writing
# transaction (receivers with side effects wait for commit). Keywords: document_id, version_id,
# client_id, deal_id (or None), actor_id.
document_stored = Signal()


@receiver(tenant_created)
def seed_document_types(sender, tenant, **kwargs):
    from .services import document_types_seed_defaults  # services import this module (document_stored)

    document_types_seed_defaults()
