"""Base classes of every API view: tenant-safe by construction.

Every viewset of the product derives from `TenantGenericViewSet` (or `TenantReadOnlyViewSet`);
an endpoint without a queryset (such as `me`) derives from `TenantAPIView`. Register viewsets
in `adv/api/urls.py` (section "Register here").

Tenancy (PostHog's `routing.py` lesson: fail closed from the first commit)
    The tenant is resolved before DRF runs (TenantMiddleware: from the bearer token under
    /api/v1/, from the URL under /t/<slug>/api/v1/) and the whole view runs inside its
    `tenant_context`. Subclasses must NOT override `get_queryset` or `get_object`, nor set a
    class-level `queryset`: defining any of them raises TypeError at import. They implement

        def safely_get_queryset(self) -> QuerySet:
            return client_list(actor=self.request.membership)   # a selector

    which says what the actor's role may see. The base class then adds the explicit tenant
    predicate (`tenant_field`, default `tenant_id`; e.g. `memberships__tenant_id` for a global
    model reached through memberships), checks that the request's tenant is the active one, and
    DRF's `get_object` looks the id up in that queryset only: an id of another tenant answers
    404, exactly like a missing one. There is no escape hatch: crossing tenants is not an API
    feature.

Writes
    Services are the only write path: a viewset parses the body with an input serializer, calls
    one service with `actor=request.membership`, and renders the result with an output
    serializer. Do not use DRF's ModelViewSet / `serializer.save()`. A `DomainError` raised by a
    service becomes a problem+json response with its `code` and status (400, 403, 404, 409) in
    `adv.api.exceptions`. Custom actions take `**kwargs` like any view method.

Permissions
    `permission_classes` defaults to `[IsTenantMember, RoleCanWrite]`: any active member reads;
    writes (any method but GET/HEAD/OPTIONS) need a role in `write_roles`, by default every role
    but the read-only ones (the accountant). Admin-only resources add `IsTenantAdmin` (or
    `HasRole.of(...)`). Services still check the actor's right on each object.

Listing conventions (query parameters)
    - pagination: `?page=2&page_size=100` (at most 200; default 50);
    - `filterset_class`: a django-filter FilterSet (`?role=admin&is_active=true`), in the app's
      `filters.py`;
    - `search_fields`: `?search=dupont`, case-insensitive on the listed ORM paths;
    - `ordering_fields`: public sort keys, a mapping `{"email": "user__email"}` (or a list of
      model field names); `?ordering=-created_at,email`. `ordering` is the default. The primary
      key is always added last, so that pages are stable.
    Selectors `select_related` / `prefetch_related` what the serializer shows: list endpoints run
    a constant number of queries, and a test asserts it.

The `tenant_slug` URL keyword (session API under /t/<slug>/api/v1/) is dropped before the
handler runs: the tenant is `request.tenant`, already checked.
"""

from __future__ import annotations

import uuid

from django.db.models import Model, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, mixins
from rest_framework.filters import SearchFilter
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from adv.tenancy.context import current_tenant_id
from adv.tenancy.errors import TenantContextMissing

from .filters import OrderingFilter
from .permissions import IsTenantMember, RoleCanWrite

TENANT_URL_KWARG = "tenant_slug"


def require_request_tenant(request) -> uuid.UUID:
    """The request's tenant id, after checking that it is the tenant the database sees."""
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        raise exceptions.NotAuthenticated()
    if current_tenant_id() != tenant.id:
        raise TenantContextMissing(
            f"The request's tenant {tenant.id} is not the active tenant ({current_tenant_id()}): "
            "API views must run inside the tenant context opened by TenantMiddleware."
        )
    return tenant.id


class _TenantViewMixin:
    permission_classes = [IsTenantMember, RoleCanWrite]
    # Roles that may call unsafe methods; None means every role but the read-only ones.
    write_roles: tuple[str, ...] | None = None

    def dispatch(self, request, *args, **kwargs):
        kwargs.pop(TENANT_URL_KWARG, None)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        require_request_tenant(request)


class TenantAPIView(_TenantViewMixin, APIView):
    """An endpoint without a queryset, run as the request's member in the request's tenant."""


class TenantGenericViewSet(_TenantViewMixin, GenericViewSet):
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    # ORM path from the listed model to its tenant id, always added to the queryset.
    tenant_field: str = "tenant_id"
    # Optional: the listed model, for the OpenAPI schema (default: the serializer's model).
    model: type[Model] | None = None
    ordering_fields: dict[str, str] | list[str] = {}
    search_fields: list[str] = []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in ("get_queryset", "get_object"):
            if getattr(cls, name) is not getattr(TenantGenericViewSet, name):
                raise TypeError(
                    f"{cls.__module__}.{cls.__qualname__} overrides {name}(): implement "
                    "safely_get_queryset(self) instead; the base class scopes it to the request's tenant."
                )
        if getattr(cls, "queryset", None) is not None:
            raise TypeError(
                f"{cls.__module__}.{cls.__qualname__} sets a class-level queryset: return it from "
                "safely_get_queryset(self) instead."
            )

    def safely_get_queryset(self) -> QuerySet:
        """What the actor may see, already joined for the serializer. Runs in the tenant context."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement safely_get_queryset(self).")

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no request, no tenant
            return self._schema_model()._base_manager.none()
        tenant_id = require_request_tenant(self.request)
        return self.safely_get_queryset().filter(**{self.tenant_field: tenant_id})

    def get_object(self):
        # DRF's lookup, always in the tenant-scoped queryset above (404 for other tenants' ids).
        return super().get_object()

    def _schema_model(self) -> type[Model]:
        if self.model is not None:
            return self.model
        return self.get_serializer_class().Meta.model


class TenantReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """`GET /things/` and `GET /things/<id>/`."""
