"""Serializers of the core resources. Output serializers show rows; input serializers only
parse and validate the request body, then the view calls a service (the only write path).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adv.tenancy.models import ClearanceLevel, Invitation, Membership, Role, Tenant

from .filters import INVITATION_STATUS_CHOICES, TOKEN_STATUS_CHOICES
from .models import ApiToken

User = get_user_model()


class TenantPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference (by UUID) to a row of the request's tenant.

    The queryset is the model's scoped manager, read at validation time (inside the request's
    tenant context): an id of another tenant is "does not exist", like a missing one.
    """

    def __init__(self, model, **kwargs):
        self.model = model
        kwargs.setdefault("pk_field", serializers.UUIDField())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.all()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem document (schema only): every error of the API has this shape."""

    type = serializers.CharField(help_text="A URI naming the kind of error.")
    title = serializers.CharField(help_text="A human-readable summary, in the caller's language.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `not_found`, `validation_error`, `last_admin`.")
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field (validation errors).",
    )


# --- Users, tenants, memberships -----------------------------------------------------------------


class UserSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name"]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "language", "is_active", "created_at"]
        read_only_fields = fields


class TenantSummarySerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(read_only=True, help_text="IANA time zone, e.g. Europe/Paris.")

    class Meta:
        model = Tenant
        fields = ["id", "slug", "name", "legal_name", "time_zone", "language"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    reports_to = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "role_display", "clearance_level", "reports_to", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class MembershipUpdateSerializer(serializers.Serializer):
    """PATCH body: only the fields sent are changed."""

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    clearance_level = serializers.ChoiceField(choices=ClearanceLevel.choices, required=False)
    reports_to = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


# --- me ---------------------------------------------------------------------------------------------


class MeMembershipSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    reports_to = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())

    class Meta:
        model = Membership
        fields = ["id", "role", "role_display", "clearance_level", "reports_to", "is_active"]
        read_only_fields = fields


class MeTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "expires_at"]
        read_only_fields = fields


class MeSerializer(serializers.Serializer):
    """The caller: their user, their membership in the request's tenant, the tenant, and the
    API token in use (null under session authentication)."""

    user = UserSerializer(read_only=True)
    membership = MeMembershipSerializer(read_only=True)
    tenant = TenantSummarySerializer(read_only=True)
    token = MeTokenSerializer(read_only=True, allow_null=True)


class MeUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


# --- Invitations ------------------------------------------------------------------------------------


class InvitationSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    invited_by = UserSummarySerializer(read_only=True, allow_null=True)
    reports_to = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())

    class Meta:
        model = Invitation
        fields = [
            "id", "email", "role", "clearance_level", "reports_to", "invited_by", "status",
            "created_at", "expires_at", "accepted_at", "revoked_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=INVITATION_STATUS_CHOICES))
    def get_status(self, invitation: Invitation) -> str:
        return invitation.status


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    clearance_level = serializers.ChoiceField(choices=ClearanceLevel.choices, default=ClearanceLevel.PUBLIC)
    reports_to = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True, default=None)


# --- API tokens ---------------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    membership = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    user = UserSummarySerializer(source="membership.user", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "membership", "user", "status", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TOKEN_STATUS_CHOICES))
    def get_status(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return "revoked"
        if token.expires_at is not None and token.expires_at <= timezone.now():
            return "expired"
        return "active"


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        source="raw_token",  # set by the view on the instance it just created; never stored
        read_only=True,
        help_text="The raw token, shown in this response only: the server keeps its SHA-256 alone.",
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
