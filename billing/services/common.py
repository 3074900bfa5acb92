"""The billing settings of the firm and what every billing write shares (amount parsing, fields)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError
from adv.tenancy.firm_settings import settings_for_update, settings_read
from adv.tenancy.models import Membership, Tenant

from .. import access, numbering
from ..errors import BillingErrorCode
from ..models import (
    BillingPolicy,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
POLICY_FIELDS = {
    "invoice_number_format",
    "credit_note_number_format",
    "default_vat_rate",
    "late_penalty_text",
    "recovery_indemnity_text",
    "discount_text",
    "vat_exemption_text",
    "easy_first",
    "vat_on_debits",
}


def current_tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def policy() -> BillingPolicy:
    """The firm's invoicing settings, read without writing (defaults when never saved)."""
    return settings_read(BillingPolicy)


@transaction.atomic
def policy_update(*, actor: Membership, **fields) -> BillingPolicy:
    access.require_bill(actor)
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))}, code=BillingErrorCode.UNKNOWN_FIELDS)
    if "invoice_number_format" in fields:
        numbering.validate_format(fields["invoice_number_format"], "invoice_number_format")
    if "credit_note_number_format" in fields:
        numbering.validate_format(fields["credit_note_number_format"], "credit_note_number_format")
    current = settings_for_update(BillingPolicy)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["tenant"])
    current.save()
    return current


# --- Pre-invoice edits --------------------------------------------------------------------------


def decimal_or_error(value, field: str, places: str = "0.01") -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Nombre invalide."), code=BillingErrorCode.INVALID_NUMBER, field=field) from exc
    if not number.is_finite():
        raise DomainError(_("Nombre invalide."), code=BillingErrorCode.INVALID_NUMBER, field=field)
    return number.quantize(Decimal(places))
