"""The chat: conversations (a thread on a business object, a direct message, a small group, a
named channel), their participants with a read marker, messages (edited, tombstoned), attachments
and each member's do-not-disturb setting.

A message's `seq` is taken from one PostgreSQL sequence: it orders messages and is the cursor of
the API and of the WebSocket's catch-up ("everything after 1234"), for every firm alike.
"""

from __future__ import annotations

import datetime

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import BigIntegerField, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel

MAX_LENGTH = 10_000
EDIT_WINDOW = datetime.timedelta(minutes=15)
SEQUENCE = "chat_message_seq"


class ObjectType(models.TextChoices):
    CLIENT = "client", _("Client")
    DEAL = "deal", _("Affaire")
    MILESTONE = "milestone", _("Échéance")
    INVOICE = "invoice", _("Préfacture / facture")
    TIMESHEET = "timesheet", _("CRA")
    DOCUMENT = "document", _("Document")


class ConversationKind(models.TextChoices):
    OBJECT = "object", _("Fil d'un objet")
    DIRECT = "direct", _("Message direct")
    GROUP = "group", _("Groupe")
    CHANNEL = "channel", _("Canal")


class Conversation(TenantModel):
    kind = models.CharField(_("type"), max_length=10, choices=ConversationKind.choices)
    object_type = models.CharField(_("type d'objet"), max_length=12, choices=ObjectType.choices, blank=True)
    object_id = models.UUIDField(null=True, blank=True)
    # What the list shows: the object's reference, the channel's name, the group's title.
    title = models.CharField(_("titre"), max_length=200, blank=True)
    # A direct message's two membership ids, sorted: one conversation per pair.
    direct_key = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_message = models.ForeignKey("Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "object_type", "object_id"], condition=Q(kind="object"), name="chat_one_thread_per_object"
            ),
            models.UniqueConstraint(fields=["tenant", "title"], condition=Q(kind="channel"), name="chat_channel_name_unique"),
            models.UniqueConstraint(fields=["tenant", "direct_key"], condition=Q(kind="direct"), name="chat_one_direct_per_pair"),
            models.CheckConstraint(
                condition=Q(kind="object", object_id__isnull=False) | (~Q(kind="object") & Q(object_id__isnull=True)),
                name="chat_object_thread_has_object",
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.pk)


class Participant(TenantModel):
    """A member who follows a conversation: its unread count and read marker. An object thread's
    participants are who posted, were mentioned or chased there, or opened it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.BigIntegerField(default=0)
    unread_count = models.PositiveIntegerField(default=0)
    mention_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "conversation", "membership"], name="chat_participant_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "membership", "conversation"], name="chat_participant_member")]


class MessageKind(models.TextChoices):
    TEXT = "text", _("Message")
    SYSTEM = "system", _("Événement")
    CHASE = "chase", _("Relance")


class Message(TenantModel):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.BigIntegerField(
        db_default=Func(Value(SEQUENCE), function="nextval", output_field=BigIntegerField()), editable=False
    )
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.TEXT)
    author = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    body = models.TextField(blank=True)
    # Memberships mentioned (@handle), checked members of the firm when the message was posted.
    mentions = ArrayField(models.UUIDField(), default=list, blank=True)
    # Objects referred to (#AFF-2026-0015, invoice numbers): [{"ref", "type", "id", "title"}]; shown
    # as links, with their title, only to a reader who may see the object.
    links = models.JSONField(default=list, blank=True)
    # A chase: the blocker it is about ("missing_po", a document type…); resolved once it is gone.
    chase_code = models.CharField(max_length=60, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["seq"], name="chat_message_seq_unique")]
        indexes = [
            models.Index(fields=["tenant", "conversation", "seq"], name="chat_message_thread"),
            models.Index(fields=["tenant", "author", "created_at"], name="chat_message_author_recent"),
            GinIndex(SearchVector("body", config="french"), name="chat_message_search"),
        ]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Attachment(TenantModel):
    """A file posted in a conversation, checked like every document (size, type from the bytes,
    antivirus) by `documents.files.store_upload`."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]


class ChatStatus(TenantModel):
    """A member's do-not-disturb: until a moment, and/or every day between two times (the firm's
    time zone)."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    dnd_until = models.DateTimeField(_("ne pas déranger jusqu'à"), null=True, blank=True)
    daily_start = models.TimeField(_("chaque jour de"), null=True, blank=True)
    daily_end = models.TimeField(_("à"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(daily_start__isnull=True) & Q(daily_end__isnull=True))
                | (Q(daily_start__isnull=False) & Q(daily_end__isnull=False)),
                name="chat_status_daily_both_or_none",
            ),
        ]
