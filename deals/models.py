"""Deals (affaires), their purchase orders, staffing, fixed-price milestones and subscriptions.

Situation 2 of the brief: a deal may be validated *provisionally* (no signature) so that
consultants can be staffed and log time, and it stays flagged and chased until it is signed.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from clients.models import Client, Contact
from documents.models import Document, DocumentType, DocumentVersion

ZERO = Decimal("0")


class DealType(models.TextChoices):
    T_AND_M = "t_and_m", _("Régie")
    FIXED_PRICE = "fixed_price", _("Forfait")
    SUBSCRIPTION = "subscription", _("Abonnement")


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PROVISIONAL = "provisional", _("Validée provisoirement")
    SIGNED = "signed", _("Signée")
    ACTIVE = "active", _("En cours")
    CLOSED = "closed", _("Clôturée")
    LOST = "lost", _("Perdue")


# The lifecycle: which status may follow which (services enforce it, tests walk every pair).
TRANSITIONS: dict[str, frozenset[str]] = {
    DealStatus.DRAFT: frozenset({DealStatus.PROVISIONAL, DealStatus.SIGNED, DealStatus.LOST}),
    DealStatus.PROVISIONAL: frozenset({DealStatus.SIGNED, DealStatus.LOST}),
    DealStatus.SIGNED: frozenset({DealStatus.ACTIVE, DealStatus.CLOSED}),
    DealStatus.ACTIVE: frozenset({DealStatus.CLOSED}),
    DealStatus.CLOSED: frozenset(),
    DealStatus.LOST: frozenset(),
}
# Consultants may log time on these (time entry comes with the timesheets feature).
STAFFABLE_STATUSES = frozenset({DealStatus.PROVISIONAL, DealStatus.SIGNED, DealStatus.ACTIVE})
SIGNED_STATUSES = frozenset({DealStatus.SIGNED, DealStatus.ACTIVE, DealStatus.CLOSED})


class DealPolicy(TenantModel):
    """The firm's rules for unsigned deals and blocked milestones (one row per tenant)."""

    chase_every_days = models.PositiveSmallIntegerField(
        _("relancer le commercial tous les (jours)"), default=3, validators=[MinValueValidator(1)]
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalader au manager après (jours)"), default=10, validators=[MinValueValidator(1)]
    )
    milestone_escalate_after_days = models.PositiveSmallIntegerField(
        _("escalader une échéance bloquée au manager du chef de projet après (jours)"), default=5,
        validators=[MinValueValidator(1)],
    )
    reference_prefix = models.CharField(_("préfixe des références d'affaire"), max_length=10, default="AFF")

    class Meta:
        ordering = ["tenant_id"]
        verbose_name = _("règles des affaires")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="dealpolicy_one_per_tenant")]


class DealCounter(TenantModel):
    """Per-tenant, per-year counter of deal references, locked while a reference is taken."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["tenant_id", "year"]
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="dealcounter_one_per_year")]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Deal(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="deals", verbose_name=_("client"))
    reference = models.CharField(_("référence"), max_length=30, editable=False)
    title = models.CharField(_("intitulé"), max_length=200)
    deal_type = models.CharField(_("type"), max_length=20, choices=DealType.choices)
    status = models.CharField(_("statut"), max_length=20, choices=DealStatus.choices, default=DealStatus.DRAFT, editable=False)
    sales_owner = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="sales_deals", verbose_name=_("commercial")
    )
    project_manager = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_deals",
        verbose_name=_("chef de projet"),
    )
    adv_owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="adv_deals",
        verbose_name=_("ADV en charge"),
    )
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    ordered_amount = models.DecimalField(
        _("montant commandé (HT)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    consultant_instructions = models.TextField(
        _("consignes aux consultants"), blank=True, help_text=_("Affichées dans le CRA des consultants staffés.")
    )
    pre_invoice_notes = models.TextField(_("notes pour la préfacture"), blank=True)
    # Overrides of the client's billing profile; None = as the client's profile says.
    purchase_order_required = models.BooleanField(_("bon de commande obligatoire"), null=True, blank=True)
    reception_number_required = models.BooleanField(_("numéro de réception obligatoire"), null=True, blank=True)
    signed_timesheet_required = models.BooleanField(_("CRA signé obligatoire"), null=True, blank=True)
    invoice_recipients = models.ManyToManyField(
        Contact, blank=True, related_name="+", through="DealInvoiceRecipient",
        verbose_name=_("destinataires des factures (si différents du client)"),
    )
    # Lifecycle facts.
    provisional_since = models.DateTimeField(_("validée provisoirement le"), null=True, blank=True, editable=False)
    provisional_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False)
    signed_on = models.DateField(_("date de signature"), null=True, blank=True, editable=False)
    signed_by_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("signataire (client)"),
        editable=False,
    )
    signature_recorded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False)
    signature_override_reason = models.TextField(
        _("signée sans les documents requis, motif"), blank=True, editable=False
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    lost_at = models.DateTimeField(null=True, blank=True, editable=False)
    lost_reason = models.TextField(_("motif de perte"), blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("affaire")
        verbose_name_plural = _("affaires")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], name="deal_unique_reference"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="deal_end_after_start"),
            models.CheckConstraint(
                condition=~Q(status__in=["signed", "active", "closed"]) | Q(signed_on__isnull=False),
                name="deal_signed_has_signature_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="provisional") | Q(signed_on__isnull=True, provisional_since__isnull=False),
                name="deal_provisional_is_unsigned",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="deal_tenant_status"),
            models.Index(fields=["tenant", "client"], name="deal_tenant_client"),
            models.Index(fields=["tenant", "sales_owner"], name="deal_tenant_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.title}"

    @property
    def is_provisional(self) -> bool:
        return self.status == DealStatus.PROVISIONAL

    @property
    def is_signed(self) -> bool:
        return self.status in SIGNED_STATUSES

    @property
    def is_commissionable(self) -> bool:
        """No commission on an unsigned deal (situation 2)."""
        return self.is_signed

    def provisional_days(self, now: datetime.datetime) -> int | None:
        if not self.is_provisional or self.provisional_since is None:
            return None
        return (now - self.provisional_since).days

    def requires(self, name: str) -> bool:
        """The deal's override of a billing requirement, else the client's billing profile."""
        override = getattr(self, name)
        if override is not None:
            return override
        return getattr(self.client.billing_profile, name)


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class DealInvoiceRecipient(TenantModel):
    """A contact who receives this deal's invoices instead of the client's usual recipients.
    An explicit through model so that the link row carries its tenant like every other row."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["deal_id", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "deal", "contact"], name="dealrecipient_unique")]


class DealSignatureDocument(TenantModel):
    """A document that proved the order when the signature was recorded, with the exact version
    (file and SHA-256) it had then: the statutory auditor's evidence, kept even if the document
    later gets a new version. Written once by `deal_sign`, never changed."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="signature_proofs")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["deal_id", "created_at", "id"]
        verbose_name = _("pièce prouvant la signature")
        verbose_name_plural = _("pièces prouvant la signature")
        constraints = [models.UniqueConstraint(fields=["tenant", "deal", "document"], name="dealsignaturedocument_unique")]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PurchaseOrder(TenantModel):
    """A client's purchase order (bon de commande) on a deal; billing tracks what it has used."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="purchase_orders")
    number = models.CharField(_("numéro de commande"), max_length=100)
    amount = models.DecimalField(_("montant (HT)"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    valid_from = models.DateField(_("valable du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["deal_id", "valid_from", "number"]
        verbose_name = _("bon de commande")
        verbose_name_plural = _("bons de commande")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "deal", "number"], name="purchaseorder_unique_number_per_deal"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="purchaseorder_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.number


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Assignment(TenantModel):
    """A consultant staffed on a deal at a daily rate over a period."""

    deal = models.ForeignKey(Deal, on_delete=models.PROTECT, related_name="assignments")
    consultant = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("consultant"))
    daily_rate = models.DecimalField(_("TJM de vente (HT)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    purchase_daily_rate = models.DecimalField(
        _("TJM d'achat (sous-traitant)"), max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    planned_days = models.DecimalField(_("jours prévus"), max_digits=7, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(ZERO)])
    reception_number_required = models.BooleanField(_("numéro de réception mensuel exigé"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["deal_id", "start_date", "id"]
        verbose_name = _("staffing")
        verbose_name_plural = _("staffings")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="assignment_end_after_start"),
            models.CheckConstraint(condition=Q(daily_rate__gt=0), name="assignment_rate_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "consultant"], name="assignment_tenant_consultant")]

    def __str__(self) -> str:
        return f"{self.consultant} · {self.deal}"

    @property
    def margin_per_day(self) -> Decimal | None:
        if self.purchase_daily_rate is None:
            return None
        return self.daily_rate - self.purchase_daily_rate


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    DUE = "due", _("Échue")
    READY = "ready", _("Prête à facturer")
    BLOCKED = "blocked", _("Bloquée")
    INVOICED = "invoiced", _("Facturée")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Milestone(TenantModel):
    """A fixed-price milestone (échéance), often gated by a document such as a PV de recette."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="milestones")
    label = models.CharField(_("libellé"), max_length=200)
    due_date = models.DateField(_("date d'échéance"), null=True, blank=True)
    due_event = models.CharField(_("ou événement déclencheur"), max_length=200, blank=True)
    event_occurred_on = models.DateField(_("événement survenu le"), null=True, blank=True)
    amount = models.DecimalField(_("montant (HT)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(ZERO)])
    percentage = models.DecimalField(_("pourcentage du total"), max_digits=5, decimal_places=2, null=True, blank=True)
    required_document_type = models.ForeignKey(
        DocumentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("document exigé avant facturation"),
    )
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones", verbose_name=_("document"))
    project_manager = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones", verbose_name=_("chef de projet")
    )
    status = models.CharField(_("statut"), max_length=10, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED, editable=False)
    blocked_since = models.DateTimeField(null=True, blank=True, editable=False)
    invoiced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["deal_id", "due_date", "id"]
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        constraints = [
            models.CheckConstraint(condition=Q(due_date__isnull=False) | ~Q(due_event=""), name="milestone_has_date_or_event"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="milestone_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="milestone_tenant_status")]

    def __str__(self) -> str:
        return self.label


class SubscriptionPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Mensuel")
    QUARTERLY = "quarterly", _("Trimestriel")
    YEARLY = "yearly", _("Annuel")


PERIOD_MONTHS = {SubscriptionPeriod.MONTHLY: 1, SubscriptionPeriod.QUARTERLY: 3, SubscriptionPeriod.YEARLY: 12}


class BillingTiming(models.TextChoices):
    IN_ADVANCE = "advance", _("À échoir (en début de période)")
    IN_ARREARS = "arrears", _("Échu (en fin de période)")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Subscription(TenantModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="subscriptions")
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant par période (HT)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    period = models.CharField(_("périodicité"), max_length=10, choices=SubscriptionPeriod.choices, default=SubscriptionPeriod.MONTHLY)
    timing = models.CharField(_("facturation"), max_length=10, choices=BillingTiming.choices, default=BillingTiming.IN_ADVANCE)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    next_billing_date = models.DateField(_("prochaine facturation"), editable=False)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["deal_id", "start_date", "id"]
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="subscription_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.label


class DealReminderKind(models.TextChoices):
    """Kinds of the deal reminders in the reminder ledger (`notifications.ReminderSent`): the
    subject is the deal's id for the first two, the milestone's id for the others."""

    UNSIGNED_CHASE = "deals.unsigned_chase", _("Relance affaire non signée")
    UNSIGNED_ESCALATION = "deals.unsigned_escalation", _("Escalade affaire non signée")
    MILESTONE_CHASE = "deals.milestone_chase", _("Relance échéance bloquée")
    MILESTONE_ESCALATION = "deals.milestone_escalation", _("Escalade échéance bloquée")
