"""Memberships: who sees whom, who changes what, and every change audited."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from tests.api.conftest import bearer_client, make_token
from tests.api.test_authentication import assert_problem
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def emails(response) -> list[str]:
    return [row["user"]["email"] for row in response.json()["results"]]


def test_an_admin_lists_every_member_of_the_tenant(alice, bob, carol, alice_api):
    response = alice_api.get("/api/v1/memberships/")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert emails(response) == ["alice@alpha.test", "bob@alpha.test"]


@pytest.mark.parametrize("role", ["adv", "manager"])
def test_adv_and_managers_see_the_whole_directory(alice, bob, role):
    with tenant_context(alice.tenant):
        member = MembershipFactory(user=UserFactory(email=f"{role}@alpha.test"), role=role)
    _token, raw = make_token(type(alice)(member.user, member, alice.tenant))
    response = bearer_client(raw).get("/api/v1/memberships/")
    assert response.json()["count"] == 3


def test_a_consultant_sees_only_himself(alice, bob, bob_api):
    # when bob (consultant) lists the members
    response = bob_api.get("/api/v1/memberships/")
    # then he sees his own membership only
    assert emails(response) == ["bob@alpha.test"]
    # and alice's membership is not found for him
    assert_problem(bob_api.get(f"/api/v1/memberships/{alice.membership.id}/"), 404, "not_found")


def test_a_consultant_cannot_change_a_membership(alice, bob, bob_api):
    # when bob tries to promote himself
    response = bob_api.patch(f"/api/v1/memberships/{bob.membership.id}/", {"role": "admin"}, content_type="application/json")
    # then he is refused, and nothing changed
    assert_problem(response, 403, "role_cannot_write")
    with tenant_context(bob.tenant):
        assert Membership.objects.get(pk=bob.membership.pk).role == "consultant"


def test_an_admin_changes_a_role_and_the_change_is_audited(alice, bob, alice_api):
    # when alice makes bob a manager, with clearance 3
    response = alice_api.patch(
        f"/api/v1/memberships/{bob.membership.id}/",
        {"role": "manager", "clearance_level": 3},
        content_type="application/json",
    )
    # then the membership is changed
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "manager"
    assert response.json()["clearance_level"] == 3
    assert response.json()["reports_to"] == str(alice.membership.id)  # untouched
    # and the change is in the audit trail, attributed to alice in tenant alpha
    event_model = apps.get_model("tenancy", "MembershipEvent")
    with tenant_context(alice.tenant):
        event = event_model.objects.filter(pgh_obj_id=bob.membership.id, role="manager").select_related("pgh_context").get()
    assert event.pgh_label == "update"
    assert event.pgh_context.metadata["user"] == str(alice.user.id)
    assert event.pgh_context.metadata["tenant"] == str(alice.tenant.id)


def test_the_session_api_changes_a_membership_too(alice, bob):
    # the browsable API under /t/<slug>/ receives the tenant_slug keyword: the viewset ignores it
    response = alice.client().patch(
        alice.url(f"api/v1/memberships/{bob.membership.id}/"), {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["is_active"] is False


def test_the_manager_can_be_cleared_with_null(alice, bob, alice_api):
    response = alice_api.patch(
        f"/api/v1/memberships/{bob.membership.id}/", {"reports_to": None}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["reports_to"] is None


def test_an_unknown_role_is_a_validation_error_on_its_field(alice, bob, alice_api):
    response = alice_api.patch(
        f"/api/v1/memberships/{bob.membership.id}/", {"role": "emperor"}, content_type="application/json"
    )
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["role"]


def test_a_manager_of_another_tenant_is_refused_like_a_missing_one(alice, bob, carol, alice_api):
    # when alice names carol's membership (tenant bravo) as bob's manager
    response = alice_api.patch(
        f"/api/v1/memberships/{bob.membership.id}/", {"reports_to": str(carol.membership.id)}, content_type="application/json"
    )
    # then it does not exist for her
    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == ["reports_to"]


def test_a_reporting_cycle_is_refused_with_its_code(alice, bob, alice_api):
    # given bob reports to alice; when alice is made to report to bob
    response = alice_api.patch(
        f"/api/v1/memberships/{alice.membership.id}/", {"reports_to": str(bob.membership.id)}, content_type="application/json"
    )
    # then the domain error comes back with its code and field
    body = assert_problem(response, 400, "reports_to_cycle")
    assert list(body["errors"]) == ["reports_to"]


def test_the_last_admin_cannot_demote_herself(alice, bob, alice_api):
    response = alice_api.patch(
        f"/api/v1/memberships/{alice.membership.id}/", {"role": "consultant"}, content_type="application/json"
    )
    assert_problem(response, 409, "last_admin")
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=alice.membership.pk).role == "admin"


def test_put_is_not_offered(alice, bob, alice_api):
    response = alice_api.put(f"/api/v1/memberships/{bob.membership.id}/", {"role": "adv"}, content_type="application/json")
    assert_problem(response, 405, "method_not_allowed")


def test_members_filter_by_role_and_active_flag(alice, bob, alice_api):
    with tenant_context(alice.tenant):
        MembershipFactory(user=UserFactory(email="zoe@alpha.test"), role="consultant", is_active=False)
    assert emails(alice_api.get("/api/v1/memberships/?role=consultant")) == ["bob@alpha.test", "zoe@alpha.test"]
    assert emails(alice_api.get("/api/v1/memberships/?role=consultant&is_active=true")) == ["bob@alpha.test"]
    assert emails(alice_api.get("/api/v1/memberships/?role=admin&role=consultant&is_active=false")) == ["zoe@alpha.test"]


def test_members_search_on_email_and_name(alice, bob, alice_api):
    assert emails(alice_api.get("/api/v1/memberships/?search=BOB")) == ["bob@alpha.test"]
    assert emails(alice_api.get("/api/v1/memberships/?search=alice")) == ["alice@alpha.test"]


def test_members_order_by_public_keys_only(alice, bob, alice_api):
    assert emails(alice_api.get("/api/v1/memberships/?ordering=-email")) == ["bob@alpha.test", "alice@alpha.test"]
    assert emails(alice_api.get("/api/v1/memberships/?ordering=role")) == ["alice@alpha.test", "bob@alpha.test"]
    # an ORM path is not a public sort key: the default order applies
    assert emails(alice_api.get("/api/v1/memberships/?ordering=-user__email")) == ["alice@alpha.test", "bob@alpha.test"]


def test_members_paginate_with_page_and_page_size(alice, bob, alice_api):
    body = alice_api.get("/api/v1/memberships/?page=2&page_size=1").json()
    assert body["count"] == 2
    assert [row["user"]["email"] for row in body["results"]] == ["bob@alpha.test"]
    assert body["next"] is None and "page_size=1" in body["previous"]


def _count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/memberships/")
    assert response.status_code == 200
    return len(queries)


def test_listing_members_takes_the_same_queries_for_5_or_30(alice, monkeypatch):
    # given 5 members (with managers), then 30; the token's last-use touch (once a minute) must
    # not land in one measurement only on a slow machine
    monkeypatch.setattr("adv.tenancy.middleware.TOKEN_TOUCH_INTERVAL", timedelta(days=1))
    _token, raw = make_token(alice)
    client = bearer_client(raw)

    def grow_to(total: int) -> None:
        with tenant_context(alice.tenant):
            while Membership.objects.count() < total:
                MembershipFactory(reports_to=alice.membership)

    grow_to(5)
    client.get("/api/v1/memberships/")  # warm up (last_used_at is touched once a minute)
    five = _count_list_queries(client)
    grow_to(30)
    thirty = _count_list_queries(client)
    # then the number of queries does not grow with the rows
    assert five == thirty
    assert len(client.get("/api/v1/memberships/").json()["results"]) == 30
