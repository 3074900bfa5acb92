"""`migrate` runs as the schema owner (DATABASE_URL), then grants the application role.

Every other command, and the web and worker processes, connect as the application role.
"""

from django.core.management.commands import migrate
from django.db import connections

from adv.tenancy.db_roles import connect_as, ensure_app_role


class Command(migrate.Command):
    def execute(self, *args, **options):
        # The system checks run before `handle` and may touch the database: as the owner too, since
        # the application role does not exist yet on a fresh server.
        alias = options.get("database") or "default"
        connect_as("owner", alias)
        try:
            return super().execute(*args, **options)
        finally:
            connect_as("app", alias)

    def handle(self, *args, **options):
        super().handle(*args, **options)
        ensure_app_role(connections[options.get("database") or "default"])
