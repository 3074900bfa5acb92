"""API tokens through the API: created from a session (the raw token shown once, only its SHA-256
kept), listed without secrets, revoked by their owner or a tenant admin."""

import hashlib

import pytest

from adv.api.models import ApiToken
from adv.tenancy.context import tenant_context
from tests.api.conftest import bearer_client, make_token
from tests.api.test_authentication import assert_problem

pytestmark = pytest.mark.django_db


def test_creating_a_token_shows_it_once_and_stores_only_its_sha256(alice):
    # when alice creates a token from the application (session API)
    client = alice.client()
    response = client.post(alice.url("api/v1/tokens/"), {"name": "Comptabilité"}, content_type="application/json")
    # then the raw token is in the response
    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["token"]
    assert raw.startswith(body["prefix"]) and body["status"] == "active"
    # and only its SHA-256 is stored
    with tenant_context(alice.tenant):
        token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(value) for value in token.__dict__.values()}
    # and it is never shown again
    listing = client.get(alice.url("api/v1/tokens/")).json()["results"]
    assert "token" not in listing[0]
    assert "token" not in client.get(alice.url(f"api/v1/tokens/{token.id}/")).json()
    # and it works
    assert bearer_client(raw).get("/api/v1/me/").json()["token"]["id"] == str(token.id)


def test_a_token_needs_a_name(alice):
    response = alice.client().post(alice.url("api/v1/tokens/"), {"name": ""}, content_type="application/json")
    body = assert_problem(response, 400, "validation_error")
    assert "name" in body["errors"]


def test_an_expiry_in_the_past_is_refused_with_its_code(alice):
    response = alice.client().post(
        alice.url("api/v1/tokens/"), {"name": "x", "expires_at": "2000-01-01T00:00:00Z"}, content_type="application/json"
    )
    body = assert_problem(response, 400, "expiry_in_past")
    assert list(body["errors"]) == ["expires_at"]


def test_a_token_cannot_create_another_token(alice, alice_api):
    # a leaked token must not mint its own successors
    response = alice_api.post("/api/v1/tokens/", {"name": "successor"}, content_type="application/json")
    assert_problem(response, 403, "session_required")
    with tenant_context(alice.tenant):
        assert ApiToken.objects.count() == 1


def test_a_read_only_member_manages_their_own_tokens(alice):
    # self-service: the accountant (read-only role) may still create and revoke their own tokens
    with tenant_context(alice.tenant):
        alice.membership.role = "accountant"
        alice.membership.save()
    response = alice.client().post(alice.url("api/v1/tokens/"), {"name": "export"}, content_type="application/json")
    assert response.status_code == 201


def test_a_member_sees_only_their_own_tokens_and_an_admin_sees_all(alice, bob):
    alice_token, alice_raw = make_token(alice, name="alice's")
    bob_token, bob_raw = make_token(bob, name="bob's")
    bob_view = bearer_client(bob_raw).get("/api/v1/tokens/").json()
    assert [row["id"] for row in bob_view["results"]] == [str(bob_token.id)]
    assert_problem(bearer_client(bob_raw).get(f"/api/v1/tokens/{alice_token.id}/"), 404, "not_found")
    alice_view = bearer_client(alice_raw).get("/api/v1/tokens/").json()
    assert {row["id"] for row in alice_view["results"]} == {str(alice_token.id), str(bob_token.id)}
    mine = bearer_client(alice_raw).get(f"/api/v1/tokens/?membership={alice.membership.id}").json()
    assert [row["id"] for row in mine["results"]] == [str(alice_token.id)]


def test_revoking_a_token_stops_it(alice, bob):
    # given bob's two tokens
    token, raw = make_token(bob, name="ci")
    _other, other_raw = make_token(bob, name="laptop")
    # when bob revokes one with the other
    response = bearer_client(other_raw).post(f"/api/v1/tokens/{token.id}/revoke/")
    # then it is revoked and refused from then on
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")
    assert bearer_client(other_raw).get("/api/v1/tokens/?status=revoked").json()["count"] == 1


def test_an_admin_revokes_a_members_token(alice, bob, alice_api):
    token, raw = make_token(bob)
    assert alice_api.post(f"/api/v1/tokens/{token.id}/revoke/").status_code == 200
    assert_problem(bearer_client(raw).get("/api/v1/me/"), 401, "invalid_token")


def test_a_member_cannot_revoke_someone_elses_token(alice, bob, bob_api):
    token, raw = make_token(alice)
    assert_problem(bob_api.post(f"/api/v1/tokens/{token.id}/revoke/"), 404, "not_found")
    assert bearer_client(raw).get("/api/v1/me/").status_code == 200
