"""The reporting page in a browser: the revenue chart is drawn (ECharts, under the CSP), a click on
a bar lands on the invoices of that month and deal type, which the bar's value adds up to."""

from __future__ import annotations

import re

import pytest

from adv.demo_logins import DEMO_TENANT_SLUG
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_click_a_revenue_bar_and_land_on_its_invoices(live_server, live_demo, page, settings, tmp_path):
    from playwright.sync_api import expect

    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.set_viewport_size({"width": 1400, "height": 900})
    login(page, live_server.url)

    page.get_by_test_id("nav-reporting").click()
    chart = page.get_by_test_id("chart-revenue")
    expect(chart).to_have_attribute("data-ready", "1")
    # the tallest bar of the first deal type, found through the chart's own data
    spec = page.evaluate("JSON.parse(document.getElementById('chart-data-revenue').textContent)")
    data = spec["series"][0]["data"]
    index = max(range(len(data)), key=lambda i: data[i] or 0)
    assert data[index], "the demo's history fills the chart"
    x, y = page.evaluate(
        """([index, value]) => {
            const box = document.getElementById('chart-revenue');
            const point = echarts.getInstanceByDom(box).convertToPixel({seriesIndex: 0}, [index, value / 2]);
            return point;
        }""",
        [index, data[index]],
    )
    chart.click(position={"x": x, "y": y})
    expect(page).to_have_url(re.compile(rf"/t/{DEMO_TENANT_SLUG}/reporting/invoices/\?.*month="))
    assert spec["series"][0]["links"][index].split("?", 1)[1] in page.url
    rows = page.get_by_test_id("reporting-invoice-row")
    expect(rows.first).to_be_visible()
    assert not violations, violations
