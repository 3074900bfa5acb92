"""Bearer tokens and sessions: who gets in, and every refusal as problem+json with a code."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from adv.api.models import ApiToken
from adv.api.services import api_token_revoke
from adv.api.tokens import generate_token
from adv.tenancy.context import tenant_context
from tests.api.conftest import bearer_client, make_token

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    return body


def test_a_valid_token_reaches_its_tenant(alice):
    # given a token of alice's membership
    _token, raw = make_token(alice)
    # when it calls /me/
    response = bearer_client(raw).get("/api/v1/me/")
    # then the API answers as alice in tenant alpha
    assert response.status_code == 200
    assert response.json()["tenant"]["slug"] == "alpha"
    assert response.json()["user"]["email"] == "alice@alpha.test"


def test_no_token_and_no_tenant_is_401_not_403(alice):
    # given a client with no credentials at all
    for url in ("/api/v1/", "/api/v1/me/", "/api/v1/memberships/", "/api/v1/no-such-resource/"):
        # when it calls the API, then it is asked to authenticate
        response = Client().get(url)
        assert_problem(response, 401, "not_authenticated")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_session_without_token_is_401_under_api_v1(alice):
    # given alice logged in to the application (a session), without a token
    client = alice.client()
    # when she calls /api/v1/ (the bearer-token API), which names no tenant
    response = client.get("/api/v1/me/")
    # then she must authenticate: the session API lives under /t/<slug>/api/v1/
    assert_problem(response, 401, "not_authenticated")


def test_the_session_api_works_under_the_tenant_prefix(alice):
    response = alice.client().get("/t/alpha/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["token"] is None
    assert response.json()["membership"]["id"] == str(alice.membership.id)


def test_another_tenants_session_api_is_404(alice, carol):
    # given carol, admin of bravo, logged in
    # when she opens alpha's session API
    response = carol.client().get("/t/alpha/api/v1/me/")
    # then alpha does not exist for her
    assert_problem(response, 404, "not_found")


def test_an_unknown_token_is_401(alice):
    raw, _prefix, _hash = generate_token()  # well formed, never stored
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer not-a-token", "Token adv_abcdefgh_" + "x" * 43, "Basic YWxpY2U6cHc=", "adv_abc"],
)
def test_a_malformed_authorization_header_is_401(alice, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/me/")
    body = assert_problem(response, 401, "invalid_token")
    assert "Bearer" in body["detail"]


def test_a_revoked_token_is_401(alice):
    # given a token that worked, then revoked
    token, raw = make_token(alice)
    assert bearer_client(raw).get("/api/v1/me/").status_code == 200
    with tenant_context(alice.tenant):
        api_token_revoke(actor=alice.membership, token=token)
    # when it is used again, then it is refused
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")


def test_an_expired_token_is_401(alice):
    # given a token whose expiry has passed
    token, raw = make_token(alice, expires_at=timezone.now() + timedelta(hours=1))
    with tenant_context(alice.tenant):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when it is used, then it is refused
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")


def test_a_token_of_an_inactive_membership_is_401(bob):
    # given bob's token, and bob deactivated in his firm
    _token, raw = make_token(bob)
    with tenant_context(bob.tenant):
        bob.membership.is_active = False
        bob.membership.save()
    # when the token is used, then it is refused
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")


def test_a_token_of_a_deactivated_user_is_401(bob):
    _token, raw = make_token(bob)
    bob.user.is_active = False
    bob.user.save()
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")


def test_using_a_token_records_its_last_use(alice):
    # given a fresh token, never used
    token, raw = make_token(alice)
    assert token.last_used_at is None
    # when it is used
    bearer_client(raw).get("/api/v1/me/")
    # then its last use is recorded
    with tenant_context(alice.tenant):
        token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_an_unknown_address_under_the_api_is_a_problem_404(alice_api):
    body = assert_problem(alice_api.get("/api/v1/no-such-resource/"), 404, "not_found")
    assert body["type"].endswith("/not_found")


def test_a_missing_trailing_slash_says_where_to_go(alice_api):
    body = assert_problem(alice_api.get("/api/v1/me"), 404, "not_found")
    assert "/api/v1/me/" in body["title"]


def test_an_unsupported_method_is_a_problem_405(alice_api):
    response = alice_api.delete("/api/v1/me/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
