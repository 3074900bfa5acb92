"""The chat's live fan-out (issue 14): `chat_fanout`. Run by `python -m benchmarks`, or alone:
`python -m benchmarks.chat_fanout_bench` (BENCH_SCALE; BENCH_CLIENTS, default 200;
BENCH_MESSAGES, default 50).

The product as `make run` starts it (`product_bench.Product`: uvicorn with its workers, the
Celery worker, beat) on the bench database and Redis. A firm of BENCH_CLIENTS members, all in one
channel, each with a WebSocket on /ws/t/<firm>/chat/ (a logged-in session) subscribed to it, plus
10 other firms with one idle socket each. BENCH_MESSAGES messages are posted in the channel (by
turns of authors: the rate limit is per member), one at a time: the time from the post (this
process, `chat.services.message_post`: its transaction, then the event) until the last socket has
the message; median and p95.

Floor: the same fan-out with no Django code: BENCH_CLIENTS channels of the same Redis channel
layer in one group, one `group_send` of an event of the same size, until the last channel has it
(p95 over the same number of sends). Target: p95 ≤ 3 × floor.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import analyze, bench_line, flush, standalone
from benchmarks.product_bench import Product

IDLE_FIRMS = 10


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _session(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _firms(clients: int):
    from django.contrib.auth import get_user_model

    from adv.tenancy.context import tenant_context
    from adv.tenancy.models import Membership, Tenant
    from chat.models import Conversation, ConversationKind, Participant

    user_model = get_user_model()
    tenant = Tenant.objects.create(slug="chat-fanout", name="Chat Fanout")
    users = user_model.objects.bulk_create([user_model(email=f"m{i}@chat-fanout.test", first_name=f"M{i}") for i in range(clients)])
    with tenant_context(tenant):
        members = Membership.objects.bulk_create([
            Membership(tenant_id=tenant.id, user=user, role="adv" if i == 0 else "sales") for i, user in enumerate(users)
        ])
        channel = Conversation.objects.create(kind=ConversationKind.CHANNEL, title="general")
        Participant.objects.bulk_create([Participant(tenant_id=tenant.id, conversation=channel, membership=m) for m in members])
    idle = []
    for n in range(IDLE_FIRMS):
        other = Tenant.objects.create(slug=f"chat-idle-{n}", name=f"Idle {n}")
        user = user_model.objects.create(email=f"idle{n}@chat-idle.test")
        with tenant_context(other):
            Membership.objects.create(user=user, role="adv")
        idle.append((other.slug, user))
    return tenant, members, channel, idle


async def _socket(url: str, origin: str, cookie: str, *, subscribe: str | None, arrived: dict, ready: asyncio.Event, count):
    import websockets

    async with websockets.connect(url, additional_headers={"Cookie": f"sessionid={cookie}", "Origin": origin},
                                  max_size=None, open_timeout=60) as ws:
        if subscribe:
            await ws.send(json.dumps({"action": "subscribe", "conversation": subscribe, "after": None}))
        async for raw in ws:
            data = json.loads(raw)
            if data.get("type") == "subscribed" or (not subscribe and data.get("type") == "unread"):
                if count():
                    ready.set()
            elif data.get("type") == "message" and data.get("action") == "new":
                seq = data["message"]["seq"]
                arrived.setdefault(seq, []).append(time.perf_counter())


async def _fanout(product, tenant, members, channel, idle, messages: int) -> list[float]:
    from django.db import close_old_connections

    from adv.tenancy.context import tenant_context
    from chat import services

    origin = product.url
    ws_base = product.url.replace("http://", "ws://").replace("https://", "wss://")
    cookies = await asyncio.to_thread(lambda: [_session(m.user) for m in members])
    idle_cookies = await asyncio.to_thread(lambda: [(slug, _session(user)) for slug, user in idle])
    expected = len(members) + len(idle)
    connected = {"n": 0}
    ready = asyncio.Event()

    def count() -> bool:
        connected["n"] += 1
        return connected["n"] >= expected

    arrived: dict[int, list[float]] = {}
    tasks = []
    for cookie in cookies:
        tasks.append(asyncio.create_task(_socket(f"{ws_base}/ws/t/{tenant.slug}/chat/", origin, cookie, subscribe=str(channel.pk),
                                                 arrived=arrived, ready=ready, count=count)))
        await asyncio.sleep(0.01)
    for slug, cookie in idle_cookies:
        tasks.append(asyncio.create_task(_socket(f"{ws_base}/ws/t/{slug}/chat/", origin, cookie, subscribe=None,
                                                 arrived=arrived, ready=ready, count=count)))
    await asyncio.wait_for(ready.wait(), 300)
    await asyncio.sleep(2)  # the connections' own unread events settle

    def post(i: int):
        author = members[i % 20]
        with tenant_context(tenant):
            message = services.message_post(actor=author, conversation_id=channel.pk, body=f"Message {i} : le **BDC** arrive")
        close_old_connections()
        return message.seq

    times = []
    try:
        for i in range(messages):
            start = time.perf_counter()
            seq = await asyncio.to_thread(post, i)
            deadline = time.perf_counter() + 30
            while len(arrived.get(seq, [])) < len(members) and time.perf_counter() < deadline:
                await asyncio.sleep(0.001)
            got = arrived.get(seq, [])
            if len(got) < len(members):
                raise RuntimeError(f"message {i}: {len(got)} of {len(members)} sockets had it after 30 s")
            times.append((max(got) - start) * 1000)
            await asyncio.sleep(0.2)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return times


async def _floor(clients: int, sends: int) -> list[float]:
    """The same fan-out with no Django code: channel-layer channels in one group, one group_send."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    group = "bench.fanout.floor"
    channels = [await layer.new_channel() for _ in range(clients)]
    for name in channels:
        await layer.group_add(group, name)
    times = []
    try:
        for i in range(sends):
            start = time.perf_counter()
            await layer.group_send(group, {"type": "chat.message", "conversation": "x" * 36, "message": "y" * 36, "n": i})
            await asyncio.gather(*(layer.receive(name) for name in channels))
            times.append((time.perf_counter() - start) * 1000)
    finally:
        for name in channels:
            await layer.group_discard(group, name)
    return times


def run(scale: float, repeat: int) -> list[str]:
    from django.conf import settings

    clients = int(os.environ.get("BENCH_CLIENTS", "200"))
    messages = int(os.environ.get("BENCH_MESSAGES", "50"))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    flush()
    product = None
    try:
        tenant, members, channel, idle = _firms(clients)
        analyze()
        product = Product(Path(tempfile.mkdtemp(prefix="adv-bench-chat-")))
        times = asyncio.run(_fanout(product, tenant, members, channel, idle, messages))
        floor = asyncio.run(_floor(clients, messages))
        print(
            f"# chat_fanout: {clients} sockets (+{IDLE_FIRMS} idle firms), {messages} messages: median "
            f"{statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms; floor median {statistics.median(floor):.1f} ms, "
            f"p95 {_p95(floor):.1f} ms",
            flush=True,
        )
        return [bench_line("chat_fanout", _p95(times), "ms_p95", _p95(floor)) + f" median={statistics.median(times):.1f}"]
    finally:
        if product is not None:
            product.stop()
        flush()


if __name__ == "__main__":
    sys.exit(standalone(run))
