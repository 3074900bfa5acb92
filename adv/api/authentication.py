"""DRF authentication on top of the tenant resolution done by TenantMiddleware."""

from rest_framework.authentication import BaseAuthentication, SessionAuthentication


class BearerTokenAuthentication(BaseAuthentication):
    """The middleware has already checked the token and entered its tenant."""

    def authenticate(self, request):
        token = getattr(request._request, "api_token", None)
        if token is None:
            return None
        return (token.membership.user, token)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TenantSessionAuthentication(SessionAuthentication):
    """Session auth only under /t/<slug>/api/v1/, where the URL names the tenant."""

    def authenticate(self, request):
        if getattr(request._request, "tenant", None) is None:
            return None
        return super().authenticate(request)
