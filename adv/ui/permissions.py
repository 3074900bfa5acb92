"""Role checks for tenant pages. The tenant middleware has already checked membership."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from adv.tenancy.models import Role


def require_role(*roles: str) -> Callable:
    """The view answers 403 unless the member's role is one of `roles` (no role: any member).

    Outside a tenant (no membership on the request) it answers 404, like an unknown firm.
    """
    allowed = frozenset(roles)
    unknown = allowed - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404(_("Cette page n'existe pas."))
            if allowed and membership.role not in allowed:
                raise PermissionDenied(_("Cette page est réservée aux rôles : %(roles)s.") % {
                    "roles": ", ".join(str(Role(r).label) for r in sorted(allowed))
                })
            return view(request, *args, **kwargs)

        wrapper.required_roles = allowed
        return wrapper

    return decorator


require_member = require_role()
require_admin = require_role(Role.ADMIN)
