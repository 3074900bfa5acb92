"""Collections: the firm's dunning plan and its steps, per-client settings, the reminders sent,
the pauses and disputes of an invoice, and the client's payment promises.

A reminder is sent at most once per (invoice, step): the reminder ledger
(`notifications.ReminderSent`, claimed by `dunning/services.py`) is the lock; `Reminder` is what the
pages show (to whom, by whom, the outbox email), written in the same transaction.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from billing.models import Invoice
from clients.models import Client, Contact
from notifications.models import OutboxEmail

ZERO = Decimal("0")
# Art. L441-10 II and D441-5 of the Code de commerce: fixed indemnity for recovery costs, per invoice.
RECOVERY_INDEMNITY = Decimal("40.00")
# The default annual penalty rate: the ECB's refinancing rate + 10 points (art. L441-10 II, rate
# applicable when the contract says nothing; the firm sets the rate its invoices state).
DEFAULT_PENALTY_RATE = Decimal("12.15")


class Tone(models.TextChoices):
    COURTEOUS = "courteous", _("Courtoise")
    FIRM = "firm", _("Ferme")
    FORMAL_NOTICE = "formal_notice", _("Mise en demeure")


# The default message of each tone (registered in dunning/messages.py, reworded per firm).
TONE_TEMPLATES = {
    Tone.COURTEOUS: "dunning.courteous",
    Tone.FIRM: "dunning.firm",
    Tone.FORMAL_NOTICE: "dunning.formal_notice",
}
# The plan a firm starts with: due date + 7, + 21, + 45.
DEFAULT_STEPS = ((7, Tone.COURTEOUS), (21, Tone.FIRM), (45, Tone.FORMAL_NOTICE))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DunningPlan(TenantModel):
    """The firm's dunning plan (one per firm); its steps are `DunningStep` rows."""

    is_active = models.BooleanField(
        _("relances automatiques"),
        default=True,
        help_text=_("Décoché : aucune relance ne part seule ; « Relancer maintenant » reste possible."),
    )
    penalty_rate = models.DecimalField(
        _("taux annuel des pénalités de retard (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_PENALTY_RATE,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Le taux mentionné sur vos factures (au moins trois fois le taux d'intérêt légal ; à défaut, "
            "le taux de refinancement de la BCE majoré de 10 points, art. L441-10 du Code de commerce)."
        ),
    )
    signatory = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relances suivies par"),
        help_text=_("La personne au nom de qui les relances automatiques sont tenues."),
    )

    class Meta:
        verbose_name = _("plan de relance")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="dunningplan_one_per_tenant")]

    def __str__(self) -> str:
        return str(_("plan de relance"))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DunningStep(TenantModel):
    plan = models.ForeignKey(DunningPlan, on_delete=models.CASCADE, related_name="steps")
    days_after_due = models.PositiveSmallIntegerField(
        _("jours après l'échéance"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    tone = models.CharField(_("ton"), max_length=15, choices=Tone.choices)
    template_key = models.CharField(_("message"), max_length=100)

    class Meta:
        ordering = ["days_after_due", "id"]
        verbose_name = _("étape de relance")
        verbose_name_plural = _("étapes de relance")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "plan", "days_after_due"], name="dunningstep_one_per_day"),
            # A reminder before or at the due date is not a reminder: refused by the service and here.
            models.CheckConstraint(condition=Q(days_after_due__gte=1), name="dunningstep_after_due_date"),
        ]

    def __str__(self) -> str:
        return f"+{self.days_after_due} {self.get_tone_display()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ClientDunning(TenantModel):
    """A client's dunning settings: opted out of automatic reminders, and to whom they go."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="dunning")
    opted_out = models.BooleanField(
        _("exclu des relances automatiques"),
        default=False,
        help_text=_("Aucune relance automatique ; « Relancer maintenant » reste possible."),
    )
    opt_out_reason = models.CharField(_("motif"), max_length=300, blank=True)
    contacts = models.ManyToManyField(
        Contact, through="DunningContact", related_name="+", blank=True, verbose_name=_("destinataires des relances")
    )

    class Meta:
        verbose_name = _("relances du client")
        constraints = [models.UniqueConstraint(fields=["tenant", "client"], name="clientdunning_one_per_client")]


class DunningContact(TenantModel):
    """A contact of the client who receives the reminders (none chosen: the invoice's recipients)."""

    settings = models.ForeignKey(ClientDunning, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "settings", "contact"], name="dunningcontact_unique")
        ]


class Reminder(TenantModel):
    """A reminder sent to the client about an invoice: automatic (`sent_by` empty) or by a person."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="dunning_reminders")
    step = models.ForeignKey(DunningStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    tone = models.CharField(_("ton"), max_length=15, choices=Tone.choices)
    step_days = models.PositiveSmallIntegerField(_("étape (jours après l'échéance)"))
    days_late = models.PositiveIntegerField(_("jours de retard"))
    sent_at = models.DateTimeField(_("envoyée le"))
    to = models.JSONField(_("destinataires"), default=list)
    cc = models.JSONField(_("copie"), default=list, blank=True)
    sent_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("par")
    )
    is_automatic = models.BooleanField(_("automatique"), default=True)
    email = models.ForeignKey(OutboxEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ledger_step = models.CharField(max_length=100, help_text="the step of its row in the reminder ledger")
    balance = models.DecimalField(_("reste dû"), max_digits=14, decimal_places=2)
    penalties = models.DecimalField(_("pénalités de retard"), max_digits=14, decimal_places=2, default=ZERO)
    indemnity = models.DecimalField(_("indemnité forfaitaire"), max_digits=14, decimal_places=2, default=ZERO)

    class Meta:
        ordering = ["-sent_at", "id"]
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "invoice", "ledger_step"], name="dunningreminder_once_per_step"),
        ]
        indexes = [models.Index(fields=["tenant", "invoice", "-sent_at"], name="dunningreminder_latest")]


class PauseKind(models.TextChoices):
    DISPUTE = "dispute", _("Litige")
    PAUSE = "pause", _("Pause")


class PauseSource(models.TextChoices):
    STAFF = "staff", _("Équipe")
    PORTAL = "portal", _("Portail client")
    PLATFORM = "platform", _("Plateforme de facturation")
    API = "api", _("API")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DunningPause(TenantModel):
    """An invoice's reminders stopped: a dispute (until it is closed) or a pause (until a date, or
    until it is lifted)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="dunning_pauses")
    kind = models.CharField(_("type"), max_length=10, choices=PauseKind.choices, default=PauseKind.PAUSE)
    reason = models.CharField(_("motif"), max_length=500, blank=True)
    source = models.CharField(_("origine"), max_length=10, choices=PauseSource.choices, default=PauseSource.STAFF)
    since = models.DateField(_("depuis le"))
    until = models.DateField(_("jusqu'au"), null=True, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ended_at = models.DateTimeField(_("levée le"), null=True, blank=True)
    ended_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-since", "-created_at"]
        verbose_name = _("pause des relances")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")), name="dunningpause_until_after_since"
            ),
            # One open dispute per invoice: the signal's "closed" ends it.
            models.UniqueConstraint(
                fields=["tenant", "invoice"],
                condition=Q(kind="dispute", ended_at__isnull=True),
                name="dunningpause_one_open_dispute",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "invoice"], condition=Q(ended_at__isnull=True), name="dunningpause_open")
        ]

    def is_active(self, today: datetime.date) -> bool:
        return self.ended_at is None and self.since <= today and (self.until is None or self.until >= today)


class PromiseStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    KEPT = "kept", _("Tenue")
    BROKEN = "broken", _("Non tenue")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PaymentPromise(TenantModel):
    """The client promised to pay `amount` by `promised_on`. While pending, reminders wait; the day
    after the date it is checked: kept when the balance fell by the amount since it was noted (or
    reached zero), else broken, and the reminders resume."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payment_promises")
    promised_on = models.DateField(_("date promise"))
    amount = models.DecimalField(
        _("montant promis"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    balance_at_promise = models.DecimalField(max_digits=14, decimal_places=2)
    noted_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("notée par")
    )
    status = models.CharField(_("statut"), max_length=10, choices=PromiseStatus.choices, default=PromiseStatus.PENDING)
    checked_at = models.DateTimeField(_("vérifiée le"), null=True, blank=True)

    class Meta:
        ordering = ["-promised_on", "-created_at"]
        verbose_name = _("promesse de paiement")
        verbose_name_plural = _("promesses de paiement")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="paymentpromise_amount_positive"),
            models.UniqueConstraint(
                fields=["tenant", "invoice"], condition=Q(status="pending"), name="paymentpromise_one_pending"
            ),
        ]
