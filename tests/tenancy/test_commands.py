"""Operator commands: create a firm with its first admin, create an API token for a member."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from adv.api.models import ApiToken
from adv.api.tokens import hash_token
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "a-long-operator-passphrase-42"


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_tenant_makes_the_firm_and_an_admin_who_can_log_in():
    # when an operator creates a firm
    output = _run("create_tenant", "--slug", "gamma", "--name", "Gamma Conseil",
                  "--admin-email", "Boss@Gamma.test", "--admin-password", PASSWORD)
    # then the firm exists with its first admin, who logs in and reaches its dashboard
    tenant = Tenant.objects.get(slug="gamma")
    assert "gamma" in output and tenant.name == "Gamma Conseil"
    with tenant_context(tenant):
        [membership] = Membership.objects.select_related("user")
    assert (membership.user.email, membership.role) == ("boss@gamma.test", "admin")
    client = Client()
    assert client.post("/accounts/login/", {"username": "boss@gamma.test", "password": PASSWORD}).status_code == 302
    assert client.get("/t/gamma/").status_code == 200


def test_create_tenant_with_a_taken_slug_fails_and_changes_nothing(tenant_a):
    with pytest.raises(CommandError, match="déjà pris"):
        _run("create_tenant", "--slug", tenant_a.slug, "--name", "Autre", "--admin-email", "x@other.test")
    assert Tenant.objects.count() == 1
    assert not User.objects.filter(email="x@other.test").exists()


def test_create_tenant_with_a_weak_password_or_bad_slug_creates_nothing():
    with pytest.raises(CommandError):
        _run("create_tenant", "--slug", "delta", "--name", "Delta", "--admin-email", "a@delta.test", "--admin-password", "123")
    with pytest.raises(CommandError):
        _run("create_tenant", "--slug", "Not A Slug!", "--name", "Delta", "--admin-email", "a@delta.test")
    assert not Tenant.objects.exists()
    assert not User.objects.exists()


def test_create_api_token_prints_a_working_token_alone_on_the_last_line(alice):
    # when an operator creates a token for alice
    output = _run("create_api_token", "--tenant", alice.tenant.slug, "--email", "ALICE@alpha.test")
    raw = output.rstrip("\n").splitlines()[-1]
    # then the last line is the token alone, stored only as its hash, and it works as alice
    assert raw.strip() == raw and " " not in raw
    with tenant_context(alice.tenant):
        token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw) and token.membership_id == alice.membership.pk
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "alice@alpha.test"


def test_create_api_token_refuses_an_unknown_firm_or_a_non_member(alice, carol):
    with pytest.raises(CommandError, match="No tenant"):
        _run("create_api_token", "--tenant", "nowhere", "--email", "alice@alpha.test")
    with pytest.raises(CommandError, match="not an active member"):
        _run("create_api_token", "--tenant", alice.tenant.slug, "--email", "carol@bravo.test")
    with tenant_context(alice.tenant):
        assert not ApiToken.objects.exists()
