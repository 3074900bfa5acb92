"""The two database roles: the schema owner (migrations) and the application role (everything
else). The application role owns nothing, is not superuser and has no BYPASSRLS, so row-level
security binds it; it is created and granted after every `migrate`.
"""

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def connect_as(role: str, alias: str = "default") -> None:
    """Point a connection alias at the owner ('owner') or the application role ('app')."""
    credentials = settings.DATABASE_OWNER if role == "owner" else settings.DATABASE_APP
    connection = connections[alias]
    if connection.settings_dict["USER"] == credentials["USER"]:
        return
    connection.close()
    if getattr(connection, "close_pool", None) is not None:
        connection.close_pool()  # a pool keeps the role it was opened with
    connection.settings_dict["USER"] = credentials["USER"]
    connection.settings_dict["PASSWORD"] = credentials["PASSWORD"]


def ensure_app_role(connection) -> None:
    """Create the application role if missing and grant it data access (never ownership)."""
    app_user = settings.DATABASE_APP["USER"]
    if app_user == connection.settings_dict["USER"]:
        raise RuntimeError("DATABASE_APP_USER must differ from the owner in DATABASE_URL.")
    password = settings.DATABASE_APP["PASSWORD"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [app_user])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f'CREATE ROLE "{app_user}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE'
                + (" PASSWORD %s" if password else ""),
                [password] if password else None,
            )
            logger.info("Created the application database role %s", app_user)
        elif row[0] or row[1]:
            raise RuntimeError(
                f"The application role {app_user!r} is superuser or has BYPASSRLS: row-level security "
                "would not apply. Use a plain role (ALTER ROLE ... NOSUPERUSER NOBYPASSRLS)."
            )
        schema = "public"
        cursor.execute(f'GRANT CONNECT ON DATABASE "{connection.settings_dict["NAME"]}" TO "{app_user}"')
        cursor.execute(f'GRANT USAGE ON SCHEMA {schema} TO "{app_user}"')
        cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO "{app_user}"')
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO "{app_user}"')
        cursor.execute(
            f'ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{app_user}"'
        )
        cursor.execute(f'ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO "{app_user}"')
