"""Rate limits of the API (rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

- `anon` (DRF's AnonRateThrottle): requests with no identity (schema, docs, failed logins), per IP.
- `user` (`SessionUserRateThrottle`): people using the session API, per user.
- `token` (`TokenRateThrottle`): integrations, per API token. One integration that loops cannot
  starve the others, nor the person whose membership the token belongs to.

The counters live in the shared cache (Redis). While it is unreachable the API keeps answering:
each throttle falls back to a per-process counter (still a limit, per web process) and logs it,
rather than turning every request into a 500.
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from redis.exceptions import RedisError
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from .models import ApiToken

logger = logging.getLogger(__name__)

# Counters kept in this process while the shared cache is down.
_fallback_cache = LocMemCache("adv-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})


class FailOpenMixin:
    """Count in this process when the shared cache cannot be reached."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError) as error:
            logger.warning(
                "API throttling: shared cache unreachable (%s), counting in this process",
                type(error).__name__,
                extra={"metric": "api_throttle_cache_unavailable"},
            )
            self.cache = _fallback_cache
            return super().allow_request(request, view)


class AnonThrottle(FailOpenMixin, AnonRateThrottle):
    pass


def _api_token(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class TokenRateThrottle(FailOpenMixin, SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        token = _api_token(request)
        if token is None:
            return None  # not a token request: the user/anon throttles apply
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class SessionUserRateThrottle(FailOpenMixin, UserRateThrottle):
    """DRF's per-user throttle, minus token requests (counted per token above)."""

    def get_cache_key(self, request, view):
        if _api_token(request) is not None:
            return None
        return super().get_cache_key(request, view)
