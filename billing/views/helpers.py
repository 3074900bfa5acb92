"""What every billing page shares: who may read and bill, and domain errors as HTTP answers."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from adv.tenancy import errors as domain
from adv.ui.permissions import require_role

from .. import access
from ..errors import BillingErrorCode
from ..models import Invoice

readers = require_role(*sorted(access.READ_ROLES))


def require_bill(request) -> None:
    if not access.can_bill(request.membership):
        raise PermissionDenied(_("La facturation est réservée à l'ADV et aux administrateurs."))


def invoice_url(tenant_slug: str, invoice: Invoice, anchor: str = "") -> str:
    url = reverse("billing:invoice", kwargs={"tenant_slug": tenant_slug, "pk": invoice.pk})
    return f"{url}#{anchor}" if anchor else url


def posted_issue_date(request) -> datetime.date | None:
    """The invoice date picked on an issue form (empty: today); a malformed one is a clear error."""
    value = (request.POST.get("issue_date") or "").strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise domain.DomainError(
            _("Date de facture illisible : choisissez-la dans le calendrier."), code=BillingErrorCode.INVALID, field="issue_date"
        ) from None
