"""Staff side: the portal page of a client (switch, contacts, last sign-in, invite / resend /
revoke, action log), the rights, and the API /api/v1/portal-contacts/."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from notifications.models import OutboxEmail
from portal.models import PortalContact, PortalContactStatus
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_the_client_record_leads_to_its_portal_page(portal_firm):
    f = portal_firm.firm
    detail = f.adv.client().get(f.adv.url(f"clients/{f.client.pk}/?tab=contacts"))
    assert f"/t/{f.tenant.slug}/portal/clients/{f.client.pk}/".encode() in detail.content
    signed_in(f.tenant, portal_firm.marc)
    page = f.adv.client().get(f.adv.url(f"portal/clients/{f.client.pk}/"))
    html = page.content.decode()
    assert page.status_code == 200 and "marc.olivier@helios.example" in html and "Actif" in html
    assert 'data-action="login">Connexion</td>' in html  # the action log, in words


def test_adv_resends_and_revokes_from_the_page(portal_firm):
    f = portal_firm.firm
    browser = f.adv.client()
    base = f"portal/clients/{f.client.pk}/access/{portal_firm.marc.pk}/"
    assert browser.post(f.adv.url(base + "resend/")).status_code == 302
    with tenant_context(f.tenant):
        assert OutboxEmail.objects.filter(template_key="portal.invitation", to=["marc.olivier@helios.example"]).count() == 2
    assert browser.post(f.adv.url(base + "revoke/")).status_code == 302
    with tenant_context(f.tenant):
        assert PortalContact.objects.get(pk=portal_firm.marc.pk).status == PortalContactStatus.REVOKED
    # another client's access through this client's page: not found
    assert browser.post(f.adv.url(f"portal/clients/{f.client.pk}/access/{portal_firm.olga.pk}/revoke/")).status_code == 404


def test_a_consultant_may_not_invite_nor_configure(portal_firm):
    f = portal_firm.firm
    assert f.bob.client().get(f.bob.url(f"portal/clients/{f.client.pk}/")).status_code == 403
    response = f.manager.client().post(f.manager.url(f"portal/clients/{f.client.pk}/settings/"), {"enabled": "on"})
    assert response.status_code in (302, 403)
    with tenant_context(f.tenant):
        from portal.models import ClientPortal

        assert ClientPortal.objects.get(client=f.client).enabled is True  # unchanged (still enabled)


def test_the_api_lists_invites_and_revokes(portal_firm):
    f = portal_firm.firm
    api = f.adv.client()
    listing = api.get(f.adv.url(f"api/v1/portal-contacts/?client={f.client.pk}"))
    assert listing.status_code == 200
    assert [row["email"] for row in listing.json()["results"]] == ["marc.olivier@helios.example"]
    with tenant_context(f.tenant):
        from clients import services as client_services

        nadia = client_services.contact_create(actor=f.alice.membership, client=f.client, first_name="Nadia", last_name="Benali", email="Nadia@Helios.example")
    created = api.post(f.adv.url("api/v1/portal-contacts/"), {"contact": str(nadia.pk), "sees_group": True}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["email"] == "nadia@helios.example" and created.json()["status"] == "invited"
    again = api.post(f.adv.url("api/v1/portal-contacts/"), {"contact": str(nadia.pk)}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "already_invited"
    revoked = api.post(f.adv.url(f"api/v1/portal-contacts/{created.json()['id']}/revoke/"))
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert f.bob.client().post(f.bob.url("api/v1/portal-contacts/"), {"contact": str(nadia.pk)}, content_type="application/json").status_code == 403
