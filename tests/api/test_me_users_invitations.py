"""`me` (everyone), `users` (admins, read-only) and `invitations` (admins)."""

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Invitation
from adv.tenancy.services import invitation_accept, invitation_create
from tests.api.test_authentication import assert_problem
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- me ---------------------------------------------------------------------------------------------


def test_me_shows_the_user_membership_tenant_and_token(bob, bob_api):
    body = bob_api.get("/api/v1/me/").json()
    assert body["user"]["email"] == "bob@alpha.test"
    assert body["membership"]["role"] == "consultant"
    assert body["membership"]["reports_to"] is not None
    assert body["tenant"] == {
        "id": str(bob.tenant.id),
        "slug": "alpha",
        "name": "Alpha Conseil",
        "legal_name": "Alpha Conseil SAS",
        "time_zone": "Europe/Paris",
        "language": "fr",
    }
    assert body["token"]["name"] == "integration"


def test_me_changes_only_the_fields_sent(bob, bob_api):
    response = bob_api.patch("/api/v1/me/", {"last_name": " Martin ", "language": "en"}, content_type="application/json")
    assert response.status_code == 200
    bob.user.refresh_from_db()
    assert (bob.user.first_name, bob.user.last_name, bob.user.language) == ("Bob", "Martin", "en")
    assert response.json()["user"]["last_name"] == "Martin"


def test_me_refuses_an_unknown_language(bob, bob_api):
    body = assert_problem(bob_api.patch("/api/v1/me/", {"language": "xx"}, content_type="application/json"), 400, "validation_error")
    assert list(body["errors"]) == ["language"]


def test_an_accountant_still_edits_their_own_profile(alice):
    with tenant_context(alice.tenant):
        member = MembershipFactory(user=UserFactory(email="compta@alpha.test"), role="accountant")
    client = alice.client()
    client.force_login(member.user)
    response = client.patch(alice.url("api/v1/me/"), {"first_name": "Claire"}, content_type="application/json")
    assert response.status_code == 200


# --- users ------------------------------------------------------------------------------------------


def test_an_admin_lists_the_tenants_users(alice, bob, carol, alice_api):
    body = alice_api.get("/api/v1/users/?ordering=-email").json()
    assert [row["email"] for row in body["results"]] == ["bob@alpha.test", "alice@alpha.test"]
    assert alice_api.get(f"/api/v1/users/{bob.user.id}/").json()["first_name"] == "Bob"


def test_a_user_in_two_tenants_appears_once_in_each(alice, carol, alice_api, carol_api):
    with tenant_context(carol.tenant):
        MembershipFactory(user=alice.user, role="sales")
    assert carol_api.get("/api/v1/users/").json()["count"] == 2
    assert alice_api.get("/api/v1/users/").json()["count"] == 1


def test_users_are_for_admins_only(alice, bob, bob_api):
    assert_problem(bob_api.get("/api/v1/users/"), 403, "role_required")
    assert_problem(bob_api.get(f"/api/v1/users/{bob.user.id}/"), 403, "role_required")


def test_users_are_read_only(alice, bob, alice_api):
    response = alice_api.patch(f"/api/v1/users/{bob.user.id}/", {"first_name": "X"}, content_type="application/json")
    assert_problem(response, 405, "method_not_allowed")


# --- invitations ------------------------------------------------------------------------------------


def test_an_admin_invites_someone(alice, alice_api):
    # when alice invites a salesperson
    response = alice_api.post(
        "/api/v1/invitations/", {"email": "Dan@Alpha.test", "role": "sales", "clearance_level": 2}, content_type="application/json"
    )
    # then a pending invitation exists, with no secret in the response
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["role"], body["clearance_level"], body["status"]) == ("dan@alpha.test", "sales", 2, "pending")
    assert body["invited_by"]["email"] == "alice@alpha.test"
    assert not {"key", "key_hash", "token", "link"} & set(body)
    assert alice_api.get("/api/v1/invitations/?status=pending").json()["count"] == 1


def test_inviting_a_member_is_a_conflict(alice, bob, alice_api):
    response = alice_api.post("/api/v1/invitations/", {"email": "bob@alpha.test", "role": "sales"}, content_type="application/json")
    body = assert_problem(response, 409, "already_member")
    assert list(body["errors"]) == ["email"]


def test_an_invitation_needs_a_valid_email_and_role(alice, alice_api):
    response = alice_api.post("/api/v1/invitations/", {"email": "nope", "role": "king"}, content_type="application/json")
    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {"email", "role"}


def test_an_admin_revokes_an_invitation(alice, alice_api):
    with tenant_context(alice.tenant):
        invitation, _raw = invitation_create(actor=alice.membership, email="eve@alpha.test", role="sales")
    response = alice_api.post(f"/api/v1/invitations/{invitation.id}/revoke/")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert alice_api.get("/api/v1/invitations/?status=revoked").json()["count"] == 1


def test_revoking_an_accepted_invitation_is_a_conflict(alice, alice_api):
    with tenant_context(alice.tenant):
        invitation, raw = invitation_create(actor=alice.membership, email="fay@alpha.test", role="sales")
    invitation_accept(raw_token=raw, password="a-long-and-unusual-passphrase")
    body = assert_problem(alice_api.post(f"/api/v1/invitations/{invitation.id}/revoke/"), 409, "invitation_accepted")
    assert body["title"]
    with tenant_context(alice.tenant):
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_invitations_are_for_admins_only(alice, bob, bob_api):
    assert_problem(bob_api.get("/api/v1/invitations/"), 403, "role_required")
    response = bob_api.post("/api/v1/invitations/", {"email": "x@alpha.test", "role": "admin"}, content_type="application/json")
    assert_problem(response, 403, "role_required")
    with tenant_context(alice.tenant):
        assert not Invitation.objects.exists()
