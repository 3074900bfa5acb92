"""Access to the portal: one-time links (15 minutes, single use, hashed), passwords with
lockout, sessions apart from the staff's, revocation, and every action logged."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from adv.tenancy.context import tenant_context
from notifications.models import OutboxEmail
from portal import auth, services
from portal.models import PortalActivity, PortalContact, PortalContactStatus, PortalLink, PortalLinkPurpose
from tests.portal.conftest import signed_in, url

pytestmark = pytest.mark.django_db


def test_the_invitation_emails_a_first_link_and_stores_only_its_hash(portal_firm):
    f = portal_firm.firm
    with tenant_context(f.tenant):
        email = OutboxEmail.objects.get(template_key="portal.invitation", to=["marc.olivier@helios.example"])
        link = PortalLink.objects.get(contact=portal_firm.marc, purpose=PortalLinkPurpose.INVITATION)
    token = email.body.split(f"/p/{f.tenant.slug}/link/")[1].split("/")[0]
    assert link.key_hash == auth.hash_secret(token) and token not in link.key_hash
    browser = Client()
    assert browser.get(url(f.tenant.slug, f"link/{token}/")).status_code == 200  # a GET spends nothing
    response = browser.post(url(f.tenant.slug, f"link/{token}/"))
    assert response.status_code == 302 and response["Location"] == url(f.tenant.slug)
    home = browser.get(url(f.tenant.slug))
    assert home.status_code == 200 and f.tenant.name in home.content.decode()
    with tenant_context(f.tenant):
        marc = PortalContact.objects.get(pk=portal_firm.marc.pk)
        assert marc.status == PortalContactStatus.ACTIVE and marc.last_login_at is not None
        assert PortalActivity.objects.filter(contact=marc, action="login", ip_address="127.0.0.1").exists()


def test_a_login_link_works_once_and_expires_after_15_minutes(portal_firm, monkeypatch):
    f = portal_firm.firm
    with tenant_context(f.tenant):
        first = auth.issue_link(portal_firm.marc, PortalLinkPurpose.LOGIN)
        second = auth.issue_link(portal_firm.marc, PortalLinkPurpose.LOGIN)
    assert Client().post(url(f.slug if hasattr(f, "slug") else f.tenant.slug, f"link/{first}/")).status_code == 302
    reused = Client().post(url(f.tenant.slug, f"link/{first}/"))
    assert reused.status_code == 410 and "déjà servi" in reused.content.decode()
    later = timezone.now() + datetime.timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    expired = Client().post(url(f.tenant.slug, f"link/{second}/"))
    assert expired.status_code == 410 and "expiré" in expired.content.decode()
    assert "adv_portal" not in expired.cookies or not expired.cookies["adv_portal"].value
    assert Client().post(url(f.tenant.slug, "link/" + "x" * 43 + "/")).status_code == 404


def test_asking_for_a_link_never_tells_who_has_an_account(portal_firm):
    f = portal_firm.firm
    known = Client().post(url(f.tenant.slug, "login/"), {"mode": "link", "email": "MARC.olivier@helios.example"})
    unknown = Client().post(url(f.tenant.slug, "login/"), {"mode": "link", "email": "nobody@helios.example"})
    assert known.status_code == unknown.status_code == 200
    assert b"portal-link-sent" in known.content and b"portal-link-sent" in unknown.content
    with tenant_context(f.tenant):
        assert OutboxEmail.objects.filter(template_key="portal.login_link").count() == 1


def test_a_revoked_contact_loses_links_and_sessions_at_once(portal_firm):
    f = portal_firm.firm
    browser = signed_in(f.tenant, portal_firm.marc)
    with tenant_context(f.tenant):
        pending_link = auth.issue_link(portal_firm.marc, PortalLinkPurpose.LOGIN)
        services.contact_revoke(actor=f.adv.membership, portal_contact=portal_firm.marc)
    assert browser.get(url(f.tenant.slug)).status_code == 302  # the open session ended
    refused = Client().post(url(f.tenant.slug, f"link/{pending_link}/"))
    assert refused.status_code == 410
    with tenant_context(f.tenant):
        fresh = auth.issue_link(PortalContact.objects.get(pk=portal_firm.marc.pk), PortalLinkPurpose.LOGIN)
    revoked = Client().post(url(f.tenant.slug, f"link/{fresh}/"))
    assert revoked.status_code == 410 and "retiré" in revoked.content.decode()


def test_the_portal_disabled_for_the_client_refuses_sign_in(portal_firm):
    f = portal_firm.firm
    with tenant_context(f.tenant):
        services.portal_configure(actor=f.adv.membership, client=f.client, enabled=False)
        raw = auth.issue_link(portal_firm.marc, PortalLinkPurpose.LOGIN)
    assert Client().post(url(f.tenant.slug, f"link/{raw}/")).status_code == 410


def test_password_lockout_after_five_failures(portal_firm):
    f = portal_firm.firm
    with tenant_context(f.tenant):
        auth.password_set(portal_firm.marc, "Un-mot-de-passe-solide-42", ip=None)
    form = {"mode": "password", "email": "marc.olivier@helios.example"}
    ok = Client().post(url(f.tenant.slug, "login/"), {**form, "password": "Un-mot-de-passe-solide-42"})
    assert ok.status_code == 302
    for _ in range(5):
        assert Client().post(url(f.tenant.slug, "login/"), {**form, "password": "wrong"}).status_code == 400
    locked = Client().post(url(f.tenant.slug, "login/"), {**form, "password": "Un-mot-de-passe-solide-42"})
    assert locked.status_code == 400 and "Trop d" in locked.content.decode()
    with tenant_context(f.tenant):
        assert PortalActivity.objects.filter(contact=portal_firm.marc, action="locked_out").count() == 1
        assert PortalActivity.objects.filter(contact=portal_firm.marc, action="login_failed").count() == 4


def test_totp_is_asked_once_enabled(portal_firm):
    from django_otp.oath import TOTP

    f = portal_firm.firm
    secret = auth.totp_new_secret()
    with tenant_context(f.tenant):
        auth.password_set(portal_firm.marc, "Un-mot-de-passe-solide-42", ip=None)
        marc = PortalContact.objects.get(pk=portal_firm.marc.pk)
        auth.totp_enable(marc, secret, str(TOTP(bytes.fromhex(secret)).token()).zfill(6), ip=None)
    form = {"mode": "password", "email": "marc.olivier@helios.example", "password": "Un-mot-de-passe-solide-42"}
    without = Client().post(url(f.tenant.slug, "login/"), form)
    assert without.status_code == 400
    wrong = Client().post(url(f.tenant.slug, "login/"), {**form, "code": "000000" if TOTP(bytes.fromhex(secret)).token() else "111111"})
    assert wrong.status_code == 400


def test_staff_and_portal_sessions_never_grant_each_other(portal_firm):
    f = portal_firm.firm
    staff = f.adv.client()
    assert staff.get(url(f.tenant.slug)).status_code == 302  # the staff session is no portal session
    portal = signed_in(f.tenant, portal_firm.marc)
    response = portal.get(f"/t/{f.tenant.slug}/")
    assert response.status_code == 302 and "/login" in response["Location"]  # nor the other way
    assert portal.cookies["adv_portal"]["path"] == f"/p/{f.tenant.slug}/"


def test_an_unknown_firm_answers_404(portal_firm):
    assert Client().get("/p/no-such-firm/login/").status_code == 404
