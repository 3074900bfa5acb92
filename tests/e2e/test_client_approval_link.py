"""The client's signatory approves a CRA through the single-use link, in Chromium: the page's
referrer policy must not make the browser send `Origin: null` (Django's CSRF check would refuse the
answer), and a refused form gets a French page that offers to reload, not Django's raw 403."""

import pytest
from django.db import transaction
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from timesheets import services as timesheet_services
from timesheets.models import ClientApproval, ClientApprovalStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approval_link(demo_firm):
    """A pending client approval of the demo firm, its link just sent: (approval id, raw token)."""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant), transaction.atomic():
        adv = Membership.objects.filter(role="adv").order_by("created_at").first()
        approval = (
            ClientApproval.objects.filter(status=ClientApprovalStatus.PENDING, deal__client__contacts__signs_timesheets=True)
            .exclude(deal__client__contacts__email="")
            .order_by("created_at")
            .first()
        )
        assert approval is not None, "the demo has no pending client approval with a signatory"
        approval, raw = timesheet_services.client_approval_send_link(actor=adv, approval=approval)
    return tenant, approval.pk, raw


def _status(tenant, pk) -> str:
    with tenant_context(tenant):
        return ClientApproval.objects.get(pk=pk).status


def test_the_client_approves_a_cra_through_the_link_in_chromium(live_server, page, approval_link):
    tenant, pk, raw = approval_link
    # given the signatory opening the emailed link
    page.goto(f"{live_server.url}/approve/{raw}/")
    expect(page.get_by_test_id("client-approval-page")).to_be_visible()
    # when they click "Valider ce CRA"
    page.get_by_test_id("ca-approve").click()
    # then their answer is recorded and thanked, in French
    expect(page.get_by_text("Merci : votre validation est enregistrée.")).to_be_visible()
    assert _status(tenant, pk) == ClientApprovalStatus.APPROVED


def test_a_form_refused_by_the_csrf_check_gets_a_french_page_that_offers_to_reload(live_server, page, approval_link):
    tenant, pk, raw = approval_link
    page.goto(f"{live_server.url}/approve/{raw}/")
    expect(page.get_by_test_id("client-approval-page")).to_be_visible()
    # given the browser lost its cookies meanwhile (blocked, expired, another window)
    page.context.clear_cookies()
    # when the signatory clicks "Valider ce CRA"
    page.get_by_test_id("ca-approve").click()
    # then a French page says nothing was saved and offers to reload; no technical English
    expect(page.get_by_test_id("csrf-failure")).to_be_visible()
    body = page.inner_text("body")
    assert "Rien n'a été enregistré" in body
    assert "CSRF" not in body and "Forbidden" not in body and "Origin" not in body
    assert _status(tenant, pk) == ClientApprovalStatus.PENDING
    # and reloading brings back the page, where the answer now goes through
    page.get_by_test_id("csrf-reload").click()
    page.get_by_test_id("ca-approve").click()
    expect(page.get_by_text("Merci : votre validation est enregistrée.")).to_be_visible()
    assert _status(tenant, pk) == ClientApprovalStatus.APPROVED
