"""What the layout (templates/base.html) needs on every page: the firm, the member, the
sidebar navigation and the user's other firms (tenant switcher).

Everything that queries the database is lazy: a page that does not show it pays nothing,
and the 500 page, rendered without this processor, never touches the database.
"""

from django.utils.functional import SimpleLazyObject

from .navigation import navigation_for
from .selectors import user_firms


def shell(request):
    tenant = getattr(request, "tenant", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)

    def _firms():
        if user is None or not user.is_authenticated:
            return []
        return user_firms(user=user)

    def _navigation():
        if tenant is None or membership is None:
            return []
        return navigation_for(role=membership.role, tenant_slug=tenant.slug, path=request.path)

    return {
        "tenant": tenant,
        "membership": membership,
        "is_tenant_admin": membership is not None and membership.is_admin,
        "user_firms": SimpleLazyObject(_firms),
        "nav_sections": SimpleLazyObject(_navigation),
    }
