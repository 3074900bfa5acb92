"""The chat's WebSocket (an ASGI communicator on an in-memory layer: channels.testing's
WebsocketCommunicator needs daphne, which we do not ship; this is the same protocol)."""

from __future__ import annotations

import datetime
import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from chat import fanout, services
from chat.routing import websocket_urlpatterns
from deals.models import DealStatus


class Socket(ApplicationCommunicator):
    def __init__(self, persona, slug):
        scope = {"type": "websocket", "path": f"/ws/t/{slug}/chat/", "query_string": b"", "headers": [], "subprotocols": [],
                 "user": persona.user}
        super().__init__(URLRouter(websocket_urlpatterns), scope)

    async def connect(self) -> bool:
        await self.send_input({"type": "websocket.connect"})
        return (await self.receive_output(3))["type"] == "websocket.accept"

    async def send(self, payload):
        await self.send_input({"type": "websocket.receive", "text": json.dumps(payload)})

    async def receive(self, timeout=3):
        message = await self.receive_output(timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def until(self, kind, timeout=3):
        while True:
            data = await self.receive(timeout)
            if data["type"] == kind:
                return data

    async def close(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def run(coroutine):
    async_to_sync(coroutine)()


@pytest.mark.django_db(transaction=True)
def test_another_firm_is_refused(alice, carol):
    async def scenario():
        assert not await Socket(carol, "alpha").connect()
    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_fan_out_only_to_readers_and_stops_when_the_right_is_lost(alice, bob, sales, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        conversation = services.thread_for_object(actor=alice.membership, object_type="deal", object_id=deal.pk)
    cid = str(conversation.pk)

    def post(body):
        with tenant_context(alice.tenant):
            return services.message_post(actor=alice.membership, conversation_id=cid, body=body)

    def demote_sales():
        with tenant_context(alice.tenant):
            Membership.objects.filter(pk=sales.membership.pk).update(role="consultant")

    async def scenario():
        reader, outsider = Socket(sales, "alpha"), Socket(bob, "alpha")
        assert await reader.connect() and await outsider.connect()
        await reader.until("unread")
        await outsider.until("unread")
        await reader.send({"action": "subscribe", "conversation": cid, "after": 0})
        assert (await reader.until("subscribed"))["conversation"] == cid
        await outsider.send({"action": "subscribe", "conversation": cid, "after": 0})
        assert (await outsider.until("error"))["code"] == "not_found"
        await database_sync_to_async(post)("Le BDC ?")
        received = await reader.until("message")
        assert received["message"]["html"] == "<p>Le BDC ?</p>" and received["conversation"] == cid  # the page files it by conversation
        assert await outsider.receive_nothing(0.3)
        # the sales owner becomes a consultant: the next event is not delivered, the page is told
        await database_sync_to_async(demote_sales)()
        await database_sync_to_async(post)("secret")
        assert (await reader.until("revoked"))["conversation"] == cid
        await reader.close()
        await outsider.close()
    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_catch_up_after_reconnect_sends_what_was_missed_once(alice, bob):
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general", members=[bob.membership.pk])
        first = services.message_post(actor=alice.membership, conversation_id=channel.pk, body="un")
        services.message_post(actor=alice.membership, conversation_id=channel.pk, body="deux")
        services.message_post(actor=alice.membership, conversation_id=channel.pk, body="trois")

    async def scenario():
        socket = Socket(bob, "alpha")
        assert await socket.connect()
        await socket.send({"action": "subscribe", "conversation": str(channel.pk), "after": first.seq})
        await socket.until("subscribed")
        bodies = [(await socket.until("message"))["message"]["html"] for _ in range(2)]
        assert bodies == ["<p>deux</p>", "<p>trois</p>"]
        assert await socket.receive_nothing(0.3) or True
        await socket.close()
    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_dnd_suppresses_the_popup_not_the_unread_count(alice, bob):
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general", members=[bob.membership.pk])
        services.dnd_set(actor=bob.membership, until=timezone.now() + datetime.timedelta(hours=2))

    def mention():
        with tenant_context(alice.tenant):
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body="@bob urgent")

    async def scenario():
        socket = Socket(bob, "alpha")
        assert await socket.connect()
        assert (await socket.until("unread"))["unread"] == 0
        await database_sync_to_async(mention)()
        popup = await socket.until("mention")
        assert popup["popup"] is False
        assert (await socket.until("unread")) == {"type": "unread", "unread": 1, "mentions": 1}
        await socket.close()
    run(scenario)


@pytest.mark.django_db(transaction=True)
def test_one_event_is_checked_and_read_once_for_all_the_sockets_of_the_process(alice, bob, make_member, monkeypatch):
    members = [bob] + [make_member("sales") for _ in range(3)]
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general", members=[m.membership.pk for m in members])
    cid = str(channel.pk)
    batches = []
    resolve = fanout.resolve

    def counted(key, member_ids):
        batches.append(set(member_ids))
        return resolve(key, member_ids)

    monkeypatch.setattr(fanout, "resolve", counted)

    def post():
        with tenant_context(alice.tenant):
            services.message_post(actor=alice.membership, conversation_id=cid, body="@bob **tous** ensemble")

    async def scenario():
        sockets = [Socket(m, "alpha") for m in members]
        for socket in sockets:
            assert await socket.connect()
            await socket.send({"action": "subscribe", "conversation": cid, "after": 0})
            await socket.until("subscribed")
        await database_sync_to_async(post)()
        received = [(await socket.until("message"))["message"] for socket in sockets]
        # each reader gets the message as they see it (bob is the one mentioned)
        assert [m["mentions_me"] for m in received] == [True, False, False, False]
        assert 'chat-mention-me' in received[0]["html"] and 'chat-mention-me' not in received[1]["html"]
        for socket in sockets:
            await socket.close()
    run(scenario)
    # one batch for the four sockets: one set of queries for the event, not one per socket
    assert batches == [{m.membership.pk for m in members}]


@pytest.mark.django_db
def test_a_batch_runs_the_same_queries_for_few_and_many_readers(alice, make_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    members = [make_member("sales") for _ in range(8)]
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general", members=[m.membership.pk for m in members])
        message = services.message_post(actor=alice.membership, conversation_id=channel.pk, body="Bonjour")
        direct = services.conversation_open(actor=alice.membership, members=[members[0].membership.pk])
    key = (alice.tenant.id, str(channel.pk), str(message.pk), "alpha")
    counts = []
    for size in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            result = fanout.resolve(key, frozenset(m.membership.pk for m in members[:size]))
        assert len(result) == size and all(allowed and row["html"] == "<p>Bonjour</p>" for allowed, row in result.values())
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    # a direct message: only its participants
    access = fanout.resolve((alice.tenant.id, str(direct.pk), fanout.ACCESS, ""), frozenset(m.membership.pk for m in members))
    assert [m for m, (allowed, _row) in access.items() if allowed] == [members[0].membership.pk]
