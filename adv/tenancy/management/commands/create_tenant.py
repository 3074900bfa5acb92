from django.core.management.base import BaseCommand, CommandError

from adv.tenancy.errors import DomainError
from adv.tenancy.services import tenant_create


class Command(BaseCommand):
    help = "Create a consulting firm (tenant) and its first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="URL identifier: /t/<slug>/")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", help="Omit to let the admin set it through 'password reset'.")

    def handle(self, *args, slug, name, admin_email, admin_password, **options):
        try:
            tenant, membership = tenant_create(slug=slug, name=name, admin_email=admin_email, admin_password=admin_password)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except Exception as exc:  # password validation and the like
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created tenant {tenant.slug} ({tenant.id}) with admin {membership.user.email}")
