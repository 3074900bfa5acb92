"""Who may do what in billing: ADV and admins bill; accountants read."""

from __future__ import annotations

from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership

BILL_ROLES = roles.ADV_ROLES
READ_ROLES = roles.BILLING_READERS


def can_read(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in READ_ROLES


def can_bill(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in BILL_ROLES


def require_bill(m: Membership | None) -> None:
    if not can_bill(m):
        raise PermissionDenied(_("La facturation est réservée à l'ADV et aux administrateurs."))


def require_read(m: Membership | None) -> None:
    if not can_read(m):
        raise PermissionDenied(_("Vous n'avez pas accès à la facturation."))
