"""Who may manage webhooks: the firm's admins (they hand the firm's events to another system)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from adv.tenancy.models import Membership, Role

from .errors import PermissionDenied

MANAGE_ROLES = frozenset({Role.ADMIN})


def can_manage(membership: Membership | None) -> bool:
    return membership is not None and membership.is_active and membership.role in MANAGE_ROLES


def require_manage(membership: Membership | None) -> None:
    if not can_manage(membership):
        raise PermissionDenied(_("Seuls les administrateurs gèrent les webhooks."))
