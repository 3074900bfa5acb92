"""Every table with a tenant_id column has row-level security enabled, forced, with a policy
that checks both reads (USING) and writes (WITH CHECK)."""

import pytest
from django.apps import apps
from django.db import connection

from adv.tenancy.models import TenantModel

pytestmark = pytest.mark.django_db


def _tenant_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY table_name"
        )
        return [row[0] for row in cursor.fetchall()]


def test_the_meta_test_finds_the_known_tenant_tables():
    tables = _tenant_tables()
    assert {"tenancy_membership", "tenancy_invitation", "api_apitoken"} <= set(tables)


def test_every_tenant_table_has_forced_row_level_security_with_a_checking_policy():
    missing = []
    with connection.cursor() as cursor:
        for table in _tenant_tables():
            cursor.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE oid = %s::regclass",
                [f'public."{table}"'],
            )
            enabled, forced = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = %s "
                "AND policyname = 'tenant_isolation' AND cmd = 'ALL' AND qual IS NOT NULL AND with_check IS NOT NULL",
                [table],
            )
            has_policy = cursor.fetchone()[0] == 1
            if not (enabled and forced and has_policy):
                missing.append(f"{table}: enabled={enabled} forced={forced} tenant_isolation policy={has_policy}")
    assert not missing, "Tables without forced RLS (add EnableRowLevelSecurity in a migration):\n" + "\n".join(missing)


def test_extra_policies_only_open_reads():
    """The lookup and own-rows policies never allow writes: only tenant_isolation does. (Restrictive
    policies, such as the client portal's, only narrow what the permissive ones allow.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, policyname, cmd FROM pg_policies WHERE schemaname = 'public' "
            "AND policyname <> 'tenant_isolation' AND permissive = 'PERMISSIVE'"
        )
        rows = cursor.fetchall()
    assert rows, "expected the token/invitation lookup and own-membership policies"
    assert all(cmd == "SELECT" for _table, _name, cmd in rows), rows


def test_every_tenant_model_table_has_a_tenant_id_column():
    tables = set(_tenant_tables())
    models = [m for m in apps.get_models() if issubclass(m, TenantModel)]
    assert models
    assert {m._meta.db_table for m in models} <= tables


def test_application_role_owns_no_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
        assert cursor.fetchone()[0] == 0
