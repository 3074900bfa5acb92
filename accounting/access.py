"""Who may do what in the accounting export: admins, ADV and the accountant run and download the
exports (the accountant's one write); admins and ADV change the account mapping and the clients'
auxiliary accounts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership

EXPORT_ROLES = roles.BILLING_READERS
CONFIGURE_ROLES = roles.ADV_ROLES


def can_export(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in EXPORT_ROLES


def can_configure(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in CONFIGURE_ROLES


def require_export(m: Membership | None) -> None:
    if not can_export(m):
        raise PermissionDenied(_("L'export comptable est réservé aux administrateurs, à l'ADV et à l'expert-comptable."))


def require_configure(m: Membership | None) -> None:
    if not can_configure(m):
        raise PermissionDenied(_("Le plan de comptes est modifié par l'ADV et les administrateurs."))
