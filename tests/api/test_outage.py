"""While Redis (the shared cache) or the database is unreachable, `/api/v1/` keeps answering: the
throttles count in the process, and a call that needs the missing server gets a 503 problem."""

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from adv.api import views
from adv.api.throttling import TokenRateThrottle
from tests.api.conftest import bearer_client, make_token
from tests.api.test_authentication import assert_problem

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with a connection error.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2},
    }
}


def test_the_api_answers_while_the_shared_cache_is_down(alice, settings, caplog):
    _token, raw = make_token(alice)
    settings.CACHES = UNREACHABLE_REDIS

    response = bearer_client(raw).get("/api/v1/me/")

    assert response.status_code == 200, response.content
    assert response.json()["user"]["email"] == "alice@alpha.test"
    assert "shared cache unreachable" in caplog.text
    # the session API and anonymous calls too
    assert alice.client().get(alice.url("api/v1/me/")).status_code == 200
    assert bearer_client("adv_unknown_x").get("/api/v1/me/").status_code == 401


def test_the_fallback_still_limits_a_looping_integration(alice, settings, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {**TokenRateThrottle.THROTTLE_RATES, "token": "3/min"})
    _token, raw = make_token(alice, name="loop")
    settings.CACHES = UNREACHABLE_REDIS
    client = bearer_client(raw)

    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_an_unreachable_backing_service_is_a_503_problem_with_retry_after(alice, monkeypatch):
    _token, raw = make_token(alice)

    def down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(views.MeView, "get", down)
    response = bearer_client(raw).get("/api/v1/me/")

    body = assert_problem(response, 503, "service_unavailable")
    assert "réessayez" in body["title"]
    assert int(response["Retry-After"]) > 0
