"""The cockpit's pages in a browser at 1400 px: French page controls, a page change swapped by htmx
that keeps the month in the address, "select all ready" counting the ready rows of every page in
its confirmation, and the empty month's state."""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone

from adv.demo_logins import DEMO_TENANT_SLUG
from billing import selectors
from billing.demo import months
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_cockpit_pages_and_select_all_ready_counts_every_page(live_server, live_demo, page, settings, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    monkeypatch.setattr(selectors, "COCKPIT_PAGE_SIZE", 2)  # the live server runs in this process
    billed, _previous = months(timezone.localdate())
    shots = os.environ.get("COCKPIT_SCREENSHOT_DIR") or str(tmp_path)
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, live_server.url)

    # given the billed month's cockpit, two rows a page
    page.goto(f"{live_server.url}/t/{DEMO_TENANT_SLUG}/billing/?month={billed:%Y-%m}")
    label = page.get_by_test_id("cockpit-page-label")
    expect(label).to_have_text(re.compile(r"^Page 1 sur \d+$"))
    pages = int(label.inner_text().rsplit(" ", 1)[1])
    assert pages >= 2
    page.screenshot(path=os.path.join(shots, "cockpit-page-1.png"), full_page=True)
    # when "Suivante" is clicked: the table is swapped, the address keeps the month
    page.get_by_test_id("cockpit-page-next").click()
    expect(label).to_have_text(f"Page 2 sur {pages}")
    expect(page).to_have_url(re.compile(rf"month={billed:%Y-%m}&page=2"))
    expect(page.get_by_test_id("cockpit-row")).to_have_count(2)
    page.screenshot(path=os.path.join(shots, "cockpit-page-2.png"), full_page=True)

    # when "select all ready" is ticked, the confirmation counts the ready rows of every page
    box = page.get_by_test_id("select-all-ready")
    ready_total = int(box.get_attribute("data-ready-total"))
    if ready_total:
        box.check()
        asked = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.get_by_test_id("issue-selected").click()
        page.wait_for_timeout(300)
        ticked_others = page.locator('tr:not([data-readiness="ready"]) input[name="invoices"]:checked').count()
        assert asked and f": {ready_total + ticked_others}." in asked[0]

    # and a month without pre-invoices shows its empty state, without pages
    page.goto(f"{live_server.url}/t/{DEMO_TENANT_SLUG}/billing/?month=2020-01")
    expect(page.get_by_test_id("cockpit-empty")).to_be_visible()
    expect(page.get_by_test_id("cockpit-pagination")).to_have_count(0)
    page.screenshot(path=os.path.join(shots, "cockpit-empty.png"), full_page=True)
