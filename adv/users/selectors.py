"""Reads about a user's own account: second factors, and whether a firm imposes one.

None of these are tenant data; the one query that crosses firms (`two_factor_required`) uses
the user's own-rows door of row-level security (`user_scope`), nothing wider.
"""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from adv.tenancy.context import user_scope
from adv.tenancy.models import Membership, Tenant

from .models import User

TOTP_DEVICE_NAME = "totp"
BACKUP_DEVICE_NAME = "backup"


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    """The user's authenticator app, once its first code has been checked."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def totp_device_pending(*, user) -> TOTPDevice | None:
    """The authenticator being set up (secret shown, no code checked yet)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def user_has_two_factor(*, user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def verification_devices(*, user) -> list:
    """Devices that can vouch for a login, most usual first: the app, then backup codes."""
    devices: list = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id"))
    devices += list(StaticDevice.objects.filter(user=user, confirmed=True).order_by("id"))
    return devices


def backup_codes_remaining(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_required_tenants(*, user) -> list[Tenant]:
    """Firms where this user's role must use a second factor (ADV_TWO_FACTOR_ROLES)."""
    if not user.is_authenticated:
        return []
    with user_scope(user):
        # Crossing tenants on purpose: the user's own memberships in every firm, through the
        # row-level security policy that shows a user their own rows only.
        memberships = Membership.cross_tenant_objects.filter(
            user=user,
            is_active=True,
            role__in=settings.ADV_TWO_FACTOR_ROLES,
            tenant__is_active=True,
            tenant__require_two_factor=True,
        ).select_related("tenant")
        return [membership.tenant for membership in memberships]


def two_factor_required(*, user) -> bool:
    return bool(two_factor_required_tenants(user=user))
