from django.dispatch import receiver

from adv.tenancy.signals import tenant_created


@receiver(tenant_created)
def seed_document_types(sender, tenant, **kwargs):
    from .services import document_types_seed_defaults

    document_types_seed_defaults()
