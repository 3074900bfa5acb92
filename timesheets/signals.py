from django.dispatch import receiver

from adv.tenancy.signals import tenant_created


@receiver(tenant_created)
def seed_absence_types(sender, tenant, **kwargs):
    from .services import absence_types_seed_defaults

    absence_types_seed_defaults()
