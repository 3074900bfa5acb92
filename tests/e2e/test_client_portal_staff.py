"""The client portal in Chromium, from the firm's side: the ADV opens the portal page from the
client record, invites a contact (the invitation is read from the outbox), the contact signs in
with the invitation link, approves a CRA and gives a reception number; the ADV then sees the
access active with its last sign-in, the portal's log of what the contact did, and the
notifications of those actions.

Screenshots of the key pages land in $PORTAL_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from clients.models import Client
from deals.models import Assignment, Deal
from notifications.models import Notification, OutboxEmail
from portal.demo import MAIN_CLIENT
from portal.models import PortalActivity, PortalContact, PortalContactStatus
from tests.e2e.test_client_portal_acceptance import shots, staff_login
from tests.factories import ClientApprovalFactory
from timesheets.models import ClientApproval, ClientApprovalStatus, Timesheet, TimesheetLine

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NADIA = "nadia.benali@helios-energies.example"


@pytest.fixture
def helios(demo_firm):
    """Helios, whose ADV is the demo ADV: one approved CRA awaiting its approval, and its line
    needing a reception number. Nadia (the buyer) has no portal access yet."""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant), transaction.atomic():
        client = Client.objects.get(legal_name=MAIN_CLIENT)
        adv = Membership.objects.get(user__email="adv@demo.adv.test")
        Client.objects.filter(pk=client.pk).update(adv_owner=adv)
        line = (
            TimesheetLine.objects.filter(assignment__deal__client=client, timesheet__status="approved", entries__isnull=False)
            .select_related("assignment").order_by("-timesheet__month").first()
        )
        assert line is not None, "the demo has no approved CRA on Helios"
        Deal.objects.filter(pk=line.assignment.deal_id).update(adv_owner=adv)
        approval = ClientApproval.objects.filter(timesheet_id=line.timesheet_id, deal_id=line.assignment.deal_id).first()
        if approval is None:
            approval = ClientApprovalFactory(timesheet_id=line.timesheet_id, deal_id=line.assignment.deal_id)
        ClientApproval.objects.filter(pk=approval.pk).update(status=ClientApprovalStatus.PENDING, signed_document=None)
        Timesheet.objects.filter(pk=line.timesheet_id).update(locked_at=None)
        Assignment.objects.filter(pk=line.assignment_id).update(reception_number_required=True)
        TimesheetLine.objects.filter(pk=line.pk).update(reception_number="")
        assert not PortalContact.objects.filter(email=NADIA).exists()
    return tenant, client, approval.pk, line.pk


def test_the_adv_invites_a_contact_who_signs_in_with_the_link_and_the_adv_sees_what_they_did(live_server, page, browser, helios, tmp_path):
    tenant, client, approval_pk, line_pk = helios
    folder = shots(tmp_path)

    # the ADV opens the portal page from the client record and invites Nadia
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR").new_page()
    staff_login(staff, live_server.url, "adv@demo.adv.test")
    staff.goto(live_server.url + reverse("clients:detail", kwargs={"tenant_slug": tenant.slug, "pk": client.pk}) + "?tab=contacts")
    staff.get_by_test_id("client-portal").click()
    expect(staff.get_by_test_id("portal-enabled")).to_be_visible()
    portal_page_url = staff.url
    nadia_row = staff.locator("[data-testid=portal-contacts] tr", has_text=NADIA)
    nadia_row.get_by_role("button", name="Inviter").click()
    expect(staff.get_by_text("Invitation envoyée.")).to_be_visible()
    expect(staff.locator("[data-testid=portal-contacts] tr", has_text=NADIA)).to_contain_text("Invité")

    # the invitation, read from the outbox, carries her one-time link
    with tenant_context(tenant):
        body = OutboxEmail.objects.filter(template_key="portal.invitation", to=[NADIA]).latest("created_at").body
    link = re.search(r"https?://\S+(/p/[a-z0-9-]+/link/[A-Za-z0-9_-]+/)", body).group(1)

    # Nadia signs in with it (the page asks for a click: a mail scanner's visit spends nothing)
    page.goto(live_server.url + link)
    page.get_by_test_id("portal-link-confirm").click()
    expect(page.get_by_test_id("portal-firm")).to_have_text(tenant.name)
    page.screenshot(path=str(folder / "portal-home-after-invitation.png"), full_page=True)
    # the link served once
    reused = page.context.browser.new_context().new_page()
    reused.goto(live_server.url + link)
    reused.get_by_test_id("portal-link-confirm").click()
    expect(reused.get_by_text("Ce lien a déjà servi : demandez-en un nouveau.")).to_be_visible()
    reused.context.close()

    # she approves the CRA and gives the reception number
    page.get_by_test_id("nav-timesheets").click()
    page.locator(f"#a-{approval_pk}").check()
    page.get_by_test_id("bulk-approve").click()
    expect(page.get_by_text("1 CRA validé(s) : merci.")).to_be_visible()
    page.get_by_test_id("nav-references").click()
    row = page.locator(f"form:has(input[name=line][value='{line_pk}'])")
    row.get_by_test_id("reception-input").fill("REC-NADIA-7")
    row.get_by_test_id("reception-save").click()
    expect(page.get_by_text("Numéro de réception enregistré : merci.")).to_be_visible()

    # the ADV sees the access active, its last sign-in, and the log of what Nadia did
    staff.goto(portal_page_url)
    access_row = staff.locator("[data-testid=portal-contacts] tr", has_text=NADIA)
    expect(access_row).to_contain_text("Actif")
    expect(access_row.locator("td").nth(2)).not_to_have_text("—")
    log = staff.get_by_test_id("portal-activity")
    expect(log.locator("tr", has_text="Numéro de réception donné : REC-NADIA-7")).to_contain_text(NADIA)
    expect(log.locator("tr", has_text="CRA validé")).to_contain_text(NADIA)
    expect(log.locator("tr", has_text="Connexion").first).to_contain_text("127.0.0.1")
    staff.screenshot(path=str(folder / "staff-portal-contact-activity.png"), full_page=True)
    # and was notified of both actions
    staff.goto(live_server.url + reverse("notifications:list", kwargs={"tenant_slug": tenant.slug}))
    rows = staff.get_by_test_id("notification-row")
    expect(rows.filter(has_text="Helios Énergies : CRA validés").first).to_be_visible()
    expect(rows.filter(has_text="Helios Énergies : numéro de réception donné").first).to_be_visible()
    staff.screenshot(path=str(folder / "staff-notifications.png"), full_page=True)
    staff.context.close()

    with tenant_context(tenant):
        access = PortalContact.objects.get(email=NADIA)
        assert access.status == PortalContactStatus.ACTIVE and access.last_login_at is not None
        assert set(PortalActivity.objects.filter(contact=access).values_list("action", flat=True)) >= {
            "login", "timesheet_approved", "reception_number_set",
        }
        assert Notification.objects.filter(recipient__email="adv@demo.adv.test", event="portal.client_action").count() >= 2
        assert TimesheetLine.objects.get(pk=line_pk).reception_number == "REC-NADIA-7"
