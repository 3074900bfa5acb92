"""Shared fixtures: the database roles, and the personas on two tenants.

The test database is created and migrated as the schema owner; every test then runs as the
restricted application role, so row-level security applies exactly as in production.

Personas (DESIGN.md section 9): alice (admin, tenant A), bob (consultant, tenant A, reports to
alice), carol (admin, tenant B).
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from adv.tenancy.context import tenant_context
from adv.tenancy.db_roles import connect_as
from tests.factories import MembershipFactory, TenantFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    connect_as("owner")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        connect_as("owner")
        with connection.cursor() as cursor:
            # Transactional tests empty the tables between tests with TRUNCATE.
            cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{settings.DATABASE_APP["USER"]}"')
        connect_as("app")
    yield
    with django_db_blocker.unblock():
        connect_as("owner")  # the owner drops the test database


@dataclass
class Persona:
    user: object
    membership: object
    tenant: object

    def client(self) -> Client:
        client = Client()
        client.force_login(self.user)
        return client

    def url(self, path: str = "") -> str:
        return f"/t/{self.tenant.slug}/{path.lstrip('/')}"


@pytest.fixture
def tenant_a(db):
    return TenantFactory(slug="alpha", name="Alpha Conseil")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="bravo", name="Bravo Services")


@pytest.fixture
def alice(tenant_a) -> Persona:
    user = UserFactory(email="alice@alpha.test", first_name="Alice", password=PASSWORD)
    with tenant_context(tenant_a):
        membership = MembershipFactory(user=user, role="admin", clearance_level=4)
    return Persona(user, membership, tenant_a)


@pytest.fixture
def bob(tenant_a, alice) -> Persona:
    user = UserFactory(email="bob@alpha.test", first_name="Bob", password=PASSWORD)
    with tenant_context(tenant_a):
        membership = MembershipFactory(user=user, role="consultant", reports_to=alice.membership)
    return Persona(user, membership, tenant_a)


@pytest.fixture
def carol(tenant_b) -> Persona:
    user = UserFactory(email="carol@bravo.test", first_name="Carol", password=PASSWORD)
    with tenant_context(tenant_b):
        membership = MembershipFactory(user=user, role="admin", clearance_level=4)
    return Persona(user, membership, tenant_b)


@pytest.fixture
def personas(alice, bob, carol):
    return {"alice": alice, "bob": bob, "carol": carol}
