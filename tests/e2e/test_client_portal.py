"""The client portal in Chromium, as the demo firm's main client (Helios Énergies, Marc Olivier):
sign in by a one-time link read from the email, approve two CRAs at once, enter a reception
number, download an invoice; and the single-use approval link still answers in a real browser."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from billing.models import Invoice
from clients.models import BillingProfile, Client
from deals.models import Assignment
from notifications.models import OutboxEmail
from portal.demo import MAIN_CLIENT
from portal.models import PortalSignature
from tests.factories import ClientApprovalFactory
from timesheets.models import ClientApproval, ClientApprovalStatus, Timesheet, TimesheetLine

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MARC = "marc.olivier@helios-energies.example"


@pytest.fixture
def helios(demo_firm):
    """The demo's Helios: two approved CRAs awaiting its approval, a reception number required."""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant), transaction.atomic():
        client = Client.objects.get(legal_name=MAIN_CLIENT)
        BillingProfile.objects.filter(client=client).update(signed_timesheet_required=True)
        lines = (
            TimesheetLine.objects.filter(assignment__deal__client=client, timesheet__status="approved", entries__isnull=False)
            .select_related("timesheet", "assignment").distinct().order_by("-timesheet__month")
        )
        chosen = []
        for line in lines:
            if (line.timesheet_id, line.assignment.deal_id) not in {(c.timesheet_id, c.assignment.deal_id) for c in chosen}:
                chosen.append(line)
            if len(chosen) == 2:
                break
        assert len(chosen) == 2, "the demo has no two approved CRAs on Helios"
        approvals = []
        for line in chosen:
            approval = ClientApproval.objects.filter(timesheet_id=line.timesheet_id, deal_id=line.assignment.deal_id).first()
            if approval is None:
                approval = ClientApprovalFactory(timesheet_id=line.timesheet_id, deal_id=line.assignment.deal_id)
            ClientApproval.objects.filter(pk=approval.pk).update(status=ClientApprovalStatus.PENDING, signed_document=None)
            Timesheet.objects.filter(pk=line.timesheet_id).update(locked_at=None)
            approvals.append(approval.pk)
        Assignment.objects.filter(pk=chosen[0].assignment_id).update(reception_number_required=True)
        TimesheetLine.objects.filter(pk=chosen[0].pk).update(reception_number="")
        invoice = Invoice.objects.filter(client=client, render_status="done", kind="invoice").exclude(number=None).first()
        assert invoice is not None, "the demo has no rendered invoice for Helios"
    return tenant, approvals, chosen[0].pk, invoice


def test_the_client_signs_in_by_link_approves_enters_a_reception_number_and_downloads_an_invoice(live_server, page, helios):
    tenant, approvals, line_pk, invoice = helios
    base = f"{live_server.url}/p/{tenant.slug}/"
    # sign in by a one-time link, read from the email
    page.goto(base)
    expect(page.get_by_test_id("portal-login")).to_be_visible()
    page.locator("#link-email").fill(MARC)
    page.get_by_test_id("portal-send-link").click()
    expect(page.get_by_test_id("portal-link-sent")).to_be_visible()
    with tenant_context(tenant):
        body = OutboxEmail.objects.filter(template_key="portal.login_link", to=[MARC]).latest("created_at").body
    link = re.search(r"https?://\S+/p/[a-z0-9-]+/link/([A-Za-z0-9_-]+)/", body).group(1)
    page.goto(f"{base}link/{link}/")
    page.get_by_test_id("portal-link-confirm").click()
    expect(page.get_by_test_id("portal-firm")).to_have_text(tenant.name)
    # approve both CRAs at once
    page.get_by_test_id("nav-timesheets").click()
    for pk in approvals:
        page.locator(f"#a-{pk}").check()
    page.get_by_test_id("bulk-approve").click()
    expect(page.get_by_text("2 CRA validé(s) : merci.")).to_be_visible()
    with tenant_context(tenant):
        assert set(ClientApproval.objects.filter(pk__in=approvals).values_list("status", flat=True)) == {ClientApprovalStatus.APPROVED}
        assert PortalSignature.objects.filter(approval_id__in=approvals, document__isnull=False).count() == 2
    # enter a reception number
    page.get_by_test_id("nav-references").click()
    row = page.locator(f"form:has(input[name=line][value='{line_pk}'])")
    row.get_by_test_id("reception-input").fill("REC-PORTAIL-1")
    row.get_by_test_id("reception-save").click()
    expect(page.get_by_text("Numéro de réception enregistré : merci.")).to_be_visible()
    with tenant_context(tenant):
        assert TimesheetLine.objects.get(pk=line_pk).reception_number == "REC-PORTAIL-1"
    # download an invoice
    page.get_by_test_id("nav-invoices").click()
    with page.expect_download() as download:
        page.locator(f"a[href$='/invoices/{invoice.pk}/pdf/']").click()
    assert download.value.suggested_filename == f"{invoice.number.replace('/', '-')}.pdf"
    # and English is one click away
    page.get_by_test_id("portal-lang").click()
    expect(page.get_by_test_id("nav-invoices")).to_have_text("Invoices")
