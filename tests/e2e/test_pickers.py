"""The client picker of the deal list, as a user drives it with the keyboard: types "Dup", goes down
to the suggestion, picks it with Enter; the list is filtered, the choice survives a reload and the
Back button."""

import datetime
import os
import re

import pytest
from playwright.sync_api import expect

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from clients import services as client_services
from deals import services as deal_services
from tests.e2e.browser import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT = os.environ.get("ADV_E2E_SCREENSHOTS", "")


@pytest.fixture
def dupont(demo_firm):
    """A client whose name starts with "Dup", with one deal, in the demo firm."""
    tenant = Tenant.objects.get(slug="demo")
    with tenant_context(tenant):
        adv = Membership.objects.get(user__email="adv@demo.adv.test")
        client = client_services.client_create(actor=adv, legal_name="Dupont Industrie SA", status="client")
        deal_services.deal_create(
            actor=adv, client=client, deal_type="t_and_m", title="Audit Dupont", start_date=datetime.date(2026, 1, 5),
        )
    return client


def test_a_client_is_picked_with_the_keyboard_and_filters_the_deal_list(live_server, page, dupont):
    # given the ADV of the demo firm on the deal list
    login(page, live_server.url)
    page.goto(f"{live_server.url}/t/demo/deals/")
    rows = page.get_by_test_id("deal-row")
    expect(rows.first).to_be_visible()
    assert rows.count() > 1

    # when she types "Dup" in the client picker
    box = page.get_by_role("combobox", name="Client")
    expect(box).to_have_attribute("placeholder", "Rechercher un client…")
    box.click()
    box.press_sequentially("Dup", delay=60)
    suggestions = page.locator("#id_client_listbox")
    option = suggestions.get_by_role("option", name=re.compile("Dupont Industrie"))
    # the answer to "Dup", not the first clients shown on focus (a loaded machine may take a while)
    expect(suggestions.get_by_role("option")).to_have_count(1, timeout=30000)
    expect(option).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    if SCREENSHOT:
        page.screenshot(path=os.path.join(SCREENSHOT, "picker-suggestions.png"))

    # and picks the suggestion with the arrow and Enter
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    # then the list shows Dupont's deal alone, and the address says so
    expect(box).to_have_value("Dupont Industrie SA")
    expect(page).to_have_url(re.compile(rf"client={dupont.pk}"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Audit Dupont")
    if SCREENSHOT:
        page.screenshot(path=os.path.join(SCREENSHOT, "picker-filtered.png"))

    # and a reload keeps the choice, shown by its name
    page.reload()
    expect(page.get_by_role("combobox", name="Client")).to_have_value("Dupont Industrie SA")
    expect(page.get_by_test_id("deal-row")).to_have_count(1)

    # and Escape then clearing the box lifts the filter
    box = page.get_by_role("combobox", name="Client")
    box.fill("")
    expect(page.get_by_test_id("deal-row").nth(1)).to_be_visible()

    # and Back returns to the filtered list with the picker still showing Dupont
    page.go_back()
    expect(page).to_have_url(re.compile(rf"client={dupont.pk}"))
    expect(page.get_by_role("combobox", name="Client")).to_have_value("Dupont Industrie SA")
    expect(page.get_by_test_id("deal-row")).to_have_count(1)


def test_typing_nothing_that_matches_says_so(live_server, page, dupont):
    login(page, live_server.url)
    page.goto(f"{live_server.url}/t/demo/clients/")
    box = page.get_by_role("combobox", name="Commercial")
    box.click()
    box.press_sequentially("zzz", delay=40)
    expect(page.get_by_test_id("picker-empty").first).to_have_text("Aucun résultat")
    # Escape closes the list and puts back what was chosen (nothing)
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Escape")
    expect(box).to_have_value("")
