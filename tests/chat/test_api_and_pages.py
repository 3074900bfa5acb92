"""The chat's REST API (session and token alike), its pages, and constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from chat import selectors, services
from chat.models import Message
from deals.models import DealStatus

pytestmark = pytest.mark.django_db


def test_post_read_page_edit_delete_through_the_session_api(alice, sales, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    client = alice.client()
    base = alice.url("api/v1/")
    created = client.post(base + "conversations/", {"object_type": "deal", "object_id": str(deal.pk)}, content_type="application/json")
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    posted = client.post(base + f"conversations/{cid}/messages/", {"body": "@thomas.sales le **BDC** ?"}, content_type="application/json")
    assert posted.status_code == 201, posted.content
    message = posted.json()
    assert "<strong>BDC</strong>" in message["html"] and message["can_edit"]
    page = client.get(base + f"conversations/{cid}/messages/").json()
    assert [m["id"] for m in page["results"]] == [message["id"]]
    assert client.get(base + f"conversations/{cid}/messages/?after={message['seq']}").json()["results"] == []
    edited = client.patch(base + f"messages/{message['id']}/", {"body": "corrigé"}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["edited_at"]
    too_long = client.post(base + f"conversations/{cid}/messages/", {"body": "x" * 10_001}, content_type="application/json")
    assert too_long.status_code == 400 and too_long["Content-Type"].startswith("application/problem+json")
    assert too_long.json()["code"] == "message_too_long"
    assert client.delete(base + f"messages/{message['id']}/").status_code == 204
    # the sales owner sees his unread mention in the list, and marks it read
    sales_client = sales.client()
    rows = sales_client.get(base + "conversations/").json()["results"]
    assert rows[0]["unread"] == 1 and rows[0]["mentions"] == 1
    assert sales_client.post(base + f"conversations/{cid}/read/", {}, content_type="application/json").json()["unread"] == 0
    filtered = sales_client.get(base + f"conversations/?object_type=deal&object_id={deal.pk}").json()["results"]
    assert [r["id"] for r in filtered] == [cid]


def test_a_consultant_gets_404_on_a_deal_thread_and_carol_on_everything(alice, bob, carol, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        conversation = services.thread_for_object(actor=alice.membership, object_type="deal", object_id=deal.pk)
        message = services.message_post(actor=alice.membership, conversation_id=conversation.pk, body="secret")
    base = alice.url("api/v1/")
    assert bob.client().get(base + f"conversations/{conversation.pk}/messages/").status_code == 404
    assert bob.client().patch(base + f"messages/{message.pk}/", {"body": "x"}, content_type="application/json").status_code == 404
    assert carol.client().get(f"/t/bravo/api/v1/conversations/{conversation.pk}/messages/").status_code == 404
    assert carol.client().get(f"/t/bravo/chat/c/{conversation.pk}/").status_code == 404
    assert carol.client().get(f"/t/bravo/chat/panel/deal/{deal.pk}/").status_code == 404


def test_presence_get_and_put_dnd(alice):
    client = alice.client()
    base = alice.url("api/v1/")
    put = client.put(base + "presence/", {"until": "2099-01-01T10:00:00Z"}, content_type="application/json")
    assert put.status_code == 200 and put.json()["dnd"] is True
    states = client.get(base + "presence/").json()
    assert states[0]["state"] in ("online", "away", "offline")
    bad = client.put(base + "presence/", {"daily_start": "09:00"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_dnd"


def test_pages_render(alice, bob, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="adv", members=[bob.membership.pk])
        services.message_post(actor=alice.membership, conversation_id=channel.pk, body="Bonjour @bob")
    client = alice.client()
    assert client.get(alice.url("chat/")).status_code == 200
    page = client.get(alice.url(f"chat/c/{channel.pk}/"))
    assert page.status_code == 200 and b"data-chat-panel" in page.content
    assert client.get(alice.url("chat/?q=bonjour")).status_code == 200
    panel = client.get(alice.url(f"chat/panel/deal/{deal.pk}/"))
    assert panel.status_code == 200 and b'data-object-type="deal"' in panel.content
    badge = bob.client().get(alice.url("chat/badge/"))
    assert b'data-testid="chat-unread">1<' in badge.content
    assert b"<script>" not in page.content.split(b"</main>")[0].split(b'id="main"')[1]


OLD = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def _fill(alice, bob, conversations: int, messages: int):
    with tenant_context(alice.tenant):
        for i in range(conversations):
            channel = services.channel_create(actor=alice.membership, name=f"c{i}", members=[bob.membership.pk])
            Message.objects.bulk_create([
                Message(tenant_id=alice.tenant.id, conversation=channel, author=alice.membership, body=f"message {j}",
                        created_at=OLD)
                for j in range(messages)
            ])
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body=f"dernier {i} @bob")
            Message.objects.filter(conversation=channel).update(created_at=OLD)  # out of the rate limit's window


@pytest.mark.parametrize("size", [2, 12])
def test_list_and_history_run_constant_queries(alice, bob, size, django_assert_max_num_queries):
    _fill(alice, bob, size, size * 3)
    with tenant_context(alice.tenant):
        channel = selectors.conversation_rows(actor=bob.membership)[0]
        with CaptureQueriesContext(connection) as listing:
            rows = selectors.conversation_rows(actor=bob.membership)
            selectors.unread_total(actor=bob.membership)
        assert len(rows) == size
        conversation = services.conversation_get(actor=bob.membership, pk=channel["id"])
        with CaptureQueriesContext(connection) as history:
            page = selectors.messages_page(actor=bob.membership, conversation=conversation, slug="alpha")
        assert len(page["results"]) == min(50, size * 3 + 1)
    assert len(listing.captured_queries) == 2  # the list (channels only: no peer names to read) and the badge
    assert len(history.captured_queries) == 1  # the messages, with their attachments


def test_the_conversation_list_is_paginated_in_the_api_and_the_page(alice, bob, monkeypatch):
    _fill(alice, bob, 3, 0)
    client = bob.client()
    base = alice.url("api/v1/")
    first = client.get(base + "conversations/?page_size=2").json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    second = client.get(base + "conversations/?page_size=2&page=2").json()
    assert len(second["results"]) == 1 and second["previous"]
    assert {r["id"] for r in first["results"] + second["results"]} == {
        r["id"] for r in client.get(base + "conversations/").json()["results"]
    }
    # the page shows 2 conversations a page here, with its pager
    monkeypatch.setattr(selectors, "LIST_SIZE", 2)
    page_one = client.get(alice.url("chat/"))
    assert page_one.content.count(b'data-testid="chat-row"') == 2 and b'rel="next"' in page_one.content
    page_two = client.get(alice.url("chat/?page=2"))
    assert page_two.content.count(b'data-testid="chat-row"') == 1 and b'rel="prev"' in page_two.content
    assert b"?page=2" in page_two.content  # a conversation opened from page 2 keeps the list on page 2


def test_the_words_of_chat_js_come_from_the_page_in_the_readers_language(alice):
    from django.utils import translation

    from chat.templatetags.chat_tags import chat_strings

    page = alice.client().get(alice.url("chat/"))
    assert b'<script id="chat-strings" type="application/json">' in page.content
    assert "Supprimer ce message ?" in page.content.decode()
    with translation.override("en"):
        english = chat_strings()
    assert english["delete_confirm"] == "Delete this message?" and english["typing"] == "%(name)s is typing…"
