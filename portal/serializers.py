"""REST shapes of the portal's staff API: a client's contacts with portal access."""

from rest_framework import serializers

from adv.api.serializers import TenantPrimaryKeyRelatedField
from clients.models import Contact

from .models import PortalContact


class PortalContactSerializer(serializers.ModelSerializer):
    contact_name = serializers.SerializerMethodField()

    class Meta:
        model = PortalContact
        fields = [
            "id", "contact", "contact_name", "client", "email", "sees_group", "status", "invited_at", "revoked_at",
            "last_login_at", "totp_enabled", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_contact_name(self, obj) -> str:
        return str(obj.contact)


class PortalContactInviteSerializer(serializers.Serializer):
    contact = TenantPrimaryKeyRelatedField(Contact)
    sees_group = serializers.BooleanField(required=False, default=False)
