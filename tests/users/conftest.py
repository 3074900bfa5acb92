"""Helpers of the account tests: invitations with a known token, TOTP codes, second factors."""

import hashlib
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Invitation


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or `steps_ahead` periods later)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{code:0{device.digits}d}"


def confirmed_totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="totp", confirmed=True)


@pytest.fixture
def make_invitation():
    """Create an invitation in `tenant` and return (invitation, raw token of its link)."""

    def make(tenant, email: str, *, role: str = "consultant", **fields) -> tuple[Invitation, str]:
        raw = secrets.token_urlsafe(32)
        fields.setdefault("expires_at", timezone.now() + timedelta(days=7))
        with tenant_context(tenant):
            invitation = Invitation.objects.create(
                email=email, role=role, key_hash=hashlib.sha256(raw.encode()).hexdigest(), **fields
            )
        return invitation, raw

    return make
