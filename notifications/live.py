"""Live unread counts over WebSockets (Django Channels).

After a transaction that changes someone's notifications commits, a message goes to that
user's group in that tenant; their open pages (see `consumers.UnreadCountConsumer`) compute
the count again and refresh the bell. The message carries no data, only a nudge: the
consumer reads the count itself, inside the tenant's context. If Redis is unreachable the
nudge is dropped (the bell also polls every 30 s).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from adv.tenancy.context import require_tenant_id

logger = logging.getLogger(__name__)

UNREAD_CHANGED = "unread.changed"
# A page event for one user's open pages (a billing job's progress...): `{"event": payload}` on the
# same socket as the unread count; the page's script decides whether it concerns it.
PAGE_EVENT = "page.event"


def group_name(tenant_id, user_id) -> str:
    return f"notifications.{tenant_id}.{user_id}"


def push_unread_counts(tenant_id, user_ids: Iterable) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for user_id in user_ids:
            async_to_sync(layer.group_send)(group_name(tenant_id, user_id), {"type": UNREAD_CHANGED})
    except Exception:  # a live refresh is a comfort; the bell polls anyway
        logger.info("Live notification push failed", exc_info=True)


def push_unread_counts_on_commit(user_ids: Iterable) -> None:
    transaction.on_commit(partial(push_unread_counts, require_tenant_id(), sorted(set(user_ids), key=str)))


def push_page_event(tenant_id, user_id, payload: dict) -> None:
    """Nudge `user_id`'s open pages in this firm with `payload` (small, no secrets: ids and counts;
    the page reads the rest itself). Dropped if Redis is away: the pages also poll, slowly."""
    layer = get_channel_layer()
    if layer is None or user_id is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(tenant_id, user_id), {"type": PAGE_EVENT, "payload": payload})
    except Exception:  # a comfort, like the unread push
        logger.info("Live page event push failed", exc_info=True)


def push_page_event_on_commit(user_id, payload: dict) -> None:
    transaction.on_commit(partial(push_page_event, require_tenant_id(), user_id, payload))
