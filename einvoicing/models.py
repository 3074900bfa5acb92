"""The e-invoicing reform's data: the firm's platform account, every call made to a platform, one
submission per invoice with its lifecycle history, directory look-ups, and the e-reporting
(payments received, non-domestic sales)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import TenantModel
from adv.tenancy.validators import validate_siren
from billing.models import Invoice
from clients.models import Client

from .statuses import Lifecycle


class ConnectorKind(models.TextChoices):
    MANUAL = "manual", _("Dépôt manuel (liste « À déposer »)")
    XP_Z12_013 = "xp_z12_013", _("Plateforme agréée (API AFNOR XP Z12-013)")


class PlatformAccount(TenantModel):
    """The firm's e-invoicing settings: its accredited platform (PA) and its Chorus Pro access.
    Secrets are Fernet tokens (clients.crypto), never shown back."""

    connector = models.CharField(
        _("connecteur"), max_length=20, choices=ConnectorKind.choices, default=ConnectorKind.MANUAL
    )
    base_url = models.URLField(_("adresse de l'API de la plateforme"), blank=True)
    token_url = models.URLField(
        _("adresse du jeton OAuth2"), blank=True, help_text=_("Vide : <adresse de l'API>/oauth/token.")
    )
    client_id = models.CharField(_("identifiant client OAuth2"), max_length=200, blank=True)
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)

    chorus_enabled = models.BooleanField(_("déposer sur Chorus Pro pour les clients publics"), default=False)
    chorus_api_url = models.URLField(
        _("adresse de l'API Chorus Pro (PISTE)"), blank=True, default="https://api.piste.gouv.fr/cpro"
    )
    chorus_token_url = models.URLField(
        _("adresse du jeton PISTE"), blank=True, default="https://oauth.piste.gouv.fr/api/oauth/token"
    )
    chorus_client_id = models.CharField(_("identifiant client PISTE"), max_length=200, blank=True)
    chorus_client_secret_encrypted = models.TextField(blank=True, editable=False)
    chorus_login = models.CharField(_("compte technique Chorus Pro"), max_length=200, blank=True)
    chorus_password_encrypted = models.TextField(blank=True, editable=False)
    chorus_structure_id = models.CharField(
        _("identifiant de la structure du cabinet (Chorus Pro)"), max_length=40, blank=True
    )

    last_check_at = models.DateTimeField(null=True, blank=True)
    last_check_ok = models.BooleanField(default=False)
    last_check_error = models.TextField(blank=True)
    statuses_fetched_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plateforme de facturation électronique")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="platformaccount_one_per_tenant")]


class CallOutcome(models.TextChoices):
    OK = "ok", _("Réussi")
    ERROR = "error", _("Erreur")
    TIMEOUT = "timeout", _("Délai dépassé")


class PlatformCall(TenantModel):
    """One HTTP call to a platform: the audit of what was sent, when, and what came back."""

    connector = models.CharField(max_length=20)
    operation = models.CharField(max_length=40)
    request_id = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["tenant", "started_at"], name="platformcall_tenant_started")]


class Channel(models.TextChoices):
    PLATFORM = "xp_z12_013", _("Plateforme agréée")
    CHORUS_PRO = "chorus_pro", _("Chorus Pro")


class SubmissionState(models.TextChoices):
    PENDING = "pending", _("À transmettre")
    SUBMITTED = "submitted", _("Transmise")
    FAILED = "failed", _("Échec de transmission")


class Submission(TenantModel):
    """An invoice handed to a platform: one per invoice (the unique constraint), whose tracking id
    is the idempotency key sent with every attempt, so a retry never makes a second flow."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="einvoicing_submission")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    tracking_id = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=SubmissionState.choices, default=SubmissionState.PENDING)
    platform_id = models.CharField(_("identifiant du flux"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("statut"), max_length=3, choices=Lifecycle.choices, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=500, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "invoice"], name="submission_one_per_invoice"),
            models.UniqueConstraint(fields=["tenant", "tracking_id"], name="submission_unique_tracking"),
        ]
        indexes = [
            models.Index(fields=["tenant", "platform_id"], name="submission_tenant_flow"),
            models.Index(fields=["tenant", "status"], name="submission_tenant_status"),
        ]


class StatusSource(models.TextChoices):
    POLL = "poll", _("Relevé")
    WEBHOOK = "webhook", _("Notification")


class StatusEvent(TenantModel):
    """One lifecycle status received for a submitted invoice, kept in order with its reason."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=3, choices=Lifecycle.choices)
    occurred_at = models.DateTimeField()
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    event_id = models.CharField(max_length=100)
    source = models.CharField(max_length=10, choices=StatusSource.choices, default=StatusSource.POLL)

    class Meta:
        ordering = ["occurred_at", "created_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "event_id"], name="statusevent_unique_event")]
        indexes = [models.Index(fields=["tenant", "invoice", "occurred_at"], name="statusevent_invoice")]


class DirectoryEntry(TenantModel):
    """What the directory (annuaire) answered for a client's SIREN: its electronic address
    (routing code) where it receives invoices, or that it is missing."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="directory_entry")
    siren = models.CharField(max_length=9)
    found = models.BooleanField(default=False)
    routing_address = models.CharField(_("adresse électronique (code de routage)"), max_length=200, blank=True)
    platform_name = models.CharField(max_length=200, blank=True)
    looked_up_at = models.DateTimeField()
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "client"], name="directoryentry_one_per_client")]


class ReportKind(models.TextChoices):
    PAYMENT = "payment", _("Encaissement")
    TRANSACTION = "transaction", _("Transaction (vente hors France)")


class ReportState(models.TextChoices):
    PENDING = "pending", _("À transmettre")
    SENT = "sent", _("Transmis")
    FAILED = "failed", _("En échec")


class EReport(TenantModel):
    """One e-reporting item: a payment received (VAT on receipts) or a non-domestic sale, keyed so
    that a repeated signal or retry reports it once."""

    kind = models.CharField(max_length=12, choices=ReportKind.choices)
    key = models.CharField(max_length=64, help_text="payment id, or invoice id for a transaction")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=ReportState.choices, default=ReportState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    platform_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "kind", "key"], name="ereport_unique_key")]
        indexes = [models.Index(fields=["tenant", "invoice"], name="ereport_invoice")]


class SupplierIdentity(TenantModel):
    """A contractor as a supplier on the e-invoicing network: the company that bills the firm for
    the contractor's days (its SIREN identifies its invoices received from the platform)."""

    membership = models.OneToOneField(
        "tenancy.Membership", on_delete=models.PROTECT, related_name="supplier_identity", verbose_name=_("consultant externe")
    )
    company_name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, validators=[validate_siren])

    class Meta:
        ordering = ["company_name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "membership"], name="supplieridentity_one_per_member"),
            models.UniqueConstraint(fields=["tenant", "siren"], name="supplieridentity_unique_siren"),
        ]


class SupplierInvoiceSource(models.TextChoices):
    PLATFORM = "platform", _("Plateforme")
    MANUAL = "manual", _("Saisie manuelle")


class SupplierInvoiceState(models.TextChoices):
    RECEIVED = "received", _("À vérifier")
    APPROVED = "approved", _("Approuvée")
    REFUSED = "refused", _("Refusée")


class SupplierMatch(models.TextChoices):
    MATCHED = "matched", _("Conforme aux CRA validés")
    DIFFERS = "differs", _("Montant différent des CRA validés")
    NO_TIMESHEET = "no_timesheet", _("Aucun jour validé ce mois-là")
    UNKNOWN_SUPPLIER = "unknown_supplier", _("Fournisseur inconnu (SIREN)")


class SupplierInvoice(TenantModel):
    """An invoice a contractor's company sent the firm (received from the platform, or entered by
    hand), checked against the contractor's approved days × purchase rate for the month it bills,
    then approved or refused; the decision goes back to the platform as a lifecycle status."""

    supplier = models.ForeignKey(SupplierIdentity, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices")
    source = models.CharField(max_length=10, choices=SupplierInvoiceSource.choices, default=SupplierInvoiceSource.PLATFORM)
    platform_id = models.CharField(_("identifiant du flux"), max_length=100, blank=True)
    seller_siren = models.CharField(_("SIREN du fournisseur"), max_length=9)
    seller_name = models.CharField(_("fournisseur"), max_length=200, blank=True)
    number = models.CharField(_("numéro"), max_length=100)
    issue_date = models.DateField(_("date de facture"))
    month = models.DateField(_("mois facturé"), help_text="first day of the month billed")
    currency = models.CharField(max_length=3, default="EUR")
    total_net = models.DecimalField(_("total HT"), max_digits=14, decimal_places=2)
    total_vat = models.DecimalField(_("TVA"), max_digits=14, decimal_places=2, default=0)
    total_gross = models.DecimalField(_("total TTC"), max_digits=14, decimal_places=2)
    received_at = models.DateTimeField()
    expected_days = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    expected_net = models.DecimalField(_("HT attendu"), max_digits=14, decimal_places=2, null=True, blank=True)
    match = models.CharField(max_length=20, choices=SupplierMatch.choices)
    state = models.CharField(max_length=10, choices=SupplierInvoiceState.choices, default=SupplierInvoiceState.RECEIVED)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey("tenancy.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.CharField(_("motif"), max_length=500, blank=True)
    status = models.CharField(max_length=3, choices=Lifecycle.choices, blank=True)
    status_sent_at = models.DateTimeField(null=True, blank=True)
    status_attempts = models.PositiveSmallIntegerField(default=0)
    status_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-issue_date", "-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "platform_id"], condition=~models.Q(platform_id=""),
                                    name="supplierinvoice_unique_flow"),
            models.UniqueConstraint(fields=["tenant", "seller_siren", "number"], name="supplierinvoice_unique_number"),
        ]
        indexes = [models.Index(fields=["tenant", "state"], name="supplierinvoice_tenant_state")]

    @property
    def difference(self):
        return None if self.expected_net is None else self.total_net - self.expected_net
