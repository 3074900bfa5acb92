"""REST shapes of the chat: thin input serializers (the services check the rules) and the output
of the selectors' rows, documented for the OpenAPI schema."""

from __future__ import annotations

from rest_framework import serializers

from .models import ObjectType


class ConversationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    title = serializers.CharField()
    object_type = serializers.CharField(allow_null=True)
    object_id = serializers.UUIDField(allow_null=True)
    unread = serializers.IntegerField()
    mentions = serializers.IntegerField()
    last_read_seq = serializers.IntegerField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    last_message = serializers.CharField()
    last_author = serializers.CharField()
    presence = serializers.CharField(allow_null=True)


class ConversationCreateSerializer(serializers.Serializer):
    """A direct message (one member), a group (several), a channel (`channel` name, ADV/admins) or
    the thread of a business object (`object_type` + `object_id`)."""

    members = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    channel = serializers.CharField(required=False, allow_blank=True, default="", max_length=61)
    object_type = serializers.ChoiceField(choices=ObjectType.choices, required=False)
    object_id = serializers.UUIDField(required=False)


class AuthorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class ChaseSerializer(serializers.Serializer):
    code = serializers.CharField()
    resolved = serializers.BooleanField()


class MessageSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField(help_text="Order and cursor (?before= / ?after=).")
    conversation = serializers.UUIDField()
    kind = serializers.CharField()
    author = AuthorSerializer(allow_null=True)
    html = serializers.CharField(help_text="Sanitised HTML, rendered for the caller (object links only where they may see the object).")
    body = serializers.CharField(help_text="The source text, for the author (to edit it); empty for others.")
    mentions_me = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    chase = ChaseSerializer(allow_null=True)
    attachments = AttachmentSerializer(many=True)
    can_edit = serializers.BooleanField()
    can_delete = serializers.BooleanField()


class MessagePageSerializer(serializers.Serializer):
    results = MessageSerializer(many=True)
    has_more = serializers.BooleanField()


class MessagePostSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class MessageEditSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ReadSerializer(serializers.Serializer):
    seq = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class PresenceSerializer(serializers.Serializer):
    membership = serializers.UUIDField()
    state = serializers.ChoiceField(choices=["online", "away", "offline"])
    dnd = serializers.BooleanField()
    dnd_until = serializers.DateTimeField(allow_null=True)


class DndSerializer(serializers.Serializer):
    until = serializers.DateTimeField(required=False, allow_null=True, default=None)
    daily_start = serializers.TimeField(required=False, allow_null=True, default=None)
    daily_end = serializers.TimeField(required=False, allow_null=True, default=None)
