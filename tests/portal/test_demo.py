"""The demo firm's main client has its portal on and two contacts who sign in with the logins of
adv/demo_logins.py (the README's table)."""

from __future__ import annotations

import pytest
from django.test import Client

from adv.demo_logins import DEMO_PORTAL_LOGINS
from adv.tenancy.context import tenant_context
from portal.demo import MAIN_CLIENT
from portal.models import ClientPortal, PortalContact
from portal.session import visible_clients

pytestmark = pytest.mark.today


def test_the_demo_main_client_has_two_portal_contacts_who_sign_in(demo_tenant):
    with tenant_context(demo_tenant):
        assert ClientPortal.objects.get(client__legal_name=MAIN_CLIENT).enabled
        emails = set(PortalContact.objects.filter(client__legal_name=MAIN_CLIENT).values_list("email", flat=True))
    assert emails == {email for email, _group in DEMO_PORTAL_LOGINS["contacts"]}
    for email, sees_group in DEMO_PORTAL_LOGINS["contacts"]:
        browser = Client()
        response = browser.post(
            f"/p/{demo_tenant.slug}/login/", {"mode": "password", "email": email, "password": DEMO_PORTAL_LOGINS["password"]}
        )
        assert response.status_code == 302, email
        home = browser.get(f"/p/{demo_tenant.slug}/").content.decode()
        assert demo_tenant.name in home
        invoices = browser.get(f"/p/{demo_tenant.slug}/invoices/").content.decode()
        assert "invoice-row" in invoices  # the demo's Helios invoices
        with tenant_context(demo_tenant):
            contact = PortalContact.objects.get(email=email)
            # Marc sees the group: Helios and its subsidiary; Claire sees Helios alone
            assert len(visible_clients(contact)) == (2 if sees_group else 1)
