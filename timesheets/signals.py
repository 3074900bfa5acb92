from django.dispatch import Signal, receiver

from adv.tenancy.signals import tenant_created

# Sent inside the writing transaction when something a pre-invoice's checks read about a
# timesheet changed: the client's approval or signed copy, a reception number. Billing listens and
# refreshes the pre-invoices billing this timesheet after commit. Keyword: timesheet_id.
timesheet_billing_changed = Signal()
# A timesheet approved by its manager (or the ADV). Keywords: timesheet_id, actor_id.
timesheet_approved = Signal()
# A client's decision on a timesheet (approved or refused), through the link or the portal.
# Keywords: approval_id, timesheet_id, approved (bool).
timesheet_client_decided = Signal()


@receiver(tenant_created)
def seed_absence_types(sender, tenant, **kwargs):
    from .services import absence_types_seed_defaults

    absence_types_seed_defaults()
