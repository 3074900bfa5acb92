"""The caller's address: X-Forwarded-For is believed only from trusted proxies, and the login
lockout holds per account across addresses and per address across accounts."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from adv.network import resolve_client_ip
from tests.conftest import PASSWORD

LOGIN = reverse("login")


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # no trusted proxy: the header is ignored
        ([], "127.0.0.1", "1.2.3.4", "127.0.0.1"),  # not even from loopback (uvicorn's default trust)
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7", "198.51.100.7"),  # our proxy appended the client
        (["10.0.0.0/8"], "10.0.0.2", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # a forged left part is ignored
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7, 10.0.0.9", "198.51.100.7"),  # two proxies of ours
        (["10.0.0.0/8"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not through our proxy
        (["10.0.0.0/8"], "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2a00:1450::1", "2a00:1450::1"),
        ([], "garbage", "", None),
    ],
)
def test_the_client_address_is_read_from_the_right_through_trusted_proxies_only(trusted, remote, forwarded, expected):
    with override_settings(TRUSTED_PROXIES=trusted):
        assert resolve_client_ip(remote, forwarded) == expected


def _login(email, password, address):
    return Client().post(LOGIN, {"username": email, "password": password}, HTTP_X_FORWARDED_FOR=address)


@pytest.mark.django_db
def test_a_forged_header_neither_dodges_the_account_lockout_nor_changes_the_recorded_address(alice, settings):
    from axes.models import AccessAttempt

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login("alice@alpha.test", "wrong-password", f"198.51.100.{attempt}")

    # the right password from yet another forged address is still refused during the cool-off
    response = _login("alice@alpha.test", PASSWORD, "198.51.100.200")
    assert response.status_code == 429
    # and every failure was recorded against the connection's real address
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(alice, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    _login("alice@alpha.test", "wrong-password", "198.51.100.7")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


@pytest.mark.django_db
def test_an_address_spraying_many_accounts_is_locked_out(alice, bob, settings):
    settings.AXES_IP_FAILURE_LIMIT = 6
    client = Client()
    for index in range(6):  # one or two guesses per account: under the per-account limit
        client.post(LOGIN, {"username": f"user{index % 4}@alpha.test", "password": "guess"})

    response = client.post(LOGIN, {"username": "bob@alpha.test", "password": PASSWORD})

    assert response.status_code == 429
    assert "depuis cette adresse" in response.content.decode()
    assert "_auth_user_id" not in client.session
