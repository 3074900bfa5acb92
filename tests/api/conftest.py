"""Fixtures of the API tests: bearer-token clients for the personas, a clean throttle cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Throttle counters live in the (locmem) cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()


def make_token(persona, name: str = "integration", **kwargs):
    """(ApiToken, raw token) for the persona's membership, created through the service."""
    with tenant_context(persona.tenant):
        return api_token_create(actor=persona.membership, name=name, **kwargs)


def bearer_client(raw_token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")


@pytest.fixture
def alice_api(alice) -> Client:
    _token, raw = make_token(alice)
    return bearer_client(raw)


@pytest.fixture
def bob_api(bob) -> Client:
    _token, raw = make_token(bob)
    return bearer_client(raw)


@pytest.fixture
def carol_api(carol) -> Client:
    _token, raw = make_token(carol)
    return bearer_client(raw)

