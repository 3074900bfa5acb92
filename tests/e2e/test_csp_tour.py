"""A tour of the demo firm's pages in a browser under the Content-Security-Policy: every page
loads its scripts and styles, runs its behaviours, and breaks no rule of the policy (the
fixtures fail the test on any violation the browser reports)."""

from __future__ import annotations

import os
import re

import pytest

from adv.demo_logins import DEMO_TENANT_SLUG
from tests.e2e.browser import login as _login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADV_PAGES = [
    "", "clients/", "deals/", "deals/reports/unsigned/", "deals/reports/milestones/", "billing/",
    "billing/invoices/", "billing/invoices/month/", "timesheets/approvals/", "timesheets/closing/",
    "timesheets/closing/completion/", "timesheets/closing/reminders/", "timesheets/closing/late/",
    "notifications/", "notifications/preferences/",
]
ADMIN_PAGES = ["members/", "invitations/", "settings/", "tokens/", "audit/", "notifications/templates/"]




def _shoot(page, name: str) -> None:
    directory = os.environ.get("CSP_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"{name}.png"), full_page=False)


def _first_link(page, pattern: str) -> str | None:
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return next((href for href in links if re.search(pattern, href)), None)


def test_the_pages_of_the_month_break_no_rule_of_the_csp(live_server, live_demo, page, settings, tmp_path, _csp_violations):
    from playwright.sync_api import expect

    base, firm = live_server.url, f"{live_server.url}/t/{DEMO_TENANT_SLUG}/"

    # given the ADV person of the demo firm
    _login(page, base, "adv@demo.adv.test")
    # when each page of the month is opened, with its behaviours (htmx, Bootstrap, our scripts)
    for path in ADV_PAGES:
        response = page.goto(firm + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    page.goto(firm + "billing/")
    expect(page.get_by_test_id("cockpit-table")).to_be_visible()
    _shoot(page, "cockpit")
    # the pages of one client, one deal and one pre-invoice, each of their tabs shown
    page.goto(firm + "clients/")
    client = _first_link(page, r"/clients/[0-9a-f-]{36}/$")
    page.goto(base + client)
    for tab in page.locator(".adv-client-tabs [data-bs-toggle=tab]").all():
        tab.click()
    page.goto(base + client + "billing/")
    expect(page.locator("#billing-form")).to_be_visible()
    page.goto(firm + "deals/")
    deal = _first_link(page, r"/deals/[0-9a-f-]{36}/$")
    page.goto(base + deal)
    for tab in page.locator(".adv-deal-tabs [data-bs-toggle=tab]").all():
        tab.click()
    page.wait_for_load_state("networkidle")
    page.goto(firm + "billing/")
    pre_invoice = _first_link(page, r"/billing/pre-invoices/[0-9a-f-]{36}/$")
    if pre_invoice:
        page.goto(base + pre_invoice)
        page.wait_for_load_state("networkidle")
    # the notification bell's menu (htmx content, Bootstrap dropdown)
    page.goto(firm)
    page.locator("#adv-bell a, #adv-bell button").first.click()
    page.wait_for_load_state("networkidle")

    # the firm's administration pages
    page.context.clear_cookies()
    _login(page, base, "admin@demo.adv.test")
    for path in ADMIN_PAGES:
        response = page.goto(firm + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    _shoot(page, "notification-templates")

    # and a consultant's month, the grid filled in the browser
    page.context.clear_cookies()
    _login(page, base, "consultant@demo.adv.test")
    page.goto(firm + "timesheets/")
    expect(page.get_by_test_id("timesheet-grid")).to_be_visible()
    _shoot(page, "timesheet-month")
    # the public API reference
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        assert page.goto(base + path).status == 200
        page.wait_for_load_state("networkidle")
    expect(page.locator("#redoc-container .api-content")).to_be_visible()
    page.wait_for_timeout(500)
    _shoot(page, "redoc")
    # (ReDoc always asks for its maker's logo from their CDN: the policy refuses, as it should)
    logo = [v for v in _csp_violations if "cdn.redoc.ly/redoc/logo-mini.svg" in v]
    _csp_violations[:] = [v for v in _csp_violations if v not in logo]
    # then no page broke the policy (checked by the fixtures when the test ends)
