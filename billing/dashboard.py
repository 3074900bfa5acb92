"""What billing puts on the dashboard's "to do" list of ADV, admins and accountants: the month's
pre-invoices ready or blocked, invoices to deposit on a platform, overdue ones, failed PDFs.
One query (imported by BillingConfig.ready)."""

from __future__ import annotations

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership
from adv.ui.dashboard import WorkItem, register
from adv.ui.numbers import format_money

from . import access
from .build import billed_month
from .models import OPEN_STATUSES, Invoice, InvoiceKind, InvoiceStatus, Readiness, RenderStatus

MONEY = DecimalField(max_digits=16, decimal_places=2)


@register
def billing_work(membership: Membership) -> list[WorkItem]:
    if not access.can_read(membership):
        return []
    today = timezone.localdate()
    month = billed_month(today)
    draft = Q(status=InvoiceStatus.DRAFT, kind=InvoiceKind.INVOICE, month=month)
    issued = Q(number__isnull=False)
    overdue = Q(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__lt=today)
    balance = ExpressionWrapper(F("total_gross") - F("amount_paid") - F("amount_credited"), output_field=MONEY)
    figures = Invoice.objects.aggregate(
        ready=Count("pk", filter=draft & Q(readiness__in=[Readiness.READY, Readiness.ACTION])),
        blocked=Count("pk", filter=draft & Q(readiness=Readiness.BLOCKED)),
        to_deposit=Count(
            "pk",
            filter=issued & Q(deposited_at__isnull=True) & ~Q(client__billing_profile__einvoicing_platform="none"),
        ),
        overdue=Count("pk", filter=overdue),
        overdue_amount=Coalesce(Sum(balance, filter=overdue), 0, output_field=MONEY),
        failed=Count("pk", filter=issued & Q(render_status=RenderStatus.FAILED)),
    )
    slug = membership.tenant.slug
    cockpit = reverse("billing:cockpit", kwargs={"tenant_slug": slug})
    month_detail = _("Mois facturé : %(month)s") % {"month": formats.date_format(month, "F Y")}
    return [
        WorkItem(
            "billing.ready",
            _("Préfactures prêtes à émettre"),
            figures["ready"],
            f"{cockpit}?month={month:%Y-%m}&readiness=ready",
            tone="success",
            detail=month_detail,
            order=10,
        ),
        WorkItem(
            "billing.blocked",
            _("Préfactures bloquées"),
            figures["blocked"],
            f"{cockpit}?month={month:%Y-%m}&readiness=blocked",
            tone="danger",
            detail=month_detail,
            order=11,
        ),
        WorkItem(
            "billing.failed",
            _("Factures dont le PDF est en échec"),
            figures["failed"],
            reverse("billing:invoices", kwargs={"tenant_slug": slug}),
            tone="danger",
            order=12,
        ),
        WorkItem(
            "billing.to_deposit",
            _("Factures à déposer sur une plateforme"),
            figures["to_deposit"],
            reverse("billing:to_deposit", kwargs={"tenant_slug": slug}),
            tone="warning",
            order=13,
        ),
        WorkItem(
            "billing.overdue",
            _("Factures échues non réglées"),
            figures["overdue"],
            reverse("billing:overdue", kwargs={"tenant_slug": slug}),
            tone="warning",
            detail=_("%(amount)s TTC restant dus") % {"amount": format_money(figures["overdue_amount"])},
            amount=figures["overdue_amount"],
            order=14,
        ),
    ]
