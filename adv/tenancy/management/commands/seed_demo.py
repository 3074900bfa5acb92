import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from adv.tenancy import demo
from adv.tenancy.context import tenant_context


class Command(BaseCommand):
    help = "Load the demo firm (idempotent: running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        tenant = demo.seed()
        # Each app may add demo data: a `demo` module with `seed(tenant)`, run in the tenant's context.
        for config in apps.get_app_configs():
            if config.name == "adv.tenancy":
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with tenant_context(tenant):
                module.seed(tenant)
        self.stdout.write(f"Demo firm ready: /t/{tenant.slug}/")
