"""A token of tenant B never sees nor touches tenant A: another tenant's id answers 404."""

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from adv.tenancy.services import invitation_create
from tests.api.conftest import make_token
from tests.api.test_authentication import assert_problem

pytestmark = pytest.mark.django_db


def test_carols_token_lists_only_her_tenant(alice, bob, carol, carol_api):
    for resource in ("memberships", "users", "tokens"):
        body = carol_api.get(f"/api/v1/{resource}/").json()
        assert body["count"] == 1, resource
    assert carol_api.get("/api/v1/memberships/").json()["results"][0]["user"]["email"] == "carol@bravo.test"
    assert carol_api.get("/api/v1/me/").json()["tenant"]["slug"] == "bravo"


def test_carols_token_on_alices_membership_is_404(alice, carol, carol_api):
    url = f"/api/v1/memberships/{alice.membership.id}/"
    assert_problem(carol_api.get(url), 404, "not_found")
    # carol is an admin (she may change memberships), yet alice's is not found, and stays as it was
    assert_problem(carol_api.patch(url, {"role": "consultant"}, content_type="application/json"), 404, "not_found")
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=alice.membership.pk).role == "admin"


def test_carols_token_on_alices_user_invitation_and_token_is_404(alice, carol, carol_api):
    # given alice's objects: her user, an invitation, a token
    token, _raw = make_token(alice)
    with tenant_context(alice.tenant):
        invitation, _link = invitation_create(actor=alice.membership, email="new@alpha.test", role="sales")
    # when carol's token reaches for them, then each is not found, and nothing changes
    assert_problem(carol_api.get(f"/api/v1/users/{alice.user.id}/"), 404, "not_found")
    assert_problem(carol_api.get(f"/api/v1/invitations/{invitation.id}/"), 404, "not_found")
    assert_problem(carol_api.post(f"/api/v1/invitations/{invitation.id}/revoke/"), 404, "not_found")
    assert_problem(carol_api.get(f"/api/v1/tokens/{token.id}/"), 404, "not_found")
    assert_problem(carol_api.post(f"/api/v1/tokens/{token.id}/revoke/"), 404, "not_found")
    with tenant_context(alice.tenant):
        invitation.refresh_from_db()
        token.refresh_from_db()
    assert invitation.revoked_at is None
    assert token.revoked_at is None


def test_carols_session_under_her_prefix_cannot_reach_alices_ids(alice, carol):
    client = carol.client()
    assert_problem(client.get(carol.url(f"api/v1/memberships/{alice.membership.id}/")), 404, "not_found")
    assert_problem(client.get(carol.url(f"api/v1/users/{alice.user.id}/")), 404, "not_found")


def test_a_malformed_id_is_404_too(alice_api):
    assert_problem(alice_api.get("/api/v1/memberships/not-a-uuid/"), 404, "not_found")
