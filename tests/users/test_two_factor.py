"""TOTP two-factor authentication: setup, login with a code, backup codes, disabling, and a
firm that makes it mandatory for its admin and ADV roles."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD
from tests.users.conftest import confirmed_totp_device, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/account/two-factor/"
VERIFY = "/account/two-factor/verify/"
DISABLE = "/account/two-factor/disable/"


def _require_two_factor(tenant) -> None:
    tenant.require_two_factor = True
    tenant.save(update_fields=["require_two_factor"])


def test_setup_shows_a_qr_code_and_enables_the_device_only_with_a_valid_code(alice):
    client = alice.client()

    # when alice opens the setup page, a QR code (inline SVG) and the secret are shown
    response = client.get(SETUP)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<svg" in content and 'data-testid="totp-secret"' in content
    device = TOTPDevice.objects.get(user=alice.user)
    assert not device.confirmed

    # when she types a wrong code, nothing is enabled
    response = client.post(SETUP, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=alice.user).exists()

    # when she types the code her app shows (after django-otp's throttling delay), the device is
    # confirmed and 10 backup codes are shown once
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()
    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=alice.user).values_list("token", flat=True))
    assert len(codes) == 10
    assert all(code in response.content.decode() for code in codes)

    # and this session counts as verified
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert "codes de secours" in client.get(SETUP).content.decode()


def test_setup_page_keeps_the_same_secret_until_confirmed(alice):
    client = alice.client()
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=alice.user).count() == 1


def test_login_asks_for_the_code_before_logging_in(alice):
    device = confirmed_totp_device(alice.user)
    client = Client()

    # when alice gives the right password
    response = client.post("/accounts/login/", {"username": "alice@alpha.test", "password": PASSWORD, "next": "/account/profile/"})

    # then she is asked for her code, and is not logged in yet
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert "_auth_user_id" not in client.session
    assert client.get("/account/profile/").status_code == 302

    # when she types a wrong code, she stays logged out
    wrong = "123456" if totp_code(device) != "123456" else "654321"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "Code incorrect" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # when she types the code of her app (after django-otp's throttling delay)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(VERIFY, {"code": totp_code(device)})

    # then she is logged in, verified, and sent where she was going
    assert response.status_code == 302
    assert response["Location"] == "/account/profile/"
    assert client.session["_auth_user_id"] == str(alice.user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_the_same_code_cannot_be_used_twice(alice):
    device = confirmed_totp_device(alice.user)
    code = totp_code(device)
    first = Client()
    first.post("/accounts/login/", {"username": "alice@alpha.test", "password": PASSWORD})
    assert first.post(VERIFY, {"code": code}).status_code == 302

    second = Client()
    second.post("/accounts/login/", {"username": "alice@alpha.test", "password": PASSWORD})
    assert second.post(VERIFY, {"code": code}).status_code == 200
    assert "_auth_user_id" not in second.session


def test_a_backup_code_logs_in_once(alice):
    confirmed_totp_device(alice.user)
    backup = StaticDevice.objects.create(user=alice.user, name="backup", confirmed=True)
    backup.token_set.create(token="abcd2345")

    client = Client()
    client.post("/accounts/login/", {"username": "alice@alpha.test", "password": PASSWORD})
    assert client.post(VERIFY, {"code": "ABCD 2345"}).status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)
    assert not backup.token_set.exists()


def test_too_many_wrong_codes_send_back_to_the_password(alice):
    confirmed_totp_device(alice.user)
    client = Client()
    client.post("/accounts/login/", {"username": "alice@alpha.test", "password": PASSWORD})
    for _ in range(5):
        response = client.post(VERIFY, {"code": "000001"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get(VERIFY)["Location"] == "/accounts/login/"


def test_firm_requiring_two_factor_sends_an_unverified_admin_to_setup(alice):
    # given alpha requires a second factor for its admins
    _require_two_factor(alice.tenant)

    # when alice (admin, no verified session) opens the firm's dashboard
    response = alice.client().get(alice.url("/"))

    # then she is sent to the two-factor setup, and will come back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=/t/alpha/"


def test_firm_requiring_two_factor_lets_a_verified_admin_in(alice):
    _require_two_factor(alice.tenant)
    device = confirmed_totp_device(alice.user)
    client = alice.client()

    # alice's session is not verified: the setup page sends her to the code page
    response = client.get(f"{SETUP}?next=/t/alpha/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": totp_code(device), "next": "/t/alpha/"})
    assert response["Location"] == "/t/alpha/"
    response = client.get(alice.url("/"))
    assert not (response.status_code == 302 and response["Location"].startswith(SETUP))


def test_firm_requiring_two_factor_does_not_apply_to_consultants(bob):
    _require_two_factor(bob.tenant)
    response = bob.client().get(bob.url("/"))
    assert not (response.status_code == 302 and response["Location"].startswith(SETUP))


def test_disable_needs_a_current_code(carol):
    device = confirmed_totp_device(carol.user)
    StaticDevice.objects.create(user=carol.user, name="backup", confirmed=True)
    client = carol.client()

    response = client.post(DISABLE, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=carol.user).exists()

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(DISABLE, {"code": totp_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=carol.user).exists()
    assert not StaticDevice.objects.filter(user=carol.user).exists()


def test_disable_is_refused_when_the_firm_requires_two_factor_for_the_role(alice):
    _require_two_factor(alice.tenant)
    device = confirmed_totp_device(alice.user)

    response = alice.client().post(DISABLE, {"code": totp_code(device)})

    assert response.status_code == 403
    assert "impose la double authentification" in response.content.decode()
    assert TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()


def test_disable_is_allowed_when_only_another_firm_requires_it_for_another_role(alice, carol, tenant_b):
    # alice is admin in alpha (no requirement); bravo requires 2FA but alice is not a member there
    _require_two_factor(tenant_b)
    device = confirmed_totp_device(alice.user)

    response = alice.client().post(DISABLE, {"code": totp_code(device)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
