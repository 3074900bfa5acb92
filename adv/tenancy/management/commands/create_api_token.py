from django.core.management.base import BaseCommand, CommandError

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant


class Command(BaseCommand):
    help = "Create an API token for a member of a tenant. The token is printed alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="tenant slug")
        parser.add_argument("--email", required=True, help="the member the token acts as")
        parser.add_argument("--name", default="CLI token")

    def handle(self, *args, tenant, email, name, **options):
        tenant_obj = Tenant.objects.filter(slug=tenant).first()
        if tenant_obj is None:
            raise CommandError(f"No tenant with slug {tenant!r}.")
        with tenant_context(tenant_obj):
            membership = Membership.objects.filter(user__email__iexact=email, is_active=True).first()
            if membership is None:
                raise CommandError(f"{email} is not an active member of {tenant}.")
            token, raw = api_token_create(actor=membership, name=name, second_factor_verified=True)  # the operator vouches
        self.stdout.write(f"Token {token.prefix}… for {email} ({membership.get_role_display()}) in {tenant}:")
        self.stdout.write(raw)
