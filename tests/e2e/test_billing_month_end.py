"""The 1st of the month in a browser: ADV runs last month's billing, sees the ready pre-invoices and
the blocked ones with their reasons, types a missing reception number (the row turns ready), issues
the selected ready ones in bulk, opens an issued invoice and downloads its PDF, which carries its
Factur-X XML."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from facturx import get_facturx_xml_from_pdf
from playwright.sync_api import expect

from adv.celery import app as celery_app
from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from billing import readiness
from billing.demo import months
from billing.models import Invoice
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True), pytest.mark.today]

BLOCKING = (
    readiness.MISSING_PO,
    readiness.MISSING_RECEPTION,
    readiness.MISSING_SIGNED_TIMESHEET,
    readiness.MISSING_MILESTONE_DOCUMENT,
)


@pytest.fixture
def eager_celery(settings):
    """The billing run's chunks and the PDF rendering run in the server's thread, after commit."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return tmp_path




def test_adv_runs_the_month_fixes_a_reception_number_issues_in_bulk_and_downloads_factur_x(
    live_server, page, eager_celery, media, demo_firm
):
    billed, _previous = months(timezone.localdate())
    month = billed.strftime("%Y-%m")
    cockpit = f"{live_server.url}/t/{DEMO_TENANT_SLUG}/billing/?month={month}"

    # given the ADV of the demo firm on the cockpit of last month
    login(page, live_server.url, "adv@demo.adv.test")
    page.goto(cockpit)

    # when she runs the month's billing, the run completes
    # (the progress shown before the click is the demo's earlier run, already done: mark it stale)
    page.get_by_test_id("billing-run-progress").evaluate("el => el.setAttribute('data-stale', '')")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/billing/run/")) as started:
        page.get_by_test_id("billing-run-start").click()
    assert started.value.ok
    # the progress polls until the run is done, then reloads the page with the new table
    progress = page.locator("[data-testid=billing-run-progress]:not([data-stale])")
    expect(progress).to_have_attribute("data-status", "done", timeout=60000)
    page.wait_for_load_state("load")

    # then she sees ready pre-invoices and blocked ones, each saying why
    rows = page.get_by_test_id("cockpit-row")
    expect(rows.first).to_be_visible()
    expect(page.locator('[data-testid=cockpit-row][data-readiness="ready"]').first).to_be_visible()
    blocked = page.locator('[data-testid=cockpit-row][data-readiness="blocked"]')
    expect(blocked.first).to_be_visible()
    for code in BLOCKING:
        check = blocked.locator(f'[data-testid=cockpit-check][data-code="{code}"]')
        expect(check.first).to_be_visible()
        assert check.first.inner_text().strip()
    provisional = page.locator(
        '[data-testid=cockpit-row][data-readiness="action"] [data-testid=cockpit-check][data-code="provisional_deal"]'
    )
    expect(provisional.first).to_be_visible()

    # when she types the missing reception number of the row blocked only by it
    row = blocked.filter(has=page.locator(f'[data-testid=cockpit-check][data-code="{readiness.MISSING_RECEPTION}"]'))
    expect(row).to_have_count(1)
    row_id = row.get_attribute("id")
    row.get_by_test_id("reception-input").fill("REC-2026-1042")
    row.get_by_test_id("reception-save").click()

    # then that row becomes ready
    fixed = page.locator(f"#{row_id}")
    expect(fixed).to_have_attribute("data-readiness", "ready")
    expect(fixed.locator(f'[data-code="{readiness.MISSING_RECEPTION}"]')).to_have_count(0)

    # when she ticks it and another ready one, and issues the selection
    fixed.get_by_test_id("row-select").check()
    others = page.locator(f'[data-testid=cockpit-row][data-readiness="ready"]:not(#{row_id}) [data-testid=row-select]')
    others.first.check()
    page.once("dialog", lambda dialog: dialog.accept())  # "Émettre les préfactures cochées : 2. … définitif"
    page.get_by_test_id("issue-selected").click()

    # then both are issued, with their numbers
    result = page.get_by_test_id("issue-result")
    expect(result).to_be_visible(timeout=60000)
    numbers = result.get_by_test_id("issued-number")
    expect(numbers).to_have_count(2)
    expect(result.get_by_test_id("issue-refused")).to_have_count(0)
    tenant = Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    with tenant_context(tenant):
        issued = Invoice.objects.get(pk=row_id.removeprefix("row-"))
        assert issued.number and issued.status == "issued"
        assert issued.lines.filter(timesheet_line__reception_number="REC-2026-1042").exists()
    number = issued.number

    # when she opens the invoice whose reception number she typed, its PDF gets produced
    page.goto(f"{live_server.url}/t/{DEMO_TENANT_SLUG}/billing/invoices/{issued.pk}/")
    status = page.get_by_test_id("invoice-render-status")
    deadline = time.monotonic() + 60
    while status.get_attribute("data-status") != "done" and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    expect(status).to_have_attribute("data-status", "done")

    # and the PDF she downloads carries the Factur-X XML of that invoice
    with page.expect_download() as download_info:
        page.get_by_test_id("invoice-pdf").click()
    pdf = open(download_info.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    _name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
    assert number.encode() in xml
