"""What every page view shares: whether htmx asked for a fragment, and the domain errors that
answer as HTTP (403, 404) rather than as a message on the page's form."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from adv.tenancy import errors as domain


def is_partial(request) -> bool:
    """An htmx request for a fragment (not a history restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def raise_http(error: domain.DomainError) -> None:
    """Forbidden and not found answer 403 / 404 like any page (the same page whatever the app);
    every other domain error is the caller's to show on its form, so this returns."""
    if isinstance(error, domain.PermissionDenied):
        raise PermissionDenied(error.message)
    if isinstance(error, domain.NotFound):
        raise Http404(error.message)
