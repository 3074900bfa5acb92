"""The unread count pushed live over a WebSocket (Channels), with an in-memory layer."""

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.routing import URLRouter

from adv.tenancy.context import tenant_context
from notifications import services
from notifications.routing import websocket_urlpatterns


@pytest.fixture
def live_pushes():
    """Overrides the conftest fixture: here pushes go through the channel layer for real."""
    return None


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class Socket(ApplicationCommunicator):
    """A WebSocket client for the ASGI app (channels.testing needs daphne, which we do not ship)."""

    def __init__(self, persona, slug):
        scope = {
            "type": "websocket", "path": f"/ws/t/{slug}/notifications/", "query_string": b"", "headers": [],
            "subprotocols": [], "user": persona.user,
        }
        super().__init__(URLRouter(websocket_urlpatterns), scope)

    async def connect(self) -> bool:
        await self.send_input({"type": "websocket.connect"})
        return (await self.receive_output(3))["type"] == "websocket.accept"

    async def receive_json_from(self, timeout=3):
        message = await self.receive_output(timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def disconnect(self):
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


@pytest.mark.django_db(transaction=True)
def test_unread_count_is_pushed_when_a_notification_arrives(alice, bob, event, memory_layer):
    def notify_bob():
        with tenant_context(alice.tenant):
            services.notify(recipients=[bob.membership], event=event, context={"document_name": "K"}, actor=alice.membership)

    async def scenario():
        # given bob's page is connected
        communicator = Socket(bob, "alpha")
        assert await communicator.connect()
        assert await communicator.receive_json_from() == {"unread": 0}
        # when alice's action notifies him (and commits)
        await database_sync_to_async(notify_bob)()
        # then his page receives the new count
        assert await communicator.receive_json_from(timeout=3) == {"unread": 1}
        await communicator.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_non_members_cannot_subscribe(alice, carol, memory_layer):
    async def scenario():
        assert not await Socket(carol, "alpha").connect()

    async_to_sync(scenario)()
