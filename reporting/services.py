"""Writes of reporting: who receives the monthly report, and its sending (one business action each)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from adv.months import Month
from adv.tenancy import roles
from adv.tenancy.errors import DomainError, PermissionDenied
from adv.tenancy.models import Membership, Tenant
from adv.ui.numbers import format_decimal, format_money
from notifications.services import email_enqueue

from . import access
from .errors import ReportingErrorCode
from .models import ReportRecipient
from .report import monthly_pdf, monthly_report


def _require_manage(actor: Membership) -> None:
    if actor is None or not actor.is_active or actor.role not in roles.ADV_ROLES:
        raise PermissionDenied(_("Seuls l'ADV et les administrateurs choisissent les destinataires du rapport."))


@transaction.atomic
def recipient_add(*, actor: Membership, membership: Membership) -> ReportRecipient:
    """Add a member who reads the whole firm's reporting (admins, ADV, the accountant)."""
    _require_manage(actor)
    if not membership.is_active or not access.sees_firm(membership):
        raise DomainError(
            _("Le rapport couvre tout le cabinet : seuls les administrateurs, l'ADV et le comptable peuvent le recevoir."),
            code=ReportingErrorCode.INVALID_RECIPIENT, field="membership",
        )
    recipient, _created = ReportRecipient.objects.get_or_create(membership=membership, defaults={"added_by": actor})
    return recipient


@transaction.atomic
def recipient_remove(*, actor: Membership, recipient: ReportRecipient) -> None:
    _require_manage(actor)
    recipient.delete()


@transaction.atomic
def monthly_report_send(*, month: Month) -> int:
    """Email the month's report (PDF attached) to the chosen members, once per month (the outbox's
    idempotency key): returns the number of recipients (0: nobody chosen, or already sent)."""
    recipients = list(
        ReportRecipient.objects.filter(membership__is_active=True).select_related("membership__user").order_by("created_at")
    )
    recipients = [r for r in recipients if access.sees_firm(r.membership)]
    if not recipients:
        return 0
    tenant = Tenant.objects.get(pk=recipients[0].tenant_id)
    key = f"reporting.monthly:{month}"
    from notifications.models import OutboxEmail

    if OutboxEmail.objects.filter(idempotency_key=key).exists():
        return 0
    # Computed as the first recipient reads it (they all read the whole firm).
    report = monthly_report(recipients[0].membership, month, tenant.country or "FR")
    pdf = monthly_pdf(report, tenant, tenant.language or "fr")
    path = default_storage.save(f"reports/{tenant.pk}/rapport-{month}.pdf", ContentFile(pdf))
    last_dso = report.dso
    email_enqueue(
        to=[r.membership.user.email for r in recipients],
        template_key="reporting.monthly_report",
        context={
            "month": month.label(tenant.language or "fr"),
            "revenue": format_money(report.revenue.months[-1].total),
            "fae": format_money(report.accruals.fae_total),
            "pca": format_money(report.accruals.pca_total),
            "outstanding": format_money(report.receivables.total),
            "overdue": format_money(report.receivables.overdue),
            "dso": "—" if last_dso is None else format_decimal(last_dso, 1),
        },
        idempotency_key=key,
        attachments=[{"name": f"rapport-facturation-{month}.pdf", "path": path, "content_type": "application/pdf"}],
    )
    return len(recipients)
