"""WebSocket consumer: the unread count of the connected user in one firm, pushed live."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant

from .live import group_name
from .selectors import notification_unread_count

CLOSE_NOT_FOUND = 4404


def _session_verified(user, session) -> bool:
    """The session passed the second factor with one of the user's confirmed devices (as django-otp's
    middleware decides for HTTP requests, which Channels does not run)."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id, for_verify=False)
    return device is not None and device.user_id == user.pk and device.confirmed


@database_sync_to_async
def _tenant_of_member(user, slug: str, session=None):
    """The firm's id if `user` is an active member of it (and has passed the second factor the firm
    requires of their role), else None (the same answer in every case)."""
    tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
    if tenant is None:
        return None
    with tenant_context(tenant):
        membership = Membership.objects.select_related("tenant").filter(user=user, is_active=True).first()
        if membership is None:
            return None
        if membership.must_use_second_factor and not _session_verified(user, session):
            return None
        return tenant.id


@database_sync_to_async
def _unread_count(tenant_id, user) -> int:
    with tenant_context(tenant_id):
        return notification_unread_count(user=user)


class UnreadCountConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.user = user
        self.tenant_id = await _tenant_of_member(
            user, self.scope["url_route"]["kwargs"]["tenant_slug"], self.scope.get("session")
        )
        if self.tenant_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = group_name(self.tenant_id, user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_count()

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """The page may ask for the count again (e.g. after reconnecting)."""
        await self._send_count()

    async def unread_changed(self, event):
        await self._send_count()

    async def page_event(self, event):
        """A page event (notifications.live.push_page_event), passed on to the user's pages."""
        await self.send_json({"event": event.get("payload") or {}})

    async def _send_count(self):
        await self.send_json({"unread": await _unread_count(self.tenant_id, self.user)})
