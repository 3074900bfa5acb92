"""What e-invoicing does when billing announces something (billing.signals). Receivers run inside
billing's transaction: they write rows and queue tasks after commit, never call a platform."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from billing import forms_invoices, readiness, signals

from . import directory
from .models import PlatformAccount
from .statuses import Lifecycle


@receiver(signals.invoices_issued, dispatch_uid="einvoicing.invoices_issued")
def _on_issued(sender, invoice_ids, **kwargs) -> None:
    from .sending import invoices_route

    invoices_route(invoice_ids)


@receiver(signals.payment_recorded, dispatch_uid="einvoicing.payment_recorded")
def _on_payment(sender, payment_id, **kwargs) -> None:
    from .lifecycle import from_platform
    from .reporting import payment_report_create

    if not from_platform.get():  # the platform told us: nothing to tell it back
        payment_report_create(payment_id)


post_save.connect(directory._forget_build_account, sender=PlatformAccount, dispatch_uid="einvoicing.account_saved")
if directory.pre_invoice_checks not in readiness.extra_checks:
    readiness.extra_checks.append(directory.pre_invoice_checks)
if not forms_invoices.PLATFORM_STATUS_CHOICES:  # the invoices list filters on the platform status
    forms_invoices.PLATFORM_STATUS_CHOICES.extend(Lifecycle.choices)
