"""Members page: admins list, search and edit; other roles get 403; other firms 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def test_admin_sees_the_members_of_her_firm_only(alice, bob, carol):
    response = alice.client().get(alice.url("members/"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "bob@alpha.test" in body and "alice@alpha.test" in body
    assert "carol@bravo.test" not in body


def test_search_filters_by_name_or_email_and_role(alice, bob, add_members):
    add_members(alice.tenant, 3, role="sales")
    client = alice.client()
    body = client.get(alice.url("members/"), {"q": "bob"}).content.decode()
    assert body.count('data-testid="member-row"') == 1 and "bob@alpha.test" in body
    body = client.get(alice.url("members/"), {"role": "sales"}).content.decode()
    assert body.count('data-testid="member-row"') == 3
    body = client.get(alice.url("members/"), {"q": "nobody-matches"}).content.decode()
    assert 'data-testid="members-empty"' in body


def test_members_sort_by_email_descending(alice, bob):
    body = alice.client().get(alice.url("members/"), {"sort": "-email"}).content.decode()
    body = body[body.index('id="members-results"'):]
    assert body.index("bob@alpha.test") < body.index("alice@alpha.test")


def test_htmx_request_gets_the_results_fragment_only(alice, bob):
    response = alice.client().get(alice.url("members/"), {"q": "bob"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert 'id="members-results"' in body
    assert "<html" not in body


def test_members_are_paginated_on_the_server(alice, add_members):
    add_members(alice.tenant, 30)
    client = alice.client()
    first = client.get(alice.url("members/")).content.decode()
    second = client.get(alice.url("members/"), {"page": 2}).content.decode()
    assert first.count('data-testid="member-row"') == 25
    assert second.count('data-testid="member-row"') == 6


def _members_page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_members_list_query_count_does_not_grow_with_the_members(alice, bob, add_members, django_assert_num_queries):
    # given 5 members, with managers
    client = alice.client()
    add_members(alice.tenant, 3, reports_to=bob.membership)
    with_five = _members_page_queries(client, alice.url("members/"))
    # when the firm grows to 30 members
    add_members(alice.tenant, 25, reports_to=alice.membership)
    # then the page runs exactly as many queries
    with django_assert_num_queries(with_five):
        client.get(alice.url("members/"))


def test_admin_changes_a_members_role_clearance_manager_and_status(alice, bob, add_members):
    manager = add_members(alice.tenant, 1, role="manager")[0]
    # when alice promotes bob
    response = alice.client().post(
        alice.url(f"members/{bob.membership.pk}/"),
        {"role": "adv", "clearance_level": "3", "reports_to": str(manager.pk), "is_active": "on"},
    )
    # then it is saved through the service
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        bob_membership = Membership.objects.get(pk=bob.membership.pk)
    assert (bob_membership.role, bob_membership.clearance_level, bob_membership.reports_to_id) == ("adv", 3, manager.pk)
    assert bob_membership.is_active


def test_service_error_shows_inline_and_changes_nothing(alice, bob):
    with tenant_context(alice.tenant):
        Membership.objects.filter(pk=bob.membership.pk).update(role="manager")  # who may be a manager
    # when alice tries to make bob report to bob's own report (a cycle: bob -> alice -> bob)
    response = alice.client().post(
        alice.url(f"members/{alice.membership.pk}/"),
        {"role": "admin", "clearance_level": "4", "reports_to": str(bob.membership.pk), "is_active": "on"},
    )
    # then the error shows next to the manager field, and nothing is saved
    assert response.status_code == 400
    body = response.content.decode()
    assert "boucle hiérarchique" in body
    assert "is-invalid" in body
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=alice.membership.pk).reports_to_id is None


def test_last_admin_cannot_demote_herself(alice, bob):
    response = alice.client().post(
        alice.url(f"members/{alice.membership.pk}/"), {"role": "consultant", "clearance_level": "4", "is_active": "on"}
    )
    assert response.status_code == 400
    assert "au moins un administrateur actif" in response.content.decode()
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=alice.membership.pk).role == "admin"


@pytest.mark.parametrize("path", ["members/", "invitations/", "settings/", "audit/"])
def test_consultant_gets_403_on_admin_pages(bob, path):
    response = bob.client().get(bob.url(path))
    assert response.status_code == 403
    assert 'data-testid="error-403"' in response.content.decode()


def test_consultant_cannot_edit_a_member(alice, bob):
    response = bob.client().post(
        bob.url(f"members/{alice.membership.pk}/"), {"role": "consultant", "clearance_level": "1"}
    )
    assert response.status_code == 403
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=alice.membership.pk).role == "admin"


def test_carol_gets_404_on_alices_member_and_changes_nothing(alice, bob, carol):
    response = carol.client().post(
        alice.url(f"members/{bob.membership.pk}/"), {"role": "admin", "clearance_level": "4", "is_active": "on"}
    )
    assert response.status_code == 404
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=bob.membership.pk).role == "consultant"


def test_carol_cannot_reach_alices_member_through_her_own_firm(alice, bob, carol):
    # the member id of another firm, under carol's own firm: 404 like a missing one
    response = carol.client().get(carol.url(f"members/{bob.membership.pk}/"))
    assert response.status_code == 404
