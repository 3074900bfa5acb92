"""The demo firm: identity, members of every role, and pending invitations.

Idempotent: each object is looked up by its natural key first, so `make run` can load it every time.
Other apps add their own demo data in a `demo.py` module with `seed(tenant)` (see seed_demo).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from adv.demo_logins import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TENANT_SLUG

from .context import tenant_context
from .models import ClearanceLevel, Invitation, Membership, Role, Tenant
from .services import _hash
from .signals import tenant_created

User = get_user_model()

IDENTITY = {
    "name": "Démo Conseil",
    "legal_name": "Démo Conseil SAS",
    "legal_form": "SAS",
    "share_capital": Decimal("50000.00"),
    "rcs_city": "Paris",
    "siren": "732829320",
    "siret": "73282932000074",
    "vat_number": "FR44732829320",
    "address_line1": "12 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "iban": "FR1420041010050500013M02606",
    "bic": "PSSTFRPPPAR",
    "payment_terms_days": 30,
}

PEOPLE = {
    "admin@demo.adv.test": ("Amélie", "Martin", Role.ADMIN, ClearanceLevel.RESTRICTED),
    "adv@demo.adv.test": ("Sophie", "Bernard", Role.ADV, ClearanceLevel.CONFIDENTIAL),
    "sales@demo.adv.test": ("Thomas", "Petit", Role.SALES, ClearanceLevel.INTERNAL),
    "pm@demo.adv.test": ("Julie", "Robert", Role.PROJECT_MANAGER, ClearanceLevel.INTERNAL),
    "manager@demo.adv.test": ("Nicolas", "Richard", Role.MANAGER, ClearanceLevel.INTERNAL),
    "consultant@demo.adv.test": ("Camille", "Durand", Role.CONSULTANT, ClearanceLevel.PUBLIC),
    "contractor@demo.adv.test": ("Hugo", "Leroy", Role.CONSULTANT, ClearanceLevel.PUBLIC),
    "accountant@demo.adv.test": ("Claire", "Moreau", Role.ACCOUNTANT, ClearanceLevel.CONFIDENTIAL),
}
# Consultants of the demo firm beyond the logins, so that lists have something to page through.
EXTRA_CONSULTANTS = [
    ("Léa", "Simon"), ("Lucas", "Michel"), ("Manon", "Lefebvre"), ("Louis", "Garcia"), ("Chloé", "David"),
    ("Gabriel", "Bertrand"), ("Inès", "Roux"), ("Arthur", "Vincent"), ("Jade", "Fournier"), ("Raphaël", "Morel"),
]


def seed() -> Tenant:
    tenant, created = Tenant.objects.update_or_create(slug=DEMO_TENANT_SLUG, defaults=IDENTITY)
    if created:
        with tenant_context(tenant):
            tenant_created.send(sender=Tenant, tenant=tenant)
    assert {email for email, _role in DEMO_LOGINS["users"]} == set(PEOPLE)
    with tenant_context(tenant):
        memberships = {}
        for email, (first, last, role, clearance) in PEOPLE.items():
            memberships[email] = _member(email, first, last, role, clearance)
        manager = memberships["manager@demo.adv.test"]
        for email in ("consultant@demo.adv.test", "contractor@demo.adv.test"):
            Membership.objects.filter(pk=memberships[email].pk).update(reports_to=manager)
        Membership.objects.filter(pk=memberships["contractor@demo.adv.test"].pk).update(is_contractor=True)
        for first, last in EXTRA_CONSULTANTS:
            email = f"{_ascii(first)}.{_ascii(last)}@demo.adv.test"
            member = _member(email, first, last, Role.CONSULTANT, ClearanceLevel.PUBLIC)
            Membership.objects.filter(pk=member.pk).update(reports_to=manager)
        admin = memberships["admin@demo.adv.test"]
        for email, role in (("nouvelle.recrue@demo.adv.test", Role.CONSULTANT), ("freelance@exemple.test", Role.CONSULTANT)):
            if not Invitation.objects.filter(email=email).exists():
                Invitation.objects.create(
                    email=email, role=role, invited_by=admin.user, key_hash=_hash(f"demo-invitation-{email}"),
                    expires_at=timezone.now() + timedelta(days=5),
                )
    return tenant


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _member(email: str, first: str, last: str, role: str, clearance: int) -> Membership:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
    membership, _ = Membership.objects.get_or_create(
        user=user, defaults={"role": role, "clearance_level": clearance}
    )
    return membership
