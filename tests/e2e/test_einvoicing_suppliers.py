"""Supplier invoices in a browser: the contractor's two invoices arrive on the platform (the
emulator, in-process); the page shows the one that matches the approved days and flags the one
that does not; the ADV refuses it with a reason, which goes back to the platform."""

from __future__ import annotations

import os

import pytest
import time_machine
from playwright.sync_api import expect

from tests.billing.support import billing_firm, media  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.e2e.browser import login
from tests.e2e.test_einvoicing_lifecycle import NOW, eager_celery  # noqa: F401  (fixture)
from tests.einvoicing.conftest import emulator, platform_firm  # noqa: F401  (fixtures)
from tests.einvoicing.test_suppliers import contractor, fetch, incoming  # noqa: F401  (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_adv_refuses_the_invoice_that_bills_a_day_too_many(live_server, page, eager_celery, contractor, tmp_path):  # noqa: F811
    firm = contractor
    with time_machine.travel(NOW, tick=True):
        incoming(firm, "10000.00", "F-1")
        over = incoming(firm, "10500.00", "F-2")
        fetch(firm)
        login(page, live_server.url, firm.adv.user.email, password=PASSWORD, firm=firm.tenant.slug)
        page.get_by_test_id("nav-einvoicing-suppliers").click()
        rows = page.get_by_test_id("supplier-invoice-row")
        expect(rows).to_have_count(2)
        flagged = page.locator('[data-testid=supplier-invoice-row][data-match="differs"]')
        expect(flagged.get_by_test_id("supplier-flag")).to_have_text("Montant différent des CRA validés")
        expect(flagged).to_contain_text("500,00")
        flagged.locator("input[name=reason]").fill("Un jour de trop : 20 jours validés en octobre.")
        flagged.get_by_role("button", name="Refuser").click()
        refused = page.locator('[data-testid=supplier-invoice-row][data-state="refused"]')
        expect(refused).to_contain_text("Un jour de trop")
        expect(refused).to_contain_text("transmis à la plateforme")
        page.screenshot(path=os.environ.get("SUPPLIERS_SCREENSHOT") or str(tmp_path / "suppliers.png"), full_page=True)
    assert [s["statusCode"] for s in firm.emulator.incoming[over]["statuses"]] == ["210"]
