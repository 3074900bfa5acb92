"""E-invoicing in a browser: the ADV issues the invoice of a client reached through the firm's
accredited platform; the invoice page shows "Déposée"; the platform (the local emulator, mounted
in-process) moves it to "Approuvée"; she records the payment, which is reported to the platform,
and the page shows "Encaissée" with the whole history."""

from __future__ import annotations

import datetime
import os
import re

import pytest
import time_machine
from playwright.sync_api import expect

from adv.celery import app as celery_app
from adv.tenancy.context import tenant_context
from billing.models import Invoice
from einvoicing import directory, lifecycle
from einvoicing.models import EReport, Submission
from tests.billing.support import billing_firm, media  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.e2e.browser import login
from tests.einvoicing.conftest import emulator, platform_firm  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def eager_celery(settings):
    """Rendering, the submission and the payment report run in the server's thread, after commit."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def _poll(firm) -> None:
    """The scheduled status fetch, run here (the beat's task, in-process)."""
    with tenant_context(firm.tenant):
        lifecycle.statuses_fetch()


def test_issue_deposee_approuvee_payment_encaissee_on_the_invoice_page(
    live_server, page, eager_celery, platform_firm, tmp_path  # noqa: F811 (the fixture imported above)
):
    firm = platform_firm
    slug = firm.tenant.slug
    with time_machine.travel(NOW, tick=True) as clock:
        firm.build()
        with tenant_context(firm.tenant):
            directory.client_lookup(firm.helios.pk)  # the client's electronic address, from the directory
        firm.build()
        draft = firm.draft_of(firm.helios)

        # given the ADV on Helios's pre-invoice, which the directory reaches through the platform
        login(page, live_server.url, firm.adv.user.email, password=PASSWORD, firm=slug)
        page.goto(f"{live_server.url}/t/{slug}/billing/pre-invoices/{draft.pk}/")

        # when she issues it
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("pre-invoice-issue").click()
        page.wait_for_load_state("load")

        # then it is rendered and handed to the platform: the invoice page says "Déposée"
        with tenant_context(firm.tenant):
            invoice = Invoice.objects.get(pk=draft.pk)
            submission = Submission.objects.get(invoice=invoice)
        assert invoice.number and submission.state == "submitted" and len(firm.emulator.flows) == 1
        _poll(firm)
        invoice_url = f"{live_server.url}/t/{slug}/billing/invoices/{invoice.pk}/"
        page.goto(invoice_url)
        status = page.get_by_test_id("einvoicing-status")
        expect(status).to_have_text("Déposée")

        # when the client approves it on the platform (the emulator's scenario moves over time)
        clock.shift(datetime.timedelta(minutes=15))
        _poll(firm)
        page.reload()
        expect(status).to_have_text("Approuvée")

        # when she records the payment on the invoice page
        form = page.get_by_test_id("payment-form")
        form.locator("input[name=payment-reference]").fill("VIR HELIOS 2026-11")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("load")
        expect(page.get_by_test_id("payment-row")).to_have_count(1)

        # then it is reported to the platform, which answers "Encaissée"
        with tenant_context(firm.tenant):
            report = EReport.objects.get(invoice=invoice, kind="payment")
        assert report.state == "sent", report.last_error
        clock.shift(datetime.timedelta(minutes=1))
        _poll(firm)
        page.reload()
        expect(status).to_have_text("Encaissée")
        history = page.get_by_test_id("einvoicing-history").locator("li")
        expect(history).to_have_count(7)
        expect(history.first).to_contain_text("Déposée")
        expect(history.nth(5)).to_contain_text("Approuvée")
        expect(history.last).to_contain_text("Encaissée")
        reports = page.get_by_test_id("einvoicing-reports")
        expect(reports).to_contain_text("transmis")
        expect(reports).to_contain_text("du 02/11/2026")  # the payment's date and amount, as the page writes them
        expect(reports).to_contain_text(re.compile(r"Encaissement de 31\s152,00\s€"))
        shot = os.environ.get("EINVOICING_SCREENSHOT") or str(tmp_path / "einvoicing-encaissee.png")
        page.screenshot(path=shot, full_page=True)

    with tenant_context(firm.tenant):
        invoice.refresh_from_db()
        assert invoice.status == "paid" and invoice.payments.count() == 1  # "encaissée" added no second payment
