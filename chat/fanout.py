"""One live event, many sockets: the checks and reads of an event are made once per process for
every socket it reaches, not once per socket.

A message posted in a channel followed by 200 members reaches 200 consumers; each must check that
its member may still read the conversation (a member removed from a deal's team stops receiving at
once) and get the message as that member sees it. The consumers of one server process that receive
the same event within `WINDOW` join one batch: one thread hop and a constant number of queries for
all of them (the conversation, the members, the message with its attachments; a direct message's
participants), then each member's row is built in memory (the markup rendered once per variant,
`markup.render_for`).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership

from . import access, selectors
from .models import Conversation, Message

# Seconds the first socket of a batch waits for the others of its process (they wake up in the
# same turns of the event loop: the channel layer delivers the group's messages together).
WINDOW = 0.003
ACCESS = "access"


@dataclass
class _Batch:
    future: asyncio.Future
    members: set = field(default_factory=set)


_pending: dict[tuple, _Batch] = {}


async def _join(key: tuple, membership_id) -> dict:
    batch = _pending.get(key)
    if batch is None:
        loop = asyncio.get_running_loop()
        batch = _Batch(loop.create_future())
        _pending[key] = batch
        loop.create_task(_flush(key, batch))
    batch.members.add(membership_id)
    return await asyncio.shield(batch.future)


async def _flush(key: tuple, batch: _Batch) -> None:
    await asyncio.sleep(WINDOW)
    if _pending.get(key) is batch:
        del _pending[key]
    try:
        result = await database_sync_to_async(resolve)(key, frozenset(batch.members))
    except Exception as error:  # noqa: BLE001 - raised in every socket of the batch, which drops the event
        batch.future.set_exception(error)
        return
    batch.future.set_result(result)


async def may_read(tenant_id, conversation_id: str, membership_id) -> bool:
    """Whether the member may read the conversation now (typing, read markers)."""
    result = await _join((tenant_id, conversation_id, ACCESS, ""), membership_id)
    return result.get(membership_id, (False, None))[0]


async def message_for(tenant_id, conversation_id: str, message_id: str, slug: str, membership_id) -> tuple[bool, dict | None]:
    """(may read, the message as they see it or None when it is gone) for one member."""
    result = await _join((tenant_id, conversation_id, message_id, slug), membership_id)
    return result.get(membership_id, (False, None))


def resolve(key: tuple, member_ids) -> dict:
    """{membership id: (may read, message row or None)} for every member of a batch."""
    tenant_id, conversation_id, message_id, slug = key
    with tenant_context(tenant_id):
        try:
            conversation = Conversation.objects.filter(pk=uuid.UUID(str(conversation_id))).first()
        except ValueError:
            conversation = None
        if conversation is None:
            return {}
        members = list(Membership.objects.select_related("user").filter(pk__in=list(member_ids), is_active=True))
        readers = [m for m in members if m.pk in access.readers(conversation, members)]
        result: dict = {m: (False, None) for m in member_ids}
        if message_id == ACCESS:
            result.update({m.pk: (True, None) for m in readers})
            return result
        row = None
        if readers:
            row = selectors.message_values(Message.objects.filter(pk=message_id, conversation_id=conversation.pk)).first()
        for member in readers:
            message = selectors.message_rows([row], actor=member, slug=slug)[0] if row else None
            result[member.pk] = (True, message)
        return result
