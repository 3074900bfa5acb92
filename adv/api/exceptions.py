"""Every API error as `application/problem+json` (RFC 9457) with a stable `code`."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler, set_rollback

from adv.tenancy.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
RETRY_AFTER_OUTAGE = 30  # seconds: a database failover or a Redis restart

logger = logging.getLogger(__name__)


def _problem(status_code: int, code: str, title: str, detail=None, errors=None, context=None) -> Response:
    body = {"type": f"https://adv.invalid/problems/{code}", "title": title, "status": status_code, "code": code}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    request = (context or {}).get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and getattr(renderer, "format", None) == "api":
        # The browsable API renders the problem inside its HTML page: keep its content type.
        return Response(body, status=status_code)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        problem = _problem(exc.status, exc.code, exc.message or exc.code, errors=exc.field_errors(), context=context)
        problem.data.update(exc.problem_extensions())
        return problem
    if isinstance(exc, OperationalError | InterfaceError | RedisError):
        # A server we depend on is unreachable: the client may retry, and must be told so.
        logger.error("API call failed, a backing service is unreachable: %r", exc)
        set_rollback()
        problem = _problem(
            status.HTTP_503_SERVICE_UNAVAILABLE, "service_unavailable",
            str(_("Service momentanément indisponible, réessayez dans un instant.")), context=context,
        )
        problem["Retry-After"] = str(RETRY_AFTER_OUTAGE)
        return problem
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        problem = _problem(
            status.HTTP_400_BAD_REQUEST, "validation_error", str(_("Données invalides.")), errors=errors, context=context
        )
    else:
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        detail = getattr(exc, "detail", "")
        problem = _problem(response.status_code, code, str(detail), context=context)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            problem[header] = response[header]
    return problem
