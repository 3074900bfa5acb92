
from django.core.management.base import BaseCommand, CommandError

from adv.months import Month
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from billing.runs import run_now


class Command(BaseCommand):
    help = "Build (or refresh) a firm's pre-invoices of a month in this process, as the billing run does."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, *args, tenant, month, **options):
        try:
            first = Month.parse(month).first
        except ValueError as exc:
            raise CommandError("--month must look like 2026-10.") from exc
        tenant_obj = Tenant.objects.filter(slug=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"No tenant with slug {tenant!r}.")
        with tenant_context(tenant_obj):
            run = run_now(actor=None, month=first)
        self.stdout.write(
            f"{tenant} {month}: {run.get_status_display()} · {run.created_count} created, {run.updated_count} updated, "
            f"{run.removed_count} removed in {run.chunk_count} chunks."
        )
