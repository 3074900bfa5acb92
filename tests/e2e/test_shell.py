"""The demo admin logs in, switches the language, sees the dashboard and logs out."""

import re

import pytest
from playwright.sync_api import expect

from adv.demo_logins import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_logs_in_switches_language_sees_dashboard_and_logs_out(live_server, page, demo_firm):
    # given the demo firm; when the admin logs in
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("input[name=username]", "admin@demo.adv.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("[data-testid=login-form] button[type=submit]")

    # then the dashboard of the demo firm shows, in French, with real figures
    expect(page).to_have_url(re.compile(r"/t/demo/$"))
    expect(page.locator("h1")).to_contain_text("Tableau de bord")
    expect(page.get_by_test_id("stat-members")).to_contain_text(re.compile(r"\d+"))

    # when they switch the language to English
    page.get_by_test_id("language-switch").click()
    page.get_by_test_id("language-en").click()
    expect(page.locator("h1")).to_contain_text("Dashboard")

    # when they log out, they are back on the login page
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/t/demo/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
