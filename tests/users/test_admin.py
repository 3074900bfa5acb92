"""Django admin for platform staff: email-based users, firms created with their first admin."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def staff_client(db) -> Client:
    staff = User.objects.create_superuser(email="ops@platform.test", password="correct-horse-battery-staple")
    client = Client()
    client.force_login(staff)
    return client


def test_admin_sign_in_goes_through_the_site_login(db):
    response = Client().get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=/admin/"


def test_a_member_who_is_not_staff_is_refused_the_admin(alice):
    response = alice.client().get("/admin/", follow=True)
    assert response.status_code == 403


def test_user_admin_lists_and_adds_users_by_email(staff_client, alice):
    assert "alice@alpha.test" in staff_client.get("/admin/users/user/").content.decode()

    response = staff_client.post(
        "/admin/users/user/add/",
        {"email": "New@Example.test", "usable_password": "true", "password1": "a-long-passphrase-1", "password2": "a-long-passphrase-1"},
    )

    assert response.status_code == 302
    assert User.objects.get(email="new@example.test").check_password("a-long-passphrase-1")


def test_tenant_admin_creates_the_firm_with_its_first_admin(staff_client):
    response = staff_client.post(
        "/admin/tenancy/tenant/add/",
        {"admin_email": "boss@gamma.test", "slug": "gamma", "name": "Gamma Conseil", "siren": "732829320"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    tenant = Tenant.objects.get(slug="gamma")
    assert tenant.legal_name == "Gamma Conseil"
    with tenant_context(tenant):
        [membership] = Membership.objects.select_related("user")
    assert (membership.user.email, membership.role) == ("boss@gamma.test", "admin")
    assert staff_client.get(f"/admin/tenancy/tenant/{tenant.pk}/change/").status_code == 200


def test_tenant_admin_add_form_shows_field_errors(staff_client):
    response = staff_client.post("/admin/tenancy/tenant/add/", {"admin_email": "not-an-email", "slug": "Bad Slug", "name": ""})
    assert response.status_code == 200
    assert not Tenant.objects.filter(name="").exists()
