"""The chat live between two members (issue 14), on the product as `make run` runs it (uvicorn
serves the WebSocket /ws/t/<firm>/chat/; tests/e2e/product.py): the ADV and the sales owner of the
demo firm, each in their own browser context. The ADV writes in the unsigned deal's thread and
mentions the sales owner through the @ autocomplete; the sales owner, on another page, sees the
unread badge grow and the mention pop up live, opens the thread, replies; the ADV sees the reply
arrive in the open thread without reloading."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from chat.models import Conversation, ConversationKind
from deals.models import Deal, DealStatus
from tests.e2e.product import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADV, SALES = "adv@demo.adv.test", "sales@demo.adv.test"


def _unsigned_deal_thread(demo) -> Conversation:
    with tenant_context(demo):
        deal_ids = Deal.objects.filter(status=DealStatus.PROVISIONAL).values_list("id", flat=True)
        thread = Conversation.objects.filter(kind=ConversationKind.OBJECT, object_type="deal", object_id__in=list(deal_ids)).first()
    assert thread is not None, "the demo has a thread on its unsigned deal"
    return thread


def _member_page(browser, product, email):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20000)
    login(page, product, email)
    return context, page


def _unread(page) -> int:
    badge = page.get_by_test_id("chat-unread")
    return int(badge.inner_text()) if badge.count() else 0


def test_two_members_talk_live_in_a_deals_thread(product, browser, demo, tmp_path):
    thread = _unsigned_deal_thread(demo)
    shots = os.environ.get("CHAT_SCREENSHOTS") or str(tmp_path)
    adv_context, adv = _member_page(browser, product, ADV)
    sales_context, sales = _member_page(browser, product, SALES)
    frames: list[str] = []  # what the ADV's socket receives (shown when the test fails)
    adv.on("websocket", lambda ws: (frames.append(f"open {ws.url}"), ws.on("framereceived", lambda f: frames.append(str(f)[:300])),
                                    ws.on("close", lambda _ws: frames.append("closed"))))
    adv.on("console", lambda m: frames.append(f"console {m.type}: {m.text}"))
    try:
        # given the ADV in the deal's thread, and the sales owner elsewhere (the home page), the
        # sales owner's badge loaded and their socket open
        adv.goto(f"{product.url}/t/{DEMO_TENANT_SLUG}/chat/c/{thread.pk}/")
        expect(adv.get_by_test_id("chat-message").first).to_be_visible()
        sales.goto(f"{product.url}/t/{DEMO_TENANT_SLUG}/")
        expect(sales.get_by_test_id("chat-badge")).to_be_visible()
        sales.wait_for_timeout(1500)  # the socket connects after the page's scripts
        before = _unread(sales)

        # when the ADV mentions the sales owner through the autocomplete and sends
        body = adv.get_by_test_id("chat-body")
        body.click()
        body.press_sequentially("@sal")
        suggestion = adv.locator("[data-chat-suggestions] li", has_text="@sales")
        expect(suggestion).to_be_visible()
        adv.wait_for_timeout(1000)  # one request per key typed: the last answer redraws the list
        suggestion.dispatch_event("mousedown")
        expect(body).to_have_value("@sales ")
        body.press_sequentially("le client a-t-il renvoyé le bon de commande signé ?")
        adv.get_by_test_id("chat-send").click()
        sent = adv.get_by_test_id("chat-message").filter(has_text="renvoyé le bon de commande")
        expect(sent).to_be_visible()
        expect(sent.locator("a, span, strong", has_text="@sales").first).to_be_visible()

        # then the sales owner sees, without reloading, the mention pop up and the badge grow
        popup = sales.get_by_test_id("chat-mention-popup")
        expect(popup).to_be_visible(timeout=15000)
        expect(popup).to_contain_text("renvoyé le bon de commande")
        expect(sales.get_by_test_id("chat-unread")).to_have_text(str(before + 1), timeout=15000)
        expect(sales.get_by_test_id("chat-unread")).to_have_class(re.compile("text-bg-danger"))  # a mention: red
        sales.screenshot(path=os.path.join(shots, "chat-sales-mentioned.png"), full_page=False)

        # when the sales owner opens the thread from the chat page and replies
        sales.goto(f"{product.url}/t/{DEMO_TENANT_SLUG}/chat/")
        row = sales.get_by_test_id("chat-row").filter(has_text=thread.title[:20]).first
        expect(row.get_by_test_id("chat-row-unread")).to_be_visible()
        row.click()
        expect(sales.get_by_test_id("chat-message").filter(has_text="renvoyé le bon de commande")).to_be_visible()
        reply = sales.get_by_test_id("chat-body")
        reply.fill("@adv oui, je le dépose cet après-midi.")
        reply.press("Enter")

        # then the ADV sees the reply arrive in the open thread, with their mention highlighted
        answer = adv.get_by_test_id("chat-message").filter(has_text="je le dépose cet après-midi")
        try:
            expect(answer).to_be_visible(timeout=15000)
        except AssertionError:
            adv.screenshot(path=os.path.join(shots, "chat-adv-failed.png"))
            sales.screenshot(path=os.path.join(shots, "chat-sales-failed.png"))
            raise AssertionError("the ADV's socket received:\n" + "\n".join(frames[-40:])) from None
        expect(answer).to_have_class(re.compile("chat-mentions-me"))
        # and the sales owner's badge went down once the thread was read
        expect(sales.get_by_test_id("chat-unread")).not_to_have_text(str(before + 1), timeout=15000)
        adv.screenshot(path=os.path.join(shots, "chat-adv-reply.png"), full_page=False)
    finally:
        adv_context.close()
        sales_context.close()
