"""The product as `make run` runs it (tests/e2e/product.py: uvicorn on a free port, a Celery worker
with two processes, beat; the test run's PostgreSQL and Redis), driven by headless Chromium and its
API: what only breaks outside the test harness (a second worker, a real browser, another port)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from billing.models import BillingRun
from notifications.models import Notification, OutboxEmail
from tests.e2e.product import login, wait_for
from timesheets.models import ClientApproval, ClientApprovalStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = re.compile(r"https?://[^\s\"'<>)\]]+")


def test_the_months_billing_launched_from_the_cockpit_completes_with_two_worker_processes(product, page, demo, tmp_path):
    # given the ADV on the cockpit of the month (many chunks of 2 deals: BILLING_RUN_CHUNK_SIZE)
    login(page, product)
    page.goto(f"{product.url}/t/{DEMO_TENANT_SLUG}/billing/")
    with tenant_context(demo):
        earlier = set(BillingRun.objects.values_list("pk", flat=True))  # the demo's own runs
    # when they launch the month's billing
    page.get_by_test_id("billing-run-start").click()

    def new_run():
        with tenant_context(demo):
            return BillingRun.objects.exclude(pk__in=earlier).first()

    run = wait_for(new_run, 60, product, "the run started from the cockpit")
    # then the progress reaches "done" on the page, without any resume
    progress = page.locator("[data-testid=billing-run-progress][data-status=done]")
    expect(progress).to_be_visible(timeout=240_000)
    with tenant_context(demo):
        run = BillingRun.objects.get(pk=run.pk)
    page.screenshot(path=str(tmp_path / "cockpit-done.png"), full_page=True)
    with tenant_context(demo):
        assert run.status == "done" and run.chunk_count > 2, (run.status, run.chunks_done, run.chunk_count)
        assert run.chunks_done == run.chunk_count
        assert not run.chunks.exclude(status="done").exists()
    worker_log = (product.var_dir / "worker.log").read_text(errors="replace")
    # both worker processes took chunks (ForkPoolWorker-1 and -2), and none was dropped as busy
    assert "'busy'" not in worker_log


def _pending_approval(tenant) -> ClientApproval:
    with tenant_context(tenant):
        approval = (
            ClientApproval.objects.filter(status=ClientApprovalStatus.PENDING, deal__client__contacts__signs_timesheets=True)
            .exclude(deal__client__contacts__email="")
            .select_related("timesheet")
            .order_by("created_at")
            .first()
        )
    assert approval is not None, "the demo has no pending client approval with a signatory"
    return approval


def test_the_client_approves_a_cra_through_the_emailed_link_which_carries_the_products_port(
    product, browser, page, demo, tmp_path
):
    approval = _pending_approval(demo)
    timesheet = approval.timesheet
    sent_before = len(product.email_texts())
    started = timezone.now()
    # given the ADV on the consultant's month, sending the client's signatory the approval link
    login(page, product)
    page.goto(
        f"{product.url}/t/{DEMO_TENANT_SLUG}/timesheets/approvals/members/{timesheet.consultant_id}/"
        f"{timesheet.month.year}/{timesheet.month.month}/"
    )
    page.locator(f"form[action*='{approval.pk}/send/'] [data-testid=send-link]").click()
    page.wait_for_load_state()
    # then the worker sends the email, whose link carries the address the product runs on
    def approval_email():
        texts = product.email_texts()[sent_before:]
        return next((text for text in texts if "/approve/" in text), None)

    text = wait_for(approval_email, 120, product, "the approval email")
    link = next(url for url in URL.findall(text) if "/approve/" in url)
    assert link.startswith(f"{product.url}/approve/"), link
    # when the signatory opens it (no account, another browser) and clicks "Valider ce CRA"
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    try:
        client_page = context.new_page()
        client_page.goto(link)
        expect(client_page.get_by_test_id("client-approval-page")).to_be_visible()
        client_page.screenshot(path=str(tmp_path / "approval-page.png"), full_page=True)
        client_page.get_by_test_id("ca-approve").click()
        # then it is recorded and thanked, in French (not Django's 403 "Origin checking failed")
        expect(client_page.get_by_text("Merci : votre validation est enregistrée.")).to_be_visible()
        client_page.screenshot(path=str(tmp_path / "approval-done.png"), full_page=True)
    finally:
        context.close()
    with tenant_context(demo):
        assert ClientApproval.objects.get(pk=approval.pk).status == ClientApprovalStatus.APPROVED
    # and every address in what the product wrote meanwhile (emails and notifications; the demo's
    # own were written by this test process) is on its site (its PORT), none on 127.0.0.1:8000
    urls = URL.findall(text)
    with tenant_context(demo):
        for body, html in OutboxEmail.objects.filter(created_at__gte=started).values_list("body", "body_html"):
            urls += URL.findall(f"{body} {html}")
        for body, url in Notification.objects.filter(created_at__gte=started).values_list("body", "url"):
            urls += URL.findall(f"{body} {url}")
    local = [url for url in urls if "127.0.0.1" in url or "localhost" in url]
    assert [url for url in local if not url.startswith(product.url + "/")] == []
