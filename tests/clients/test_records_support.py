"""Helpers of the client-record tests (no test here): valid French identifiers, members of
every role in tenant A, and clients created through the services."""

from __future__ import annotations

import itertools

from stdnum import luhn

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from clients import services
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory

_sequence = itertools.count(10_000_001)


def make_siren(base: int | None = None) -> str:
    """A SIREN with a correct Luhn key (8 digits + the key)."""
    digits = f"{base if base is not None else next(_sequence):08d}"[-8:]
    return digits + luhn.calc_check_digit(digits)


def make_siret(siren: str, nic: int = 1) -> str:
    """A SIRET of `siren` with a correct Luhn key over the 14 digits."""
    digits = f"{siren}{nic:04d}"
    return digits + luhn.calc_check_digit(digits)


def make_vat(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def create_client(persona: Persona, **fields):
    """A client of the persona's tenant, created by the persona through the service."""
    fields.setdefault("legal_name", f"Client {next(_sequence)} SAS")
    with tenant_context(persona.tenant):
        return services.client_create(actor=persona.membership, **fields)


def member(persona: Persona, role: str) -> Persona:
    """A member of the persona's firm with that role (clearance 4), created once."""
    user = UserFactory(email=f"{role}@{persona.tenant.slug}.test", first_name=role.capitalize(), last_name="Alpha")
    with tenant_context(persona.tenant):
        membership = Membership.objects.filter(user=user).first() or MembershipFactory(
            user=user, role=role, clearance_level=4
        )
    return Persona(user, membership, persona.tenant)
