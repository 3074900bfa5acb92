"""The chat's reads at size (issue 14), each beside its floor. Run by `python -m benchmarks`, or
alone: `python -m benchmarks.chat_bench` (BENCH_SCALE, BENCH_REPEAT; BENCH_REQUESTS, default 50).

On a firm of its own: one channel with 10,000 messages (× scale) and a member following 500
conversations (× scale), each with its last message and an unread count.

- chat_history: the first page of the 10,000-message thread as its reader sees it
  (`chat.selectors.messages_page`: the messages, their attachments, the markup rendered for the
  reader), p95 of BENCH_REQUESTS calls.
- chat_list: the member's conversation list and top bar badge (`conversation_rows` +
  `unread_total`), p95.
- floor: the same SQL statements (captured once) run again bare on the same connection, in a
  transaction with the firm set (row-level security applies), median of BENCH_REPEAT.
Query counts are constant (asserted in tests/chat/test_api_and_pages.py at two sizes).
"""

from __future__ import annotations

import datetime
import os
import sys
import time

from benchmarks.cockpit_bench import _p95, _sql_floor
from benchmarks.harness import analyze, bench_line, flush, standalone

OLD = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def _firm(scale: float):
    from django.contrib.auth import get_user_model

    from adv.tenancy.context import tenant_context
    from adv.tenancy.models import Membership, Tenant
    from chat.models import Conversation, ConversationKind, Message, Participant

    tenant = Tenant.objects.create(slug="chat-bench", name="Chat Bench")
    users = get_user_model().objects.bulk_create([
        get_user_model()(email=f"{name}@chat-bench.test", first_name=name.title()) for name in ("adv", "sales")
    ])
    with tenant_context(tenant):
        adv = Membership.objects.create(user=users[0], role="adv", clearance_level=4)
        sales = Membership.objects.create(user=users[1], role="sales")
        messages = max(100, int(10_000 * scale))
        threads = max(10, int(500 * scale))
        big = Conversation.objects.create(kind=ConversationKind.CHANNEL, title="general")
        Participant.objects.bulk_create([Participant(tenant_id=tenant.id, conversation=big, membership=m) for m in (adv, sales)])
        for start in range(0, messages, 2000):
            Message.objects.bulk_create([
                Message(tenant_id=tenant.id, conversation=big, author=sales, created_at=OLD,
                        body=f"Message {i} : le **bon de commande** arrive, voir @adv https://example.test/{i}")
                for i in range(start, min(messages, start + 2000))
            ])
        conversations = Conversation.objects.bulk_create([
            Conversation(tenant_id=tenant.id, kind=ConversationKind.CHANNEL, title=f"canal-{i}") for i in range(threads)
        ])
        lasts = Message.objects.bulk_create([
            Message(tenant_id=tenant.id, conversation=c, author=sales, body=f"Dernier message {i}", created_at=OLD)
            for i, c in enumerate(conversations)
        ])
        for conversation, last in zip(conversations, lasts, strict=True):
            conversation.last_message, conversation.last_message_at = last, last.created_at
        Conversation.objects.bulk_update(conversations, ["last_message", "last_message_at"])
        Participant.objects.bulk_create([
            Participant(tenant_id=tenant.id, conversation=c, membership=adv, unread_count=i % 3) for i, c in enumerate(conversations)
        ])
    return tenant, adv, big


def _measure(name: str, func, tenant, requests: int, repeat: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from adv.tenancy.context import tenant_context

    with tenant_context(tenant):
        func()  # warm
        with CaptureQueriesContext(connection) as captured:
            func()
        statements = [q["sql"] for q in captured.captured_queries]
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
    floor = _sql_floor(statements, tenant.id, repeat)
    return bench_line(name, _p95(times), "ms", floor) + f" queries={len(statements)}"


def run(scale: float, repeat: int) -> list[str]:
    from chat import selectors

    requests = int(os.environ.get("BENCH_REQUESTS", "50"))
    flush()
    try:
        tenant, adv, big = _firm(scale)
        analyze()
        adv.user.email = "adv@chat-bench.test"
        lines = [
            _measure("chat_history", lambda: selectors.messages_page(actor=adv, conversation=big, slug="chat-bench"), tenant,
                     requests, repeat),
            _measure("chat_list", lambda: (selectors.conversation_rows(actor=adv), selectors.unread_total(actor=adv)), tenant,
                     requests, repeat),
        ]
    finally:
        flush()
    return lines


if __name__ == "__main__":
    sys.exit(standalone(run))
