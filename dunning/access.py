"""Who may do what in collections: ADV and admins run the reminders and the plan; the accountant
reads them (like billing)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership

ACT_ROLES = roles.ADV_ROLES
READ_ROLES = roles.BILLING_READERS


def can_read(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in READ_ROLES


def can_act(m: Membership | None) -> bool:
    return m is not None and m.is_active and m.role in ACT_ROLES


def require_act(m: Membership | None) -> None:
    if not can_act(m):
        raise PermissionDenied(_("Les relances sont réservées à l'ADV et aux administrateurs."))


def require_read(m: Membership | None) -> None:
    if not can_read(m):
        raise PermissionDenied(_("Vous n'avez pas accès aux relances."))
