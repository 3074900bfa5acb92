"""The cockpit in a browser at 1400 px: the table fits the screen (platform, recipients and notes
folded into one cell), "select all ready" ticks the ready rows, and bulk issue asks first."""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone

from adv.demo_logins import DEMO_TENANT_SLUG
from billing.demo import months
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_cockpit_fits_1400_px_selects_the_ready_ones_and_confirms_the_issue(live_server, live_demo, page, settings, tmp_path):
    from playwright.sync_api import expect

    billed, _previous = months(timezone.localdate())
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, live_server.url)

    # given the cockpit of the billed month, at 1400 px
    page.goto(f"{live_server.url}/t/{DEMO_TENANT_SLUG}/billing/?month={billed:%Y-%m}")
    table = page.get_by_test_id("cockpit-table")
    expect(table).to_be_visible()
    page.screenshot(path=os.environ.get("COCKPIT_SCREENSHOT") or str(tmp_path / "cockpit-1400.png"), full_page=True)
    # then the whole table shows: no horizontal scrolling, the last column inside the screen
    overflow = page.evaluate(
        "() => { const box = document.querySelector('[data-testid=cockpit-table]').closest('.table-responsive');"
        " return box.scrollWidth - box.clientWidth; }"
    )
    assert overflow <= 1, f"the table is {overflow}px wider than its box"
    right = page.evaluate("() => document.querySelector('[data-testid=cockpit-table] thead th:last-child').getBoundingClientRect().right")
    assert right <= 1400

    # when "select all ready" is ticked, every ready row (and only those) is ticked
    ready = page.locator('tr[data-readiness="ready"] input[name="invoices"]')
    assert ready.count() > 0
    page.get_by_test_id("select-all-ready").check()
    assert all(ready.nth(i).is_checked() for i in range(ready.count()))
    assert page.locator('tr:not([data-readiness="ready"]) input[name="invoices"]:checked').count() == 0

    # and issuing asks first, saying it is final; dismissing issues nothing
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("issue-selected").click()
    page.wait_for_timeout(300)
    assert asked and "numéro de facture définitif" in asked[0] and str(ready.count()) in asked[0]
    expect(page).to_have_url(re.compile(r"/billing/\?month="))
