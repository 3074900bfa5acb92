"""Serializers of the webhooks API: endpoints (the secret only in the answers that create or
rotate it), deliveries (the log)."""

from __future__ import annotations

from rest_framework import serializers

from .event_types import EVENT_TYPES
from .models import Delivery, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)))
    created_by = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())

    class Meta:
        model = Endpoint
        fields = [
            "id", "url", "description", "event_types", "is_enabled", "disabled_reason", "disabled_at",
            "secret_rotated_at", "previous_secret_expires_at", "failing_since", "last_success_at", "created_by",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret (whsec_…): in this answer only, never shown again."
    )

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


class EndpointWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="http(s) URL, reachable from the Internet.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=list(EVENT_TYPES)), allow_empty=False)
    is_enabled = serializers.BooleanField(required=False)


class EndpointUpdateSerializer(EndpointWriteSerializer):
    url = serializers.CharField(max_length=2000, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)), allow_empty=False, required=False
    )


class DeliverySerializer(serializers.ModelSerializer):
    endpoint = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    event = serializers.PrimaryKeyRelatedField(
        read_only=True, pk_field=serializers.UUIDField(), help_text="The event's id: the webhook-id header."
    )
    event_type = serializers.CharField(source="event.type", read_only=True)
    replay_of = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField(), allow_null=True)

    class Meta:
        model = Delivery
        fields = [
            "id", "endpoint", "event", "event_type", "status", "attempts", "next_attempt_at", "last_attempt_at",
            "response_status", "response_body", "duration_ms", "error", "replay_of", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
