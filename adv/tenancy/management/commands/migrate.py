"""`migrate` runs as the schema owner (DATABASE_URL), then grants the application role.

Every other command, and the web and worker processes, connect as the application role.
"""

from django.core.management.commands import migrate
from django.db import connections

from adv.tenancy.db_roles import connect_as, ensure_app_role


class Command(migrate.Command):
    def handle(self, *args, **options):
        alias = options.get("database") or "default"
        connect_as("owner", alias)
        try:
            super().handle(*args, **options)
            ensure_app_role(connections[alias])
        finally:
            connect_as("app", alias)
