"""The demo firm's client portal: Helios Énergies (the main client) has it enabled and two
portal contacts with known logins (adv/demo_logins.py, the README): Marc Olivier, who sees the
group (Helios Solutions Numériques is a subsidiary), and Claire Fontaine. Idempotent."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from adv.demo_logins import DEMO_PORTAL_LOGINS
from clients.models import Client, Contact

from .models import ClientPortal, PortalContact, PortalContactStatus

MAIN_CLIENT = "Helios Énergies SA"


def seed(tenant) -> None:
    client = Client.objects.filter(legal_name=MAIN_CLIENT).first()
    if client is None:
        return
    ClientPortal.objects.update_or_create(client=client, defaults={"enabled": True, "reception_number_max_length": 30})
    for email, sees_group in DEMO_PORTAL_LOGINS["contacts"]:
        contact = Contact.objects.filter(client=client, email=email).first()
        if contact is None or PortalContact.objects.filter(contact=contact).exists():
            continue
        PortalContact.objects.create(
            contact=contact, client=client, email=email, sees_group=sees_group, status=PortalContactStatus.ACTIVE,
            invited_at=timezone.now(), password=make_password(DEMO_PORTAL_LOGINS["password"]), language="fr",
        )
