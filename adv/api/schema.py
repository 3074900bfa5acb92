"""OpenAPI schema (drf-spectacular): security schemes, error responses, the endpoints it covers.

Loaded by `ApiConfig.ready()` so that the extensions are registered before any schema is built.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.permissions import AllowAny

API_PATH_PREFIX = "/api/v1/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "adv.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "adv_<8 caractères>_<secret>",
            "description": (
                "An API token, bound to one membership (hence one tenant and one role). Create it in "
                "the application; it is shown once. Header: `Authorization: Bearer adv_…`."
            ),
        }


class TenantSessionScheme(OpenApiAuthenticationExtension):
    target_class = "adv.api.authentication.TenantSessionAuthentication"
    name = "sessionAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": (
                "The application's session, only under /t/<tenant-slug>/api/v1/ (browsable API); "
                "writes need the X-CSRFToken header."
            ),
        }


class AutoSchema(openapi.AutoSchema):
    """Documents the problem+json error responses that every operation may return."""

    def _problem_statuses(self) -> dict[str, str]:
        statuses: dict[str, str] = {}
        if self.method in ("POST", "PUT", "PATCH"):
            statuses["400"] = "Invalid data (`validation_error`, with `errors` per field) or a business rule."
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            statuses["401"] = "No credentials, or a malformed, unknown, expired or revoked token (`not_authenticated`, `invalid_token`)."
            statuses["403"] = "The role does not allow it (`role_required`, `role_cannot_write`, `permission_denied`, ...)."
        if "{" in self.path:
            statuses["404"] = "No such object in this tenant (`not_found`); another tenant's objects answer the same."
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            statuses["409"] = "Conflicts with the object's state (a code specific to the rule, e.g. `last_admin`)."
        if self.view.get_throttles():
            statuses["429"] = "Too many requests (`throttled`): retry after the Retry-After header."
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        from .serializers import ProblemSerializer

        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        for status_code, description in self._problem_statuses().items():
            responses.setdefault(
                status_code,
                {"content": {PROBLEM_CONTENT_TYPE: {"schema": problem}}, "description": description},
            )
        return responses


def bearer_api_endpoints_only(endpoints, **kwargs):
    """Preprocessing hook: document /api/v1/ once. The session API under /t/<slug>/api/v1/ serves
    the same operations, and nothing outside /api/v1/ is part of the API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PATH_PREFIX)]
