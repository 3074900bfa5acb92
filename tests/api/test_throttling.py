"""Integrations are throttled per token: one that loops cannot starve the others."""

import pytest

from adv.api.throttling import SessionUserRateThrottle, TokenRateThrottle
from tests.api.conftest import bearer_client, make_token
from tests.api.test_authentication import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_per_minute(monkeypatch):
    rates = {**TokenRateThrottle.THROTTLE_RATES, "token": "3/min", "user": "3/min"}
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(SessionUserRateThrottle, "THROTTLE_RATES", rates)


def test_a_busy_token_is_throttled_alone(alice, three_per_minute):
    # given two integrations of the same member
    _busy, busy_raw = make_token(alice, name="busy")
    _quiet, quiet_raw = make_token(alice, name="quiet")
    busy = bearer_client(busy_raw)
    # when the first one spends its allowance
    for _ in range(3):
        assert busy.get("/api/v1/me/").status_code == 200
    # then it is throttled, with a problem document and a Retry-After
    response = busy.get("/api/v1/me/")
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # and the other integration, and the person's session, are not
    assert bearer_client(quiet_raw).get("/api/v1/me/").status_code == 200
    assert alice.client().get(alice.url("api/v1/me/")).status_code == 200


def test_session_requests_are_throttled_per_user(alice, bob, three_per_minute):
    client = alice.client()
    for _ in range(3):
        assert client.get(alice.url("api/v1/me/")).status_code == 200
    assert_problem(client.get(alice.url("api/v1/me/")), 429, "throttled")
    assert bob.client().get(bob.url("api/v1/me/")).status_code == 200
