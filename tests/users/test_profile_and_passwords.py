"""Profile (name, language), password change and password reset by email."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from adv.tenancy.services import tenant_create
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_profile_saves_the_name(alice):
    client = alice.client()
    response = client.post("/account/profile/", {"first_name": "Alice", "last_name": "Durand", "language": "fr"})
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.last_name == "Durand"


def test_changing_the_language_in_the_profile_changes_the_page_language(alice):
    client = alice.client()
    response = client.get("/account/profile/")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()

    # when alice picks English
    response = client.post("/account/profile/", {"first_name": "Alice", "last_name": "", "language": "en"})

    # then the next pages are in English, and a cookie remembers it after logout
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get("/account/profile/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_profile_refuses_an_unknown_language(alice):
    response = alice.client().post("/account/profile/", {"first_name": "Alice", "last_name": "", "language": "xx"})
    assert response.status_code == 200
    alice.user.refresh_from_db()
    assert alice.user.language == "fr"


def test_profile_requires_login(db):
    response = Client().get("/account/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_password_change_keeps_the_session_and_changes_the_password(alice):
    client = alice.client()
    response = client.post(
        "/accounts/password-change/",
        {"old_password": PASSWORD, "new_password1": "un-autre-mot-de-passe-2", "new_password2": "un-autre-mot-de-passe-2"},
    )
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("un-autre-mot-de-passe-2")
    assert client.get("/account/profile/").status_code == 200


def test_password_reset_mails_a_link_to_the_public_address_that_sets_a_new_password(alice):
    client = Client()

    response = client.post("/accounts/password-reset/", {"email": "ALICE@alpha.test"})

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["alice@alpha.test"]
    link = re.search(r"(\S+/accounts/reset/\S+/)", message.body)[1]
    assert link.startswith(settings.SITE_URL)

    path = link.removeprefix(settings.SITE_URL)
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "nouveau-mot-de-passe-9", "new_password2": "nouveau-mot-de-passe-9"})
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("nouveau-mot-de-passe-9")


def test_password_reset_reaches_an_admin_created_without_a_password(db):
    # given an operator created a firm without choosing the admin's password
    tenant_create(slug="gamma", name="Gamma", admin_email="admin@gamma.test")

    Client().post("/accounts/password-reset/", {"email": "admin@gamma.test"})

    assert [m.to for m in mail.outbox] == [["admin@gamma.test"]]


def test_password_reset_does_not_reveal_unknown_addresses(db):
    response = Client().post("/accounts/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []
