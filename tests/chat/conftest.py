"""Fixtures of the chat tests: the deals tests' members of every role and their deal helper, on
an in-memory channel layer (no live events leave the test)."""

from __future__ import annotations

import pytest

from tests.deals.conftest import (  # noqa: F401 (fixtures)
    adv,
    client_a,
    contractor,
    deal_requirements,
    doc_types,
    make_deal,
    make_member,
    manager,
    media,
    pm,
    sales,
)


@pytest.fixture(autouse=True)
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture(autouse=True)
def _presence_on_test_redis(monkeypatch):
    """Presence in a dict instead of Redis (the unit tests must not depend on the machine's Redis)."""
    from chat import presence

    store: dict = {}

    class FakePipe:
        def __init__(self):
            self.ops = []

        def hset(self, key, field, value):
            self.ops.append(("hset", key, field, value))

        def expire(self, key, ttl):
            pass

        def hgetall(self, key):
            self.ops.append(("hgetall", key))

        def execute(self):
            out = []
            for op in self.ops:
                if op[0] == "hset":
                    store.setdefault(op[1], {})[op[2].encode()] = op[3].encode()
                    out.append(1)
                else:
                    out.append(dict(store.get(op[1], {})))
            return out

    class Fake:
        def pipeline(self):
            return FakePipe()

        def hget(self, key, field):
            return store.get(key, {}).get(field.encode())

        def hdel(self, key, field):
            store.get(key, {}).pop(field.encode(), None)

    monkeypatch.setattr(presence, "_client", lambda: Fake())
    return store
