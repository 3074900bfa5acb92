"""Pooled connections (DB_POOL, on outside tests): a connection handed to the next request carries
no tenant from the previous one, because the tenant is set per transaction."""

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_carries_no_tenant_from_one_use_to_the_next(tenant_a):
    settings_dict = {
        **connections["default"].settings_dict,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 1}},
    }
    wrapper = DatabaseWrapper(settings_dict, alias="pool_test")
    try:
        # a request sets the tenant in its transaction, as tenant_context does
        wrapper.set_autocommit(False)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), set_config('app.tenant_id', %s, true)", [str(tenant_a.pk)])
            first_pid, _value = cursor.fetchone()
        wrapper.commit()
        wrapper.set_autocommit(True)
        wrapper.close()  # back to the pool

        # the next request gets the same server connection, with no tenant
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting('app.tenant_id', true), current_user")
            pid, tenant, role = cursor.fetchone()
        assert pid == first_pid
        assert not tenant
        assert role == settings_dict["USER"]
    finally:
        wrapper.close()
        wrapper.close_pool()
