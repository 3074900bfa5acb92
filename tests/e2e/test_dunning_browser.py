"""Collections in a browser: ten days after its due date, the ADV finds the Helios invoice in the
overdue list with its next dunning step, opens it, sends "Relancer maintenant", notes the client's
payment promise, then records a dispute, which pauses the reminders; every one of these is in the
invoice's dunning history. The page is screenshotted (under the test's tmp_path)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from adv.tenancy.context import tenant_context
from dunning.models import DunningPause, PaymentPromise, Reminder
from tests.conftest import PASSWORD
from tests.dunning.conftest import at, billing_firm, late, media, overdue  # noqa: F401  (fixtures)
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]




def test_adv_reminds_now_notes_a_promise_and_a_dispute_pauses_the_reminders(
    live_server, page, overdue, time_machine, tmp_path  # noqa: F811
):
    firm, invoice = overdue.firm, overdue.invoice
    time_machine.move_to(at(late(10)), tick=False)
    login(page, live_server.url, firm.adv.user.email, password=PASSWORD, firm="alpha")

    # the overdue list: the invoice, its next step (the courteous reminder, due since D+7)
    page.goto(f"{live_server.url}{firm.adv.url('billing/invoices/overdue/')}")
    row = page.locator(f"[data-testid=overdue-row][data-number='{invoice.number}']")
    expect(row.get_by_test_id("overdue-next-step")).to_contain_text("courtoise")
    row.get_by_role("link", name=invoice.number).click()
    expect(page).to_have_url(re.compile(rf"/billing/invoices/{invoice.pk}/"))
    block = page.get_by_test_id("dunning-block")
    expect(block.get_by_test_id("dunning-next")).to_contain_text("relance courtoise")
    expect(block).to_contain_text("Aucune relance envoyée")

    # "Relancer maintenant": the courteous reminder goes, the next step is the firm one
    block.get_by_test_id("dunning-remind-now").click()
    expect(page.get_by_text(f"La relance de la facture {invoice.number} est partie.")).to_be_visible()
    block = page.get_by_test_id("dunning-block")
    expect(block.get_by_test_id("dunning-reminder")).to_have_count(1)
    expect(block.get_by_test_id("dunning-reminder")).to_contain_text("courtoise")
    expect(block.get_by_test_id("dunning-next")).to_contain_text("relance ferme")

    # the client promises 500 € by D+20: noted, the reminders wait
    time_machine.move_to(at(late(10), 10), tick=False)
    block.get_by_text("Noter une promesse de paiement").click()
    page.fill("#promise-date", late(20).isoformat())
    page.fill("#promise-amount", "500,00")
    page.fill("#promise-note", "Appel de la comptable")
    page.get_by_role("button", name="Noter la promesse").click()
    block = page.get_by_test_id("dunning-block")
    expect(block.get_by_test_id("dunning-promise")).to_contain_text("500,00")
    expect(block.locator("[data-kind=promise]")).to_contain_text("Appel de la comptable")

    # then the client disputes the invoice: the reminders are paused, "Relancer maintenant" is gone
    time_machine.move_to(at(late(10), 11), tick=False)
    block.get_by_text("Mettre en pause / litige").click()
    page.fill("#pause-reason", "Jours contestés sur le CRA")
    page.check("#pause-dispute")
    page.get_by_role("button", name="Mettre en pause").click()
    block = page.get_by_test_id("dunning-block")
    expect(block.get_by_test_id("dunning-disputed")).to_contain_text("Jours contestés sur le CRA")
    expect(block.get_by_test_id("dunning-remind-now")).to_have_count(0)
    expect(block.get_by_test_id("dunning-next")).to_contain_text("à la reprise")
    expect(block.get_by_test_id("dunning-resume")).to_contain_text("Clore le litige")

    # the dunning history: the dispute, the promise, the reminder, newest first
    history = block.get_by_test_id("dunning-history").locator("li")
    expect(history).to_have_count(3)
    assert [history.nth(i).get_attribute("data-kind") for i in range(3)] == ["dispute", "promise", "reminder"]
    expect(history.nth(0)).to_contain_text("Sophie Bernard")

    block.scroll_into_view_if_needed()
    block.screenshot(path=str(tmp_path / "dunning-block.png"))
    page.screenshot(path=str(tmp_path / "dunning-page.png"))
    with tenant_context(firm.tenant):
        assert Reminder.objects.filter(invoice=invoice, is_automatic=False).count() == 1
        assert PaymentPromise.objects.get(invoice=invoice).amount == 500
        assert DunningPause.objects.get(invoice=invoice).kind == "dispute"
