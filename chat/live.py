"""Live chat events over the channel layer, sent after the writing transaction commits.

Groups: one per conversation (`chat.<firm>.c.<conversation>`: the sockets subscribed to it) and
one per member (`chat.<firm>.m.<membership>`: their unread badge and mention pop-ups). An event
carries ids, not text: each socket reads the message itself and checks, at every event, that its
member may still read the conversation (`consumers.ChatConsumer`). With Redis down the event is
dropped: the pages poll.
"""

from __future__ import annotations

import logging
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def conversation_group(tenant_id, conversation_id) -> str:
    return f"chat.{tenant_id}.c.{conversation_id}"


def member_group(tenant_id, membership_id) -> str:
    return f"chat.{tenant_id}.m.{membership_id}"


def _send(sends: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        for group, event in sends:
            async_to_sync(layer.group_send)(group, event)
    except Exception:  # live delivery is a comfort: the panel polls
        logger.info("Live chat event dropped", exc_info=True)


def on_commit(sends: list[tuple[str, dict]]) -> None:
    transaction.on_commit(partial(_send, list(sends)))


def message_event(tenant_id, conversation_id, message_id, action: str) -> tuple[str, dict]:
    return conversation_group(tenant_id, conversation_id), {
        "type": "chat.message", "conversation": str(conversation_id), "message": str(message_id), "action": action,
    }


def read_event(tenant_id, conversation_id, membership_id, seq: int) -> tuple[str, dict]:
    return conversation_group(tenant_id, conversation_id), {
        "type": "chat.read", "conversation": str(conversation_id), "membership": str(membership_id), "seq": seq,
    }


def typing_event(tenant_id, conversation_id, membership_id, name: str) -> tuple[str, dict]:
    return conversation_group(tenant_id, conversation_id), {
        "type": "chat.typing", "conversation": str(conversation_id), "membership": str(membership_id), "name": name,
    }


def unread_event(tenant_id, membership_id) -> tuple[str, dict]:
    return member_group(tenant_id, membership_id), {"type": "chat.unread"}


def mention_event(tenant_id, membership_id, conversation_id, message_id) -> tuple[str, dict]:
    return member_group(tenant_id, membership_id), {
        "type": "chat.mention", "conversation": str(conversation_id), "message": str(message_id),
    }
