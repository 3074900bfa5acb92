"""Who may see and do what with clients: role rules (adv/tenancy/roles.py). The documents' rules
(clearance levels, per-object grants) are documents/access.py."""

from __future__ import annotations

from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership

VIEW_CLIENT_ROLES = roles.OFFICE_ROLES
EDIT_CLIENT_ROLES = roles.COMMERCIAL_ROLES
BILLING_PROFILE_ROLES = roles.ADV_ROLES
SECRET_ROLES = roles.ADV_ROLES


def require(actor: Membership | None, allowed: bool) -> None:
    if actor is None or not actor.is_active or not allowed:
        raise PermissionDenied(_("Vous n'avez pas les droits pour cette action."))


def can_view_clients(m: Membership) -> bool:
    return m.role in VIEW_CLIENT_ROLES


def can_edit_clients(m: Membership) -> bool:
    return m.role in EDIT_CLIENT_ROLES


def can_edit_billing_profile(m: Membership) -> bool:
    return m.role in BILLING_PROFILE_ROLES


def can_read_platform_password(m: Membership) -> bool:
    return m.role in SECRET_ROLES
