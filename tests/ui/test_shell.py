"""The layout, the home page, the tenant switcher, the language switch and the error pages."""

import json

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from adv.tenancy.context import tenant_context
from adv.ui.views import error_500
from tests.factories import MembershipFactory, TenantFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_of_the_root_is_sent_to_the_login_page():
    # when an anonymous visitor opens the site
    response = Client().get("/")
    # then they land on the login page
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_member_of_one_firm_lands_on_its_dashboard(alice):
    response = alice.client().get("/")
    assert response.status_code == 302
    assert response["Location"] == alice.url("")


def test_member_of_several_firms_chooses_among_their_own_firms_only(alice, carol, tenant_b):
    # given alice is also a consultant of a third firm, and carol's firm exists
    other = TenantFactory(slug="charlie", name="Charlie Partners")
    with tenant_context(other):
        MembershipFactory(user=alice.user, role="consultant")
    # when alice opens the root
    response = alice.client().get("/")
    # then she is offered her two firms and not carol's
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="firm-option"') == 2
    assert "Alpha Conseil" in body and "Charlie Partners" in body
    assert "Bravo Services" not in body


def test_user_without_firm_is_told_how_to_get_one(db):
    from tests.factories import UserFactory

    user = UserFactory(email="lonely@example.test")
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert 'data-testid="no-firm"' in response.content.decode()


def test_tenant_switcher_lists_only_the_users_own_firms(alice, bob, carol):
    # given alice belongs to alpha and to a second firm; carol to bravo only
    other = TenantFactory(slug="charlie", name="Charlie Partners")
    with tenant_context(other):
        MembershipFactory(user=alice.user, role="adv")
    # when alice looks at her dashboard
    body = alice.client().get(alice.url("")).content.decode()
    # then the switcher offers her two firms, never carol's
    assert body.count('data-testid="tenant-option"') == 2
    assert "/t/charlie/" in body
    assert "Bravo Services" not in body and "/t/bravo/" not in body


def test_firm_with_a_single_membership_shows_no_switcher_menu(bob):
    body = bob.client().get(bob.url("")).content.decode()
    assert 'data-testid="tenant-switcher"' in body
    assert 'data-testid="tenant-option"' not in body


def test_sidebar_shows_administration_to_admins_only(alice, bob):
    admin_page = alice.client().get(alice.url("")).content.decode()
    consultant_page = bob.client().get(bob.url("")).content.decode()
    assert 'data-testid="nav-members"' in admin_page
    assert 'data-testid="nav-audit"' in admin_page
    assert 'data-testid="nav-dashboard"' in consultant_page
    assert 'data-testid="nav-members"' not in consultant_page
    assert 'data-testid="nav-firm_settings"' not in consultant_page


def test_layout_loads_vendored_assets_only_and_sends_the_csrf_header_with_htmx(alice):
    body = alice.client().get(alice.url("")).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body
    assert "/static/vendor/htmx/htmx.min.js" in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert "cdn" not in body.lower()


def test_language_switch_changes_the_interface_and_the_profile(alice):
    client = alice.client()
    # when alice picks English in the navbar
    response = client.post(reverse("language_switch"), {"language": "en", "next": alice.url("")})
    assert response.status_code == 302
    # then her pages speak English, and her profile remembers it
    body = client.get(alice.url("")).content.decode()
    assert '<html lang="en">' in body
    alice.user.refresh_from_db()
    assert alice.user.language == "en"


def test_unknown_firm_answers_404_in_the_layout(alice):
    response = alice.client().get("/t/nope/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in response.content.decode()


def test_carol_gets_404_on_every_page_of_alices_firm(alice, carol):
    client = carol.client()
    for path in ("", "members/", f"members/{alice.membership.pk}/", "invitations/", "settings/", "tokens/", "audit/"):
        assert client.get(alice.url(path)).status_code == 404, path


def test_500_page_renders_without_the_database(monkeypatch, alice):
    # given a database that cannot be reached
    def refuse(*args, **kwargs):
        raise AssertionError("the 500 page touched the database")

    request = RequestFactory().get("/t/alpha/")
    request.user = alice.user  # a real user object: the page must not read it
    monkeypatch.setattr(connection, "cursor", refuse)
    # when the 500 page renders (in the default language: an earlier test in this thread may have
    # left another one active)
    with translation.override("fr"):
        response = error_500(request)
    # then it is the product's page, in French
    assert response.status_code == 500
    body = response.content.decode()
    assert "Une erreur inattendue" in body
    assert "bootstrap.min.css" in body


@pytest.mark.parametrize("path", ["/api/v1/invoices/", "/t/alpha/api/v1/invoices/"])
def test_500_under_the_api_is_a_problem_json(path):
    # given an unexpected error under the API (bearer or session entry point)
    response = error_500(RequestFactory().get(path))
    # then the client gets a problem+json it can parse, not the HTML page
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["code"] == "server_error"


def test_500_elsewhere_stays_the_html_page():
    assert "text/html" in error_500(RequestFactory().get("/t/alpha/apiary/"))["Content-Type"]
