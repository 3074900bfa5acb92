"""The reporting pages and API: rights, empty periods, refused periods, exports, constant queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reporting.support import D

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-03-15T10:00:00+01:00", tick=False)]
PAGES = ("reporting/", "reporting/accruals/", "reporting/receivables/", "reporting/close/")


def _fill(firm, count: int) -> None:
    tm = firm.deals.get("TM") or firm.deal("TM", firm.helios, "t_and_m")
    for i in range(count):
        invoice = firm.invoice(tm, D(2026, 1 + i % 2, 1), "100.00", issue=D(2026, 2 + i % 2, 2), due=D(2026, 3, 1))
        if i % 3 == 0:
            firm.pay(invoice, None, D(2026, 3, 5))


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_a_constant_number_of_queries(firm, page):
    client = firm.alice.client()
    _fill(firm, 2)
    url = firm.alice.url(page) + "?period=range&start=2026-01&end=2026-03"
    client.get(url)  # warm-up (sessions, stored expected months)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _fill(firm, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large), page


def test_the_revenue_page_charts_links_and_exports(firm):
    _fill(firm, 3)
    client = firm.alice.client()
    page = client.get(firm.alice.url("reporting/") + "?period=range&start=2026-01&end=2026-02").content.decode()
    assert 'data-testid="chart-revenue"' in page and 'id="chart-data-revenue"' in page
    assert "reporting/invoices/?month=2026-01" in page
    assert "<script>" not in page and 'style="' not in page  # CSP: data blocks and files only
    csv = client.get(firm.alice.url("reporting/") + "?period=range&start=2026-01&end=2026-02&export=revenue&format=csv")
    assert csv.status_code == 200 and "janvier 2026" in csv.getvalue().decode("utf-8-sig")
    xlsx = client.get(firm.alice.url("reporting/") + "?export=top_clients&format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = client.get(firm.alice.url("reporting/invoices/") + "?month=2026-01&deal_type=t_and_m").content.decode()
    assert rows.count('data-testid="reporting-invoice-row"') == 2


def test_an_empty_period_shows_a_sentence_and_a_refused_period_says_why(firm):
    client = firm.alice.client()
    empty = client.get(firm.alice.url("reporting/receivables/") + "?period=month&month=2020-01").content.decode()
    assert 'data-testid="reporting-empty"' in empty
    refused = client.get(firm.alice.url("reporting/") + "?period=range&start=2026-05&end=2026-01")
    assert refused.status_code == 400 and "inversée" in refused.content.decode()


def test_who_reads_reporting(firm, bob):
    assert firm.accountant.client().get(firm.accountant.url("reporting/close/")).status_code == 200
    assert firm.sales.client().get(firm.sales.url("reporting/")).status_code == 200
    assert firm.manager.client().get(firm.manager.url("reporting/accruals/")).status_code == 200
    assert bob.client().get(bob.url("reporting/")).status_code == 403
    page = firm.sales.client().get(firm.sales.url("reporting/")).content.decode()
    assert "Marge" not in page  # purchase rates are not the salesperson's


def test_the_api_reports(firm):
    _fill(firm, 3)
    client = firm.alice.client()
    base = firm.alice.url("api/v1/reports/")
    revenue = client.get(base + "revenue/?period=range&start=2026-01&end=2026-02").json()
    assert revenue["total"] == "300.00" and revenue["months"][0]["by_type"]["t_and_m"] == "200.00"
    receivables = client.get(base + "receivables/").json()
    assert receivables["dso_method"] == "countback" and set(receivables["buckets"]) == {
        "not_due", "late_1_30", "late_31_60", "late_61_90", "late_over_90"}
    assert client.get(base + "fae/").status_code == 200 and client.get(base + "pca/").status_code == 200
    assert client.get(base + "close/").json()["months"]
    refused = client.get(base + "revenue/?period=range&start=2020-01&end=2026-01")
    assert refused.status_code == 400 and refused.json()["code"] == "period_too_long"
