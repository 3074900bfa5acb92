"""Situation 4 in a browser, ADV's part: from the sidebar, the grouped reminder page lists the
demo firm's late consultants (all ticked), previews the message in the firm's wording, sends it
now, and a second click the same day sends nothing more and says so."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from django.utils import timezone

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from notifications.models import ReminderSent
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.today]

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def desk():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def test_adv_previews_and_sends_a_grouped_reminder_to_the_late_ones_once_a_day(live_server, live_demo, desk, settings, tmp_path):
    from playwright.sync_api import expect

    # given the demo firm (several consultants have not submitted this month's timesheet)
    page = desk
    login(page, live_server.url)

    # when ADV opens the grouped reminders from the sidebar, for this month (early in a month, the
    # page opens on last month's close, where everyone may have submitted by now)
    page.get_by_test_id("nav-grouped-reminders").click()
    expect(page).to_have_url(re.compile(r"/timesheets/closing/reminders/"))
    page.goto(f"{live_server.url}/t/{DEMO_TENANT_SLUG}/timesheets/closing/reminders/?month={timezone.localdate():%Y-%m}")
    candidates = page.get_by_test_id("candidate")
    count = candidates.count()
    assert count >= 3
    expect(page.locator("[data-pick]:checked")).to_have_count(count)
    expect(page.get_by_test_id("candidate").filter(has_text="Hugo Leroy")).to_have_count(1)

    # and previews the "consequences of being late" message
    page.get_by_label("Conséquences d'un retard").check()
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-box")).to_contain_text("Bonjour")
    expect(page.get_by_test_id("preview-subject")).to_contain_text("en retard")

    # and sends it now
    page.get_by_test_id("send").click()
    expect(page.locator(".adv-messages")).to_contain_text(f"Relance envoyée à {count} personnes.")
    expect(page.get_by_text("relancé aujourd'hui")).to_have_count(count)

    # then a second click the same day sends nothing more, and says so
    page.get_by_test_id("send").click()
    expect(page.locator(".adv-messages")).to_contain_text("Rien de plus envoyé")
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant):
        sent = ReminderSent.objects.filter(step=f"manual:{timezone.localdate().isoformat()}").count()
    assert sent == count
