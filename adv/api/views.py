"""The core resources: me, memberships, users, invitations, tokens. Thin: parse, call one
service or selector, render. See `adv.api.viewsets` for the conventions.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from adv.tenancy import services as tenancy_services
from adv.tenancy.models import Role
from adv.users.services import user_update_profile

from . import selectors, services
from .errors import ApiErrorCode
from .filters import ApiTokenFilter, InvitationFilter, MembershipFilter, UserFilter
from .models import ApiToken
from .permissions import ALL_ROLES, IsTenantAdmin, IsTenantMember, RoleCanWrite
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    MembershipSerializer,
    MembershipUpdateSerializer,
    MeSerializer,
    MeUpdateSerializer,
    UserSerializer,
)
from .viewsets import TenantAPIView, TenantGenericViewSet, TenantReadOnlyViewSet

User = get_user_model()


# --- me -------------------------------------------------------------------------------------------


class MeView(TenantAPIView):
    """The caller: user, membership and tenant of this request (and the token in use, if any)."""

    write_roles = ALL_ROLES  # one's own profile

    @staticmethod
    def _payload(request, user) -> dict:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return MeSerializer({"user": user, "membership": request.membership, "tenant": request.tenant, "token": token}).data

    @extend_schema(operation_id="me_retrieve", responses=MeSerializer, tags=["me"])
    def get(self, request, *args, **kwargs):
        return Response(self._payload(request, request.user))

    @extend_schema(operation_id="me_partial_update", request=MeUpdateSerializer, responses=MeSerializer, tags=["me"])
    def patch(self, request, *args, **kwargs):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = request.user
        changes = serializer.validated_data
        user = user_update_profile(
            user=user,
            first_name=changes.get("first_name", user.first_name),
            last_name=changes.get("last_name", user.last_name),
            language=changes.get("language", user.language),
        )
        return Response(self._payload(request, user))


# --- memberships -------------------------------------------------------------------------------------


@extend_schema_view(
        partial_update=extend_schema(request=MembershipUpdateSerializer, responses=MembershipSerializer),
)
class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Admins, ADV and managers see every member of the tenant; other roles see themselves.
    Only admins change a membership (role, clearance level, manager, active flag)."""

    serializer_class = MembershipSerializer
    write_roles = (Role.ADMIN,)
    filterset_class = MembershipFilter
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    ordering_fields = {
        "email": "user__email",
        "first_name": "user__first_name",
        "last_name": "user__last_name",
        "role": "role",
        "created_at": "created_at",
    }
    ordering = ["user__email"]

    def safely_get_queryset(self):
        return selectors.membership_list(actor=self.request.membership)

    def partial_update(self, request, *args, **kwargs):
        membership = self.get_object()
        serializer = MembershipUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        membership = tenancy_services.membership_update(
            actor=request.membership, membership=membership, **serializer.validated_data
        )
        return Response(MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data)


# --- users -----------------------------------------------------------------------------------------------


class UserViewSet(TenantReadOnlyViewSet):
    """The users who hold a membership in this tenant (admins only)."""

    serializer_class = UserSerializer
    permission_classes = [IsTenantMember, IsTenantAdmin, RoleCanWrite]
    # User is global: the tenant is reached through the user's memberships.
    tenant_field = "memberships__tenant_id"
    filterset_class = UserFilter
    search_fields = ["email", "first_name", "last_name"]
    ordering_fields = {"email": "email", "first_name": "first_name", "last_name": "last_name", "created_at": "created_at"}
    ordering = ["email"]

    def safely_get_queryset(self):
        # Every user, narrowed by the base class to those with a membership here (tenant_field).
        return User.objects.all()


# --- invitations ------------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer}),
    revoke=extend_schema(request=None, responses=InvitationSerializer),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Invitations to join the tenant (admins only). Creating one emails a single-use link."""

    serializer_class = InvitationSerializer
    permission_classes = [IsTenantMember, IsTenantAdmin, RoleCanWrite]
    filterset_class = InvitationFilter
    search_fields = ["email"]
    ordering_fields = {"created_at": "created_at", "email": "email", "expires_at": "expires_at"}
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return selectors.invitation_list(actor=self.request.membership)

    def create(self, request, *args, **kwargs):
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, _raw = tenancy_services.invitation_create(actor=request.membership, **serializer.validated_data)
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        invitation = tenancy_services.invitation_revoke(actor=request.membership, invitation=self.get_object())
        return Response(InvitationSerializer(self.get_queryset().get(pk=invitation.pk)).data)


# --- API tokens --------------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
        description="Create a token for your own membership. The raw token appears in this response only. "
        "Session API only (/t/<tenant-slug>/api/v1/): a token cannot create another token.",
    ),
    revoke=extend_schema(request=None, responses=ApiTokenSerializer),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Your own API tokens; admins see and revoke every token of the tenant."""

    serializer_class = ApiTokenSerializer
    write_roles = ALL_ROLES  # one's own tokens
    filterset_class = ApiTokenFilter
    search_fields = ["name", "prefix"]
    ordering_fields = {"created_at": "created_at", "name": "name", "last_used_at": "last_used_at", "expires_at": "expires_at"}
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return selectors.api_token_list(actor=self.request.membership)

    def create(self, request, *args, **kwargs):
        if request.api_token is not None:
            # A leaked token must not be able to mint its own successors.
            raise exceptions.PermissionDenied(
                _("Un jeton d'API ne peut pas créer d'autre jeton : créez-le depuis l'application."),
                code=ApiErrorCode.SESSION_REQUIRED,
            )
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, raw = services.api_token_create(
            actor=request.membership, second_factor_verified=request.user.is_verified(), **serializer.validated_data
        )
        token = self.get_queryset().get(pk=token.pk)
        token.raw_token = raw
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        token = services.api_token_revoke(actor=request.membership, token=self.get_object())
        return Response(ApiTokenSerializer(self.get_queryset().get(pk=token.pk)).data)


# --- unknown addresses under /api/v1/ ------------------------------------------------------------------------


class ApiNotFoundView(APIView):
    """Any other address under /api/v1/: 404 as problem+json (401 first, without credentials)."""

    schema = None  # not an operation
    permission_classes = [IsTenantMember]

    def _not_found(self, request, *args, **kwargs):
        detail = gettext_lazy("Aucune ressource à cette adresse.")
        path = request.path_info
        if not path.endswith("/"):
            try:
                match = resolve(path + "/")
            except Resolver404:
                match = None
            if match is not None and match.url_name != "not-found":
                detail = _("Aucune ressource à cette adresse. Vouliez-vous dire %(path)s ?") % {"path": request.path + "/"}
        raise exceptions.NotFound(detail)

    get = post = put = patch = delete = head = options = _not_found
