"""The client portal in Chromium, the month end seen by the ADV: a pre-invoice of last month is
blocked by a missing reception number on the cockpit; the client's contact gives it on the
portal; the ADV reloads the cockpit and the pre-invoice is ready, without a new billing run.

Screenshots of the key pages land in $PORTAL_SHOTS (default: the test's tmp_path)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from adv.celery import app as celery_app
from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from billing import readiness
from billing.demo import months
from billing.models import BillingRun, Invoice
from portal import auth, services
from tests.e2e.test_client_portal_acceptance import shots, staff_login
from timesheets.models import TimesheetLine

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.today]

PORTAL_PASSWORD = "Reception-portail-2026!"


@pytest.fixture
def eager_celery(settings):
    """The drafts' refresh runs in the server's thread, after commit."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def blocked(demo_firm):
    """The demo's pre-invoice of last month blocked by its reception number alone, its client's
    portal enabled and one of its contacts invited with a password."""
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    billed, _previous = months(timezone.localdate())
    with tenant_context(tenant), transaction.atomic():
        drafts = Invoice.objects.filter(status="draft", kind="invoice", month=billed).select_related("client", "deal")
        found = [d for d in drafts if {c["code"] for c in d.checks if c["level"] == readiness.BLOCKED} == {readiness.MISSING_RECEPTION}]
        assert found, "the demo has no pre-invoice blocked by a reception number"
        draft = found[0]
        line = TimesheetLine.objects.get(
            assignment__deal=draft.deal, assignment__reception_number_required=True, timesheet__month=billed, reception_number="",
        )
        adv = Membership.objects.get(user__email="adv@demo.adv.test")
        services.portal_configure(actor=adv, client=draft.client, enabled=True)
        contact = draft.client.contacts.filter(is_active=True).exclude(email="").order_by("last_name").first()
        access = services.contact_invite(actor=adv, contact=contact)
        auth.password_set(access, PORTAL_PASSWORD, ip=None)
        runs = BillingRun.objects.count()
    return tenant, billed, draft, line, access.email, runs


def test_a_reception_number_given_on_the_portal_turns_the_blocked_pre_invoice_ready_on_the_cockpit(
    live_server, page, browser, eager_celery, blocked, tmp_path
):
    tenant, billed, draft, line, email, runs = blocked
    folder = shots(tmp_path)
    cockpit = f"{live_server.url}/t/{tenant.slug}/billing/?month={billed:%Y-%m}"

    # the ADV sees the pre-invoice blocked by its reception number
    staff = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR").new_page()
    staff_login(staff, live_server.url, "adv@demo.adv.test")
    staff.goto(cockpit)
    row = staff.locator(f"#row-{draft.pk}")
    expect(row).to_have_attribute("data-readiness", "blocked")
    expect(row.locator(f'[data-testid=cockpit-check][data-code="{readiness.MISSING_RECEPTION}"]')).to_be_visible()

    # the client's contact gives it on the portal
    page.goto(f"{live_server.url}/p/{tenant.slug}/login/")
    page.locator("#pw-email").fill(email)
    page.locator("#pw-password").fill(PORTAL_PASSWORD)
    page.get_by_test_id("portal-password-login").click()
    expect(page.get_by_test_id("portal-firm")).to_have_text(tenant.name)
    page.get_by_test_id("nav-references").click()
    form = page.locator(f"form:has(input[name=line][value='{line.pk}'])")
    form.get_by_test_id("reception-input").fill("REC-PORTAIL-2042")
    page.screenshot(path=str(folder / "portal-references.png"), full_page=True)
    form.get_by_test_id("reception-save").click()
    expect(page.get_by_text("Numéro de réception enregistré : merci.")).to_be_visible()

    # the ADV reloads the cockpit: the pre-invoice is ready, no billing run was started
    staff.goto(cockpit)
    row = staff.locator(f"#row-{draft.pk}")
    expect(row).to_have_attribute("data-readiness", "ready")
    expect(row.locator(f'[data-code="{readiness.MISSING_RECEPTION}"]')).to_have_count(0)
    staff.screenshot(path=str(folder / "staff-cockpit-ready.png"), full_page=True)
    staff.context.close()
    with tenant_context(tenant):
        assert BillingRun.objects.count() == runs
        assert Invoice.objects.get(pk=draft.pk).lines.filter(timesheet_line__reception_number="REC-PORTAIL-2042").exists()
