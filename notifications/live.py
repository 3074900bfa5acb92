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
