"""Accepting an invitation: a new account, an existing account, and every way a link is refused."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Invitation, Membership

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_ACCOUNT = {
    "first_name": "Dave",
    "last_name": "Martin",
    "password1": "une-phrase-de-passe-solide",
    "password2": "une-phrase-de-passe-solide",
}


def _url(raw: str) -> str:
    return f"/invitations/{raw}/"


def _memberships(tenant, email: str) -> list[Membership]:
    with tenant_context(tenant):
        return list(Membership.objects.filter(user__email=email))


def test_new_person_creates_an_account_joins_the_firm_and_is_logged_in(alice, make_invitation):
    # given alice invited dave as a manager
    invitation, raw = make_invitation(alice.tenant, "dave@example.test", role="manager", invited_by=alice.user)
    client = Client()

    # when dave opens the link, he sees the sign-up form
    response = client.get(_url(raw))
    assert response.status_code == 200
    assert "Alpha Conseil" in response.content.decode()

    # when he fills it in
    response = client.post(_url(raw), NEW_ACCOUNT)

    # then his account and membership exist, he is logged in and lands on the firm's dashboard
    assert response.status_code == 302
    assert response["Location"] == "/t/alpha/"
    dave = User.objects.get(email="dave@example.test")
    assert (dave.first_name, dave.last_name) == ("Dave", "Martin")
    assert dave.check_password(NEW_ACCOUNT["password1"])
    [membership] = _memberships(alice.tenant, "dave@example.test")
    assert membership.role == "manager"
    assert client.session["_auth_user_id"] == str(dave.pk)
    with tenant_context(alice.tenant):
        assert Invitation.objects.get(pk=invitation.pk).accepted_by_id == dave.pk


def test_an_invitation_link_works_only_once(alice, make_invitation):
    _invitation, raw = make_invitation(alice.tenant, "dave@example.test")
    Client().post(_url(raw), NEW_ACCOUNT)

    # when someone uses the link again
    other = Client()
    response = other.get(_url(raw))
    assert response.status_code == 410
    assert "déjà été utilisée" in response.content.decode()
    response = other.post(_url(raw), {**NEW_ACCOUNT, "first_name": "Mallory"})

    # then it is refused and nothing changes
    assert response.status_code == 410
    assert User.objects.get(email="dave@example.test").first_name == "Dave"
    assert len(_memberships(alice.tenant, "dave@example.test")) == 1
    assert "_auth_user_id" not in other.session


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "a expiré"),
        ({"revoked_at": timezone.now()}, "a été annulée"),
    ],
    ids=["expired", "revoked"],
)
def test_an_expired_or_revoked_invitation_is_refused_and_changes_nothing(alice, make_invitation, fields, message):
    _invitation, raw = make_invitation(alice.tenant, "dave@example.test", **fields)
    client = Client()

    response = client.get(_url(raw))
    assert response.status_code == 410
    assert message in response.content.decode()

    response = client.post(_url(raw), NEW_ACCOUNT)
    assert response.status_code == 410
    assert not User.objects.filter(email="dave@example.test").exists()
    assert _memberships(alice.tenant, "dave@example.test") == []


def test_an_unknown_token_is_not_found(db):
    assert Client().get(_url("no-such-token")).status_code == 404


def test_another_firms_invitation_only_joins_that_firm(alice, carol, make_invitation):
    # given carol (bravo) invited dave; alpha never did
    _invitation, raw = make_invitation(carol.tenant, "dave@example.test", role="admin")

    # when dave accepts it
    client = Client()
    client.post(_url(raw), NEW_ACCOUNT)

    # then he is a member of bravo only, and alpha stays closed to him
    assert [m.role for m in _memberships(carol.tenant, "dave@example.test")] == ["admin"]
    assert _memberships(alice.tenant, "dave@example.test") == []
    assert client.get(alice.url("/")).status_code == 404


def test_a_weak_password_is_refused_with_the_reason_and_nothing_is_created(alice, make_invitation):
    _invitation, raw = make_invitation(alice.tenant, "dave@example.test")

    response = Client().post(_url(raw), {**NEW_ACCOUNT, "password1": "12345678", "password2": "12345678"})

    assert response.status_code == 200
    assert 'data-testid="error-password1"' in response.content.decode()
    assert not User.objects.filter(email="dave@example.test").exists()


def test_an_existing_account_logs_in_then_accepts_with_one_click(bob, carol, make_invitation):
    # given carol (bravo) invites bob, who already has an account (at alpha)
    invitation, raw = make_invitation(carol.tenant, "bob@alpha.test", role="sales")

    # when bob opens the link logged out, he is asked to log in and come back
    response = Client().get(_url(raw))
    assert response.status_code == 200
    assert f"/accounts/login/?next=%2Finvitations%2F{raw}%2F" in response.content.decode()

    # when he opens it logged in, one click accepts
    client = bob.client()
    assert 'data-testid="invitation-join-form"' in client.get(_url(raw)).content.decode()
    response = client.post(_url(raw))

    assert response.status_code == 302
    assert response["Location"] == "/t/bravo/"
    assert [m.role for m in _memberships(carol.tenant, "bob@alpha.test")] == ["sales"]
    assert [m.role for m in _memberships(bob.tenant, "bob@alpha.test")] == ["consultant"]


def test_an_anonymous_post_cannot_take_over_an_existing_account(bob, carol, make_invitation):
    _invitation, raw = make_invitation(carol.tenant, "bob@alpha.test")

    response = Client().post(_url(raw), NEW_ACCOUNT)

    assert response.status_code == 200  # the "please log in" page
    assert User.objects.get(email="bob@alpha.test").check_password(NEW_ACCOUNT["password1"]) is False
    assert _memberships(carol.tenant, "bob@alpha.test") == []


def test_a_user_logged_in_with_another_email_cannot_accept(alice, carol, make_invitation):
    invitation, raw = make_invitation(carol.tenant, "dave@example.test")
    client = alice.client()

    response = client.get(_url(raw))
    assert response.status_code == 403
    assert "dave@example.test" in response.content.decode()

    assert client.post(_url(raw)).status_code == 403
    assert _memberships(carol.tenant, "alice@alpha.test") == []
    with tenant_context(carol.tenant):
        assert Invitation.objects.get(pk=invitation.pk).is_usable
