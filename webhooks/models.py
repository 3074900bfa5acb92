"""Outgoing webhooks: a firm's endpoints, the events it produced (the outbox), and each event's
delivery to each endpoint (the delivery log).

An endpoint's signing secrets are stored encrypted (`clients.crypto`, Fernet); after a rotation the
previous secret keeps signing beside the new one until `previous_secret_expires_at`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel


class DisabledReason(models.TextChoices):
    MANUAL = "manual", _("Désactivé par un administrateur")
    FAILING = "failing", _("Désactivé automatiquement : échecs répétés")


class Endpoint(TenantModel):
    url = models.URLField(_("adresse (URL)"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("événements"), default=list, help_text="the subscribed event types")
    is_enabled = models.BooleanField(_("actif"), default=True)
    disabled_reason = models.CharField(max_length=10, choices=DisabledReason.choices, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set at the first failed attempt after a success, cleared by the next success: how long the
    # endpoint has answered nothing good (the automatic disabling reads it).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("point de réception de webhooks")
        verbose_name_plural = _("points de réception de webhooks")
        indexes = [models.Index(fields=["tenant", "is_enabled"], name="webhook_endpoint_enabled")]

    def __str__(self) -> str:
        return self.url


class Event(TenantModel):
    """What happened, once per firm, whatever the number of endpoints: its id is the `webhook-id`
    of every message carrying it (the same on every retry and replay, for receivers to deduplicate)."""

    type = models.CharField(_("type"), max_length=50)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        indexes = [models.Index(fields=["tenant", "type", "created_at"], name="webhook_event_type")]

    def __str__(self) -> str:
        return f"{self.type} {self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours")
    SUCCEEDED = "succeeded", _("Réussi")
    FAILED = "failed", _("En échec")


class Delivery(TenantModel):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("statut"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("dernier essai"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("code de réponse"), null=True, blank=True)
    response_body = models.TextField(_("réponse (extrait)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    # A manual replay is a new delivery of the same event (same webhook-id) to the same endpoint.
    replay_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replays")
    requested_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("envoi de webhook")
        verbose_name_plural = _("envois de webhooks")
        constraints = [
            # One automatic delivery per (endpoint, event): fanning an event out twice changes nothing.
            models.UniqueConstraint(
                fields=["tenant", "endpoint", "event"],
                condition=models.Q(replay_of__isnull=True),
                name="webhook_delivery_once_per_endpoint",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["tenant", "endpoint", "created_at"], name="webhook_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"
