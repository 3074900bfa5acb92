"""Rate limits of the API (rates in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]).

- `anon` (DRF's AnonRateThrottle): requests with no identity (schema, docs, failed logins), per IP.
- `user` (`SessionUserRateThrottle`): people using the session API, per user.
- `token` (`TokenRateThrottle`): integrations, per API token. One integration that loops cannot
  starve the others, nor the person whose membership the token belongs to.
"""

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from .models import ApiToken


def _api_token(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        token = _api_token(request)
        if token is None:
            return None  # not a token request: the user/anon throttles apply
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class SessionUserRateThrottle(UserRateThrottle):
    """DRF's per-user throttle, minus token requests (counted per token above)."""

    def get_cache_key(self, request, view):
        if _api_token(request) is not None:
            return None
        return super().get_cache_key(request, view)
