import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import TenantContextMissing, TenantMismatch
from adv.tenancy.models import Membership

pytestmark = pytest.mark.django_db


def test_tests_run_as_the_restricted_application_role(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, is_super, bypass = cursor.fetchone()
    assert user == "adv_app"
    assert not is_super and not bypass


def test_scoped_query_without_tenant_raises(alice):
    with pytest.raises(TenantContextMissing):
        list(Membership.objects.all())


def test_scoped_query_sees_only_the_active_tenant(alice, bob, carol):
    with tenant_context(alice.tenant):
        assert set(Membership.objects.values_list("user__email", flat=True)) == {"alice@alpha.test", "bob@alpha.test"}
    with tenant_context(carol.tenant):
        assert list(Membership.objects.values_list("user__email", flat=True)) == ["carol@bravo.test"]


def test_raw_sql_sees_no_row_of_another_tenant(alice, carol):
    with tenant_context(carol.tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_membership WHERE tenant_id = %s", [alice.tenant.id])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM tenancy_membership")
        assert cursor.fetchone()[0] == 1


def test_raw_sql_without_tenant_sees_nothing(alice, carol):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tenancy_membership")
        assert cursor.fetchone()[0] == 0


def test_database_rejects_insert_for_another_tenant(alice, carol):
    with tenant_context(carol.tenant):
        with pytest.raises(ProgrammingError, match="row-level security"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO tenancy_membership (id, created_at, updated_at, tenant_id, user_id, role, "
                    "clearance_level, is_active) VALUES (gen_random_uuid(), now(), now(), %s, %s, 'admin', 4, true)",
                    [alice.tenant.id, carol.user.id],
                )
    with tenant_context(alice.tenant):
        assert not Membership.objects.filter(user=carol.user).exists()


def test_saving_a_row_under_another_tenant_is_refused(alice, carol):
    with tenant_context(carol.tenant):
        alice.membership.role = "consultant"
        with pytest.raises(TenantMismatch):
            alice.membership.save()
    with tenant_context(alice.tenant):
        assert Membership.objects.get(pk=alice.membership.pk).role == "admin"


def test_tenant_setting_is_restored_after_the_block(alice, carol):
    with tenant_context(alice.tenant):
        with tenant_context(carol.tenant):
            assert Membership.objects.count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('app.tenant_id', true)")
            assert cursor.fetchone()[0] == str(alice.tenant.id)
