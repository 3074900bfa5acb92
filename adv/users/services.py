"""Every write on a user's own account: profile and second factor (TOTP + backup codes).

Checking a one-time code is itself a write (django-otp records the last code used, to refuse it
twice, and counts failures, to slow guessing down). That record must survive a wrong code, so
the code is checked in its own transaction, before the transaction that changes the account:
the public functions that take a code are therefore not wrapped in one transaction as a whole.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from adv.tenancy.errors import Conflict, DomainError, PermissionDenied

from . import selectors
from .errors import UserErrorCode
from .models import User

BACKUP_CODE_COUNT = 10


def _normalize_code(raw: str) -> str:
    return "".join((raw or "").split()).replace("-", "").lower()


# --- Profile ------------------------------------------------------------------------------------


@transaction.atomic
def user_update_profile(*, user: User, first_name: str, last_name: str, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Langue non disponible."), code=UserErrorCode.INVALID_LANGUAGE, field="language")
    user = User.objects.select_for_update().get(pk=user.pk)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.language = language
    user.save(update_fields=["first_name", "last_name", "language", "updated_at"])
    return user


# --- Second factor --------------------------------------------------------------------------------


def _verify_on_device(device, code: str) -> tuple[bool, bool]:
    """Check a code on one device in its own transaction. Returns (accepted, throttled)."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            return False, True
        return device.verify_token(code), False


def two_factor_check(*, user: User, code: str):
    """The device (authenticator app or backup codes) that accepts `code`, else DomainError.

    A backup code is consumed when it is used.
    """
    code = _normalize_code(code)
    throttled = False
    if code:
        for device in selectors.verification_devices(user=user):
            accepted, was_throttled = _verify_on_device(device, code)
            if accepted:
                return device
            throttled = throttled or was_throttled
    if throttled:
        raise DomainError(
            _("Trop d'essais incorrects : patientez quelques secondes avant de réessayer."), code=UserErrorCode.OTP_THROTTLED, field="code"
        )
    raise DomainError(_("Code incorrect ou expiré."), code=UserErrorCode.INVALID_OTP, field="code")


@transaction.atomic
def two_factor_setup_start(*, user: User) -> TOTPDevice:
    """The authenticator being set up: the pending one if any (same secret on reload), else a new one."""
    if selectors.user_has_two_factor(user=user):
        raise Conflict(_("La double authentification est déjà activée."), code=UserErrorCode.TWO_FACTOR_ENABLED)
    device = selectors.totp_device_pending(user=user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=selectors.TOTP_DEVICE_NAME, confirmed=False)
    return device


def two_factor_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn the pending authenticator on once it produced a valid code; returns it and new backup codes."""
    if selectors.user_has_two_factor(user=user):
        raise Conflict(_("La double authentification est déjà activée."), code=UserErrorCode.TWO_FACTOR_ENABLED)
    pending = selectors.totp_device_pending(user=user)
    if pending is None:
        raise Conflict(_("Aucune configuration en cours : recommencez."), code=UserErrorCode.TWO_FACTOR_NOT_STARTED)
    accepted, throttled = _verify_on_device(pending, _normalize_code(code))
    if throttled:
        raise DomainError(
            _("Trop d'essais incorrects : patientez quelques secondes avant de réessayer."), code=UserErrorCode.OTP_THROTTLED, field="code"
        )
    if not accepted:
        raise DomainError(
            _("Code incorrect : vérifiez l'heure de votre téléphone et saisissez le code affiché."),
            code=UserErrorCode.INVALID_OTP,
            field="code",
        )
    return _two_factor_activate(user=user, device=pending)


@transaction.atomic
def _two_factor_activate(*, user: User, device: TOTPDevice) -> tuple[TOTPDevice, list[str]]:
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _backup_codes_replace(user=user)
    return device, codes


def _backup_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    backup = StaticDevice.objects.create(user=user, name=selectors.BACKUP_DEVICE_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
    return codes


@transaction.atomic
def two_factor_backup_codes_regenerate(*, user: User) -> list[str]:
    """Replace every backup code by 10 new ones (the old ones stop working)."""
    if not selectors.user_has_two_factor(user=user):
        raise Conflict(_("La double authentification n'est pas activée."), code=UserErrorCode.TWO_FACTOR_DISABLED)
    return _backup_codes_replace(user=user)


def two_factor_disable(*, user: User, code: str) -> None:
    """Remove the authenticator and the backup codes; needs a current code, and no firm requiring 2FA."""
    if not selectors.user_has_two_factor(user=user):
        raise Conflict(_("La double authentification n'est pas activée."), code=UserErrorCode.TWO_FACTOR_DISABLED)
    tenants = selectors.two_factor_required_tenants(user=user)
    if tenants:
        raise PermissionDenied(
            _("%(firms)s impose la double authentification pour votre rôle : elle ne peut pas être désactivée.")
            % {"firms": ", ".join(tenant.name for tenant in tenants)},
            code=UserErrorCode.TWO_FACTOR_REQUIRED,
        )
    two_factor_check(user=user, code=code)
    _two_factor_remove(user=user)


@transaction.atomic
def _two_factor_remove(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
