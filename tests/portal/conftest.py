"""The portal's test firm: the timesheets' firm (tests/timesheets/test_entry_support.py: alice's
firm, Helios with its signatory Marc, Orion; bob's May on Helios awaiting the client), the
portal enabled for both clients, Marc invited (Helios) and Olga invited (Orion)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from adv.tenancy.context import tenant_context
from clients import services as client_services
from portal import auth, services
from portal.models import PortalContact, PortalLinkPurpose
from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    approved,
    fill,
    line,
    open_month,
    require_on_client,
    submitted,
    working_days_of_assignment,
)
from timesheets.models import ClientApproval

firm = support.firm
frozen = support.frozen
media = support.media


@dataclass
class PortalFirm:
    firm: object
    marc: PortalContact
    olga: PortalContact

    @property
    def slug(self) -> str:
        return self.firm.tenant.slug


def url(slug: str, path: str = "") -> str:
    return f"/p/{slug}/{path.lstrip('/')}"


def signed_in(tenant, contact: PortalContact) -> Client:
    """A browser signed in to the portal as `contact` through a one-time link."""
    with tenant_context(tenant):
        raw = auth.issue_link(contact, PortalLinkPurpose.LOGIN)
    browser = Client()
    response = browser.post(url(tenant.slug, f"link/{raw}/"))
    assert response.status_code == 302, response.content[:500]
    return browser


def invite(firm, client, first, last, email) -> PortalContact:
    with tenant_context(firm.tenant):
        services.portal_configure(actor=firm.adv.membership, client=client, enabled=True)
        contact = client.contacts.filter(email=email).first() or client_services.contact_create(
            actor=firm.alice.membership, client=client, first_name=first, last_name=last, email=email,
        )
        return services.contact_invite(actor=firm.adv.membership, contact=contact)


@pytest.fixture
def portal_firm(firm, media) -> PortalFirm:
    marc = invite(firm, firm.client, "Marc", "Olivier", "marc.olivier@helios.example")
    olga = invite(firm, firm.other_client, "Olga", "Petit", "olga.petit@orion.example")
    return PortalFirm(firm, marc, olga)


@pytest.fixture
def pending(portal_firm):
    """Bob's May on Helios (work and a day of leave), approved by alice: awaiting the client."""
    f = portal_firm.firm
    require_on_client(f, signed=True, reception=True)
    timesheet = open_month(f.bob)
    work, leave = line(timesheet, deal=f.deal), line(timesheet, absence="conges-payes")
    fill(f.bob, timesheet, [(work, d, "1") for d in working_days_of_assignment()] + [(leave, 4, "1")])
    approved(f.bob, submitted(f.bob, timesheet), by=f.alice)
    with tenant_context(f.tenant):
        return ClientApproval.objects.select_related("timesheet").get(timesheet=timesheet, deal=f.deal)


SHA = re.compile(r'name="sha256_([0-9a-f-]+)" value="([0-9a-f]{64})"')


def shown_digests(html: str) -> dict[str, str]:
    return dict(SHA.findall(html))
