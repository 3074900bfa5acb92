"""The chat's WebSocket: /ws/t/<firm>/chat/.

Authenticated by the session (and the second factor the firm requires), scoped to one firm (a
non-member is refused with the same code as an unknown firm). The page subscribes to the
conversations it shows, giving the last message seq it has: the access is checked at subscribe,
the missed messages are sent (catch-up), then every event of the conversation is checked again
before it is delivered, so that a member who lost the right stops receiving at once. Those checks
and the message's read are batched per event for all the sockets of the server process
(`fanout`): a constant number of queries per event, not per socket.

Client → server: {"action": "subscribe", "conversation": id, "after": seq},
{"action": "unsubscribe", "conversation": id}, {"action": "typing", "conversation": id},
{"action": "read", "conversation": id, "seq": n}, {"action": "ping", "active": bool}.
Server → client: {"type": "message", "action": "new"|"edit"|"delete", "conversation": id, "message": {...}},
{"type": "typing", ...}, {"type": "read", ...}, {"type": "unread", "unread": n, "mentions": n},
{"type": "mention", "conversation": id, "popup": bool, ...}, {"type": "subscribed", ...},
{"type": "error", "code": ...}.
"""

from __future__ import annotations

import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.serializers.json import DjangoJSONEncoder

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from notifications.consumers import CLOSE_NOT_FOUND, _tenant_of_member

from . import access, fanout, live, markup, presence, selectors, services
from .models import Conversation, Message

CATCH_UP_LIMIT = 200
MAX_SUBSCRIPTIONS = 50


class _Context:
    def __init__(self, tenant_id, membership_id):
        self.tenant_id = tenant_id
        self.membership_id = membership_id
        self.slug = None

    def membership(self) -> Membership | None:
        """The member as they are now (role, active, contractor): read at every event."""
        return Membership.objects.select_related("user").filter(pk=self.membership_id, is_active=True).first()


@database_sync_to_async
def _membership_id(tenant_id, user):
    with tenant_context(tenant_id):
        return Membership.objects.filter(user=user, is_active=True).values_list("id", flat=True).first()


class ChatConsumer(AsyncJsonWebsocketConsumer):
    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, cls=DjangoJSONEncoder)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        slug = self.scope["url_route"]["kwargs"]["tenant_slug"]
        tenant_id = await _tenant_of_member(user, slug, self.scope.get("session"))
        if tenant_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        membership_id = await _membership_id(tenant_id, user)
        if membership_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.ctx = _Context(tenant_id, membership_id)
        self.ctx.slug = slug
        self.subscriptions: set[str] = set()
        self.member_group = live.member_group(tenant_id, membership_id)
        self.last_presence = 0.0
        await self.channel_layer.group_add(self.member_group, self.channel_name)
        await self.accept()
        await self._presence(active=True)
        await self._send_unread()

    async def disconnect(self, code):
        ctx = getattr(self, "ctx", None)
        if ctx is None:
            return
        await self.channel_layer.group_discard(self.member_group, self.channel_name)
        for conversation_id in list(self.subscriptions):
            await self.channel_layer.group_discard(live.conversation_group(ctx.tenant_id, conversation_id), self.channel_name)
        await database_sync_to_async(presence.leave)(ctx.tenant_id, ctx.membership_id, self.channel_name)

    async def _presence(self, *, active: bool) -> None:
        self.last_presence = time.time()
        await database_sync_to_async(presence.touch)(self.ctx.tenant_id, self.ctx.membership_id, self.channel_name, active=active)

    # --- from the page ---------------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            return
        action = content.get("action")
        conversation_id = str(content.get("conversation") or "")
        if action == "ping":
            await self._presence(active=bool(content.get("active")))
            return
        if time.time() - self.last_presence > presence.HEARTBEAT / 2:
            await self._presence(active=True)
        if action == "subscribe":
            await self._subscribe(conversation_id, content.get("after"))
        elif action == "unsubscribe" and conversation_id in self.subscriptions:
            self.subscriptions.discard(conversation_id)
            await self.channel_layer.group_discard(live.conversation_group(self.ctx.tenant_id, conversation_id), self.channel_name)
        elif action == "typing" and conversation_id in self.subscriptions:
            name = await self._typing_name(conversation_id)
            if name:
                group, event = live.typing_event(self.ctx.tenant_id, conversation_id, self.ctx.membership_id, name)
                await self.channel_layer.group_send(group, event)
        elif action == "read" and conversation_id in self.subscriptions:
            await self._mark_read(conversation_id, content.get("seq"))

    async def _subscribe(self, conversation_id: str, after) -> None:
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS and conversation_id not in self.subscriptions:
            await self.send_json({"type": "error", "code": "too_many_subscriptions", "conversation": conversation_id})
            return
        try:
            after = int(after) if after not in (None, "") else None
        except (TypeError, ValueError):
            after = None
        # Listen first, then read what was missed: a message posted in between arrives twice at
        # worst, and the page keeps one per seq (never none).
        group = live.conversation_group(self.ctx.tenant_id, conversation_id)
        await self.channel_layer.group_add(group, self.channel_name)
        missed = await self._catch_up(conversation_id, after)
        if missed is None:
            if conversation_id not in self.subscriptions:
                await self.channel_layer.group_discard(group, self.channel_name)
            await self.send_json({"type": "error", "code": "not_found", "conversation": conversation_id})
            return
        self.subscriptions.add(conversation_id)
        await self.send_json({"type": "subscribed", "conversation": conversation_id, "has_more": missed["has_more"]})
        for message in reversed(missed["results"]):  # oldest first
            await self.send_json({"type": "message", "action": "new", "conversation": conversation_id, "message": message})

    @database_sync_to_async
    def _catch_up(self, conversation_id: str, after: int | None):
        with tenant_context(self.ctx.tenant_id):
            member = self.ctx.membership()
            try:
                conversation = services.conversation_get(actor=member, pk=conversation_id)
            except DomainError:
                return None
            if after is None:
                return {"results": [], "has_more": False}
            return selectors.messages_page(actor=member, conversation=conversation, after=after, limit=CATCH_UP_LIMIT,
                                           slug=self.ctx.slug)

    @database_sync_to_async
    def _typing_name(self, conversation_id: str) -> str:
        with tenant_context(self.ctx.tenant_id):
            member = self.ctx.membership()
            conversation = Conversation.objects.filter(pk=conversation_id).first()
            if member is None or conversation is None or not access.may_read(member, conversation):
                return ""
            return member.user.get_full_name() or member.user.email

    @database_sync_to_async
    def _mark_read(self, conversation_id: str, seq) -> None:
        with tenant_context(self.ctx.tenant_id):
            try:
                services.mark_read(actor=self.ctx.membership(), conversation_id=conversation_id, seq=seq)
            except (DomainError, TypeError, ValueError):
                pass

    # --- from the channel layer: each checked for this member, now ------------------------------

    async def _readable(self, conversation_id: str) -> bool:
        if conversation_id not in self.subscriptions:
            return False
        allowed = await fanout.may_read(self.ctx.tenant_id, conversation_id, self.ctx.membership_id)
        if not allowed:
            await self._revoke(conversation_id)
        return allowed

    async def _revoke(self, conversation_id: str) -> None:
        """The right was lost: stop listening at once, and tell the page."""
        self.subscriptions.discard(conversation_id)
        await self.channel_layer.group_discard(live.conversation_group(self.ctx.tenant_id, conversation_id), self.channel_name)
        await self.send_json({"type": "revoked", "conversation": conversation_id})

    async def chat_message(self, event):
        conversation_id = event["conversation"]
        if conversation_id not in self.subscriptions:
            return
        allowed, message = await fanout.message_for(
            self.ctx.tenant_id, conversation_id, event["message"], self.ctx.slug, self.ctx.membership_id
        )
        if not allowed:
            await self._revoke(conversation_id)
            return
        if message is not None:
            await self.send_json({"type": "message", "action": event["action"], "conversation": conversation_id, "message": message})

    async def chat_typing(self, event):
        if event["membership"] == str(self.ctx.membership_id) or not await self._readable(event["conversation"]):
            return
        await self.send_json({"type": "typing", "conversation": event["conversation"], "membership": event["membership"],
                              "name": event["name"]})

    async def chat_read(self, event):
        if not await self._readable(event["conversation"]):
            return
        await self.send_json({"type": "read", "conversation": event["conversation"], "membership": event["membership"],
                              "seq": event["seq"]})

    async def chat_unread(self, event):
        await self._send_unread()

    async def chat_mention(self, event):
        payload = await self._mention(event["conversation"], event["message"])
        if payload is not None:
            await self.send_json(payload)
        await self._send_unread()

    @database_sync_to_async
    def _mention(self, conversation_id: str, message_id: str):
        with tenant_context(self.ctx.tenant_id):
            member = self.ctx.membership()
            conversation = Conversation.objects.filter(pk=conversation_id).first()
            if member is None or conversation is None or not access.may_read(member, conversation):
                return None
            message = Message.objects.filter(pk=message_id).select_related("author__user").first()
            if message is None or message.deleted_at:
                return None
            dnd = presence.dnd_map([member.pk])[member.pk]
            author = message.author.user.get_full_name() or message.author.user.email if message.author else ""
            return {
                "type": "mention", "conversation": conversation_id, "message": message_id, "seq": message.seq,
                "popup": not dnd.active, "author": author,
                "title": services.conversation_title(conversation, member), "excerpt": markup.preview(message.body),
            }

    async def _send_unread(self):
        totals = await self._unread()
        await self.send_json({"type": "unread", **totals})

    @database_sync_to_async
    def _unread(self) -> dict:
        with tenant_context(self.ctx.tenant_id):
            return selectors.unread_total(actor=self.ctx.membership())



