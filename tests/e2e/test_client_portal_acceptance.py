"""The client portal in Chromium, an acceptance report (PV de recette): the demo hospital's
acceptance signer (Sandrine Caron) signs in with her password, downloads the firm's draft of the
PV of a milestone now due and approves it online; the ADV, who saw the milestone blocked on the
deal's schedule, sees it ready with the signed PV attached, without doing anything.

Screenshots of the key pages land in $PORTAL_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from clients.models import Client
from deals import services as deal_services
from deals.models import Milestone, MilestoneStatus
from portal import auth, services
from portal.models import PortalSignature, SignatureKind
from tests.e2e.browser import login as staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOSPITAL = "Centre hospitalier régional de Val-de-Loire"
SANDRINE = "sandrine.caron@chr-valdeloire.example"
PORTAL_PASSWORD = "Recette-portail-2026!"
MILESTONE = "Livraison du lot 1 (prise de rendez-vous)"


def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PORTAL_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder




@pytest.fixture
def hospital(demo_firm, settings, tmp_path):
    """The hospital's portal enabled, Sandrine invited with a password, the lot 1 milestone due
    yesterday without its PV: blocked."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant), transaction.atomic():
        adv = Membership.objects.get(user__email="adv@demo.adv.test")
        client = Client.objects.get(legal_name=HOSPITAL)
        services.portal_configure(actor=adv, client=client, enabled=True)
        access = services.contact_invite(actor=adv, contact=client.contacts.get(email=SANDRINE))
        auth.password_set(access, PORTAL_PASSWORD, ip=None)
        milestone = Milestone.objects.select_related("deal").get(deal__client=client, label=MILESTONE)
        today = timezone.localdate()
        Milestone.objects.filter(pk=milestone.pk).update(due_date=today - datetime.timedelta(days=1))
        deal_services.milestones_refresh(deal=milestone.deal, today=today)
        milestone.refresh_from_db()
        assert milestone.status == MilestoneStatus.BLOCKED and milestone.document_id is None
    return tenant, milestone


def test_the_client_approves_a_pv_online_and_the_adv_sees_the_milestone_unblocked(live_server, page, browser, hospital, tmp_path):
    tenant, milestone = hospital
    folder = shots(tmp_path)
    deal_url = live_server.url + reverse("deals:detail", kwargs={"tenant_slug": tenant.slug, "pk": milestone.deal_id}) + "?tab=milestones"

    # the ADV sees the milestone blocked, its PV not given
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR").new_page()
    staff_login(staff, live_server.url, "adv@demo.adv.test")
    staff.goto(deal_url)
    row = staff.locator("[data-testid=milestone-row]").filter(has=staff.locator(".fw-semibold", has_text=MILESTONE))
    expect(row).to_have_attribute("data-status", "blocked")
    expect(row).to_contain_text("non fourni")

    # the client's signer signs in with her password
    page.goto(f"{live_server.url}/p/{tenant.slug}/")
    page.locator("#pw-email").fill(SANDRINE)
    page.locator("#pw-password").fill("not her password")
    page.get_by_test_id("portal-password-login").click()
    expect(page.get_by_test_id("portal-login-error")).to_be_visible()
    page.locator("#pw-email").fill(SANDRINE)
    page.locator("#pw-password").fill(PORTAL_PASSWORD)
    page.get_by_test_id("portal-password-login").click()
    expect(page.get_by_test_id("portal-firm")).to_have_text(tenant.name)

    # the PV awaited: download the firm's draft, then approve it online
    page.get_by_test_id("nav-milestones").click()
    card = page.locator("[data-testid=pending-milestone]", has_text=MILESTONE)
    expect(card).to_be_visible()
    page.screenshot(path=str(folder / "portal-pv-awaited.png"), full_page=True)
    with page.expect_download() as download:
        card.get_by_test_id("pv-draft").click()
    draft = Path(download.value.path()).read_bytes()
    assert draft.startswith(b"%PDF") and download.value.suggested_filename.endswith("-projet.pdf")
    card.get_by_test_id("pv-approve").click()
    expect(page.get_by_text("PV de recette approuvé : merci.")).to_be_visible()
    expect(page.locator("[data-testid=pending-milestone]", has_text=MILESTONE)).to_have_count(0)
    page.screenshot(path=str(folder / "portal-pv-approved.png"), full_page=True)

    # the evidence: who, when, from where, the SHA-256 of what was approved, the signed PV filed
    with tenant_context(tenant):
        signature = PortalSignature.objects.select_related("contact", "document").get(milestone_id=milestone.pk)
        assert (signature.kind, signature.contact.email, len(signature.sha256)) == (SignatureKind.ACCEPTANCE, SANDRINE, 64)
        assert signature.ip_address == "127.0.0.1"
        done = Milestone.objects.get(pk=milestone.pk)
        assert (done.status, done.document_id) == (MilestoneStatus.READY, signature.document_id)

    # the ADV, reloading the deal, sees it ready with the signed PV attached: nothing to rerun
    staff.goto(deal_url)
    # (the next milestone's row names the signed PV too: among the documents it may attach)
    row = staff.locator("[data-testid=milestone-row]").filter(has=staff.locator(".fw-semibold", has_text=MILESTONE))
    expect(row).to_have_attribute("data-status", "ready")
    expect(row).to_contain_text(signature.document.title)
    staff.screenshot(path=str(folder / "staff-milestone-ready.png"), full_page=True)
    staff.context.close()
