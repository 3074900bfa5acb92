"""Login with email and password, safe redirects, logout, and brute-force lockout (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
COOL_OFF_MINUTES = round(settings.AXES_COOLOFF_TIME * 60)  # hours in settings


def _login(client: Client, email: str, password: str, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def test_login_with_email_and_password_redirects_to_next(alice):
    # given alice's account; when she logs in with her email, asking for her profile
    client = Client()
    response = _login(client, "alice@alpha.test", PASSWORD, next="/account/profile/")

    # then she is logged in and sent to the page she asked for
    assert response.status_code == 302
    assert response["Location"] == "/account/profile/"
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_login_ignores_the_case_of_the_email(alice):
    client = Client()
    response = _login(client, "  Alice@ALPHA.test ", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_login_never_redirects_to_another_site(alice):
    # when the login link carries a foreign "next"
    response = _login(Client(), "alice@alpha.test", PASSWORD, next="https://evil.example/steal")

    # then the user lands on the home page instead
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_with_a_french_message(alice):
    client = Client()
    response = _login(client, "alice@alpha.test", "not-the-password")

    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_without_remember_me_the_session_ends_with_the_browser(alice):
    client = Client()
    _login(client, "alice@alpha.test", PASSWORD)
    assert client.session.get_expire_at_browser_close()

    client = Client()
    _login(client, "alice@alpha.test", PASSWORD, remember_me="on")
    assert not client.session.get_expire_at_browser_close()


def test_login_page_is_in_french_with_the_username_field_axes_expects(db):
    response = Client().get(LOGIN)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in content and 'type="email"' in content
    assert "Adresse e-mail" in content and "Mot de passe" in content and "Se connecter" in content


def test_logout_requires_post_and_ends_the_session(alice):
    client = alice.client()

    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


# --- Brute-force protection -----------------------------------------------------------------------


def test_five_failed_logins_lock_the_account_for_that_address_with_a_french_page(alice):
    client = Client()
    # given four wrong passwords (in varied spellings of the same email)
    for email in ["alice@alpha.test", "ALICE@alpha.test", "Alice@Alpha.Test", "alice@alpha.test"]:
        assert _login(client, email, "wrong-password").status_code == 200

    # when the fifth wrong password comes
    response = _login(client, "alice@alpha.test", "wrong-password")

    # then the lockout page says in French how long to wait
    assert response.status_code == 429
    content = response.content.decode()
    assert "Trop de tentatives de connexion" in content
    assert f"Réessayez dans {COOL_OFF_MINUTES} minutes." in content

    # and even the right password is refused during the cool-off
    response = _login(client, "alice@alpha.test", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_expires_after_the_cool_off(alice):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "alice@alpha.test", "wrong-password")
    assert _login(client, "alice@alpha.test", PASSWORD).status_code == 429

    # when the cool-off period has passed (the attempts are moved back in time)
    cool_off = timedelta(minutes=COOL_OFF_MINUTES)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - cool_off - timedelta(seconds=1))

    # then the right password works again, and the failures are forgotten
    response = _login(client, "alice@alpha.test", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)
    assert not AccessAttempt.objects.filter(username="alice@alpha.test").exists()


def test_lockout_does_not_block_other_accounts_from_the_same_address(alice, bob):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "alice@alpha.test", "wrong-password")

    response = _login(client, "bob@alpha.test", PASSWORD)
    assert response.status_code == 302


def test_a_lockout_without_cool_off_is_refused_at_start():
    import os
    import subprocess
    import sys
    from pathlib import Path

    # given an operator who sets no cool-off (django-axes would then lock accounts for ever)
    environment = {**os.environ, "AXES_COOLOFF_MINUTES": "0"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=Path(__file__).resolve().parents[2],
                            env=environment, capture_output=True, text=True, timeout=120)
    # then the application refuses to start and says why
    assert result.returncode != 0
    assert "AXES_COOLOFF_MINUTES must be at least 1" in result.stderr
