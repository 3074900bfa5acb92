"""Row-level security for tenant tables, as a migration operation.

Every table with a `tenant_id` column gets RLS enabled *and forced* (so the table owner is
subject to it too), with a policy whose USING and WITH CHECK compare `tenant_id` to the
transaction's `app.tenant_id`. With no tenant set, the comparison is NULL: no row is visible
and no row can be written. Extra permissive policies open one narrow door each:

- `key_column`: a row is visible (SELECT only) to whoever sets `app.lookup_key` to its hash
  (API tokens and invitations are looked up before their tenant is known);
- `user_column`: a user's own rows are visible (SELECT only) when `app.user_id` is theirs
  (the tenant switcher lists a user's memberships in every firm).
"""

from django.db import migrations

TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def _statements(table: str, key_column: str | None, user_column: str | None) -> list[str]:
    sql = [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})',
    ]
    if key_column:
        sql.append(
            f'CREATE POLICY lookup_by_key ON "{table}" FOR SELECT '
            f"USING (\"{key_column}\" = NULLIF(current_setting('app.lookup_key', true), ''))"
        )
    if user_column:
        sql.append(
            f'CREATE POLICY own_rows ON "{table}" FOR SELECT '
            f"USING (\"{user_column}\" = NULLIF(current_setting('app.user_id', true), '')::uuid)"
        )
    return sql


def _reverse(table: str, key_column: str | None, user_column: str | None) -> list[str]:
    sql = [f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"']
    if key_column:
        sql.append(f'DROP POLICY IF EXISTS lookup_by_key ON "{table}"')
    if user_column:
        sql.append(f'DROP POLICY IF EXISTS own_rows ON "{table}"')
    sql += [
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]
    return sql


def EnableRowLevelSecurity(  # noqa: N802 - reads like the migration operation it is
    table: str, *, key_column: str | None = None, user_column: str | None = None
) -> migrations.RunSQL:
    """Migration operation: `EnableRowLevelSecurity("tenancy_membership", user_column="user_id")`."""
    return migrations.RunSQL(
        sql=_statements(table, key_column, user_column),
        reverse_sql=_reverse(table, key_column, user_column),
        elidable=False,
    )
