"""Who of the firm manages the portal: ADV and sales invite and revoke a client's contacts;
ADV (and admins) enable the portal for a client and set its references' rules."""

from __future__ import annotations

from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership

INVITE_ROLES = roles.COMMERCIAL_ROLES
SETTINGS_ROLES = roles.ADV_ROLES
VIEW_ROLES = roles.OFFICE_ROLES


def require(actor: Membership | None, allowed: bool) -> None:
    if actor is None or not actor.is_active or not allowed:
        raise PermissionDenied(_("Vous n'avez pas les droits pour cette action."))


def can_invite(m: Membership) -> bool:
    return m.role in INVITE_ROLES


def can_configure(m: Membership) -> bool:
    return m.role in SETTINGS_ROLES


def can_view(m: Membership) -> bool:
    return m.role in VIEW_ROLES
