"""API tokens: bound to one membership (hence one tenant and one role), stored hashed."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel


class ApiToken(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("préfixe"), max_length=16, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    # Created from a session that passed the second factor (or by an operator on the server).
    second_factor_verified = models.BooleanField(_("créé après double authentification"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        indexes = [models.Index(fields=["tenant", "membership"], name="apitoken_tenant_membership")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return False
        return self.membership.is_active and self.membership.user.is_active


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", "in progress"
    DONE = "done", "done"


class IdempotencyRecord(TenantModel):
    """The first response to an API call carrying an `Idempotency-Key` (replayed for a repeat)."""

    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=200, help_text="method and path of the call")
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=IdempotencyState.choices, default=IdempotencyState.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "key", "scope"], name="idempotencyrecord_unique")]
