"""Notifications core: in-app notifications, the email outbox, message templates, preferences,
the daily digest and the reminder ledger. Every table is tenant-owned (row-level security in
migrations 0002 and 0004).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import TenantModel


class MessageTemplate(TenantModel):
    """A tenant's own wording of a message, overriding the default of `notifications.defaults`."""

    key = models.CharField(_("message"), max_length=100)
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key", "language"]
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de message")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key", "language"], name="messagetemplate_unique_key_language"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language})"


class Notification(TenantModel):
    """Something that happened, for one user of one firm: shown in the app and/or in a digest."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("événement"), max_length=100)
    title = models.CharField(_("titre"), max_length=255)
    body = models.TextField(_("texte"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    target_content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    target_object_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_content_type", "target_object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    # Channels chosen when it was created (from the recipient's preferences).
    in_app = models.BooleanField(default=True)
    in_digest = models.BooleanField(default=False)
    digest = models.ForeignKey(
        "DailyDigest", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["tenant", "recipient", "-created_at"],
                condition=models.Q(in_app=True),
                name="notification_inbox",
            ),
            models.Index(
                fields=["tenant", "recipient"],
                condition=models.Q(in_app=True, read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["tenant", "recipient"],
                condition=models.Q(in_digest=True, digest__isnull=True),
                name="notification_digest_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")


class OutboxEmail(TenantModel):
    """An email to send, written in the transaction of the action that caused it (outbox
    pattern); `notifications.tasks.deliver_email` sends it after commit, exactly once."""

    to = models.JSONField(_("destinataires"), default=list)
    cc = models.JSONField(_("copie"), default=list, blank=True)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    body_html = models.TextField(blank=True)
    # Files sent with the email: [{"name", "path" (in the default storage), "content_type"}].
    # They are read at sending time, so a retry sends the same bytes.
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    template_key = models.CharField(_("message"), max_length=100, blank=True)
    language = models.CharField(_("langue"), max_length=8, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now, null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    # NULL (not "") when absent, so that the per-tenant unique constraint ignores it.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("e-mail sortant")
        verbose_name_plural = _("e-mails sortants")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="outboxemail_unique_idempotency_key",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outboxemail_sent_has_sent_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outboxemail_due",
            ),
            models.Index(fields=["tenant", "status", "-created_at"], name="outboxemail_status"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"


class NotificationPreference(TenantModel):
    """How a user wants to hear about events in one firm. `event=""` is the user's general
    choice; a row with an event key overrides it for that event."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(_("événement"), max_length=100, blank=True, default="")
    in_app = models.BooleanField(_("dans l'application"), default=True)
    email = models.BooleanField(_("e-mail immédiat"), default=True)
    daily_digest = models.BooleanField(_("résumé quotidien"), default=False)

    class Meta:
        ordering = ["user_id", "event"]
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user", "event"], name="notificationpreference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.event or '*'}"


class DailyDigest(TenantModel):
    """One digest per user per (tenant-local) day: its unique key makes the digest idempotent."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("jour"))
    item_count = models.PositiveIntegerField(default=0)
    email = models.ForeignKey(OutboxEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-day"]
        verbose_name = _("résumé quotidien")
        verbose_name_plural = _("résumés quotidiens")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "recipient", "day"], name="dailydigest_unique_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.day}"


class ReminderSent(TenantModel):
    """The reminder ledger: one row per reminder, chase, digest or escalation that went out, for
    every app. Its unique key (kind, subject, step, recipient) is the once-only lock: a message is
    sent only by whoever inserted its row (`notifications.ledger.claim`), so a task run twice, two
    workers or two clicks at once send each step once.

    `kind` is namespaced by the app that owns it ("deals.unsigned_chase"); `subject` says what the
    reminder is about (a client, deal or milestone id, a month), `step` which occurrence of the
    schedule it is (a day, an ISO week, a chase number, "escalation")."""

    kind = models.CharField(_("type"), max_length=60)
    subject = models.CharField(_("objet"), max_length=100, blank=True, default="")
    step = models.CharField(_("étape"), max_length=100)
    recipient = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    sent_by = models.ForeignKey("tenancy.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    template_key = models.CharField(max_length=100, blank=True, default="")
    details = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("relance envoyée")
        verbose_name_plural = _("relances envoyées")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "subject", "step", "recipient"], name="remindersent_once_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} {self.step} → {self.recipient_id}"
