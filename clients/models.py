"""Clients and prospects, their names, contacts and billing profile.

What must be remembered to bill a client well (situation 3 of the brief); their documents and
expected documents are the documents app's (documents/models.py).
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from adv.tenancy.validators import validate_siren, validate_siret, validate_vat_number

# Payment terms: French law (article L441-10 du Code de commerce) caps them at 60 days from the
# invoice date, or 45 days end of month.
PAYMENT_TERMS_MAX_DAYS = 60
PAYMENT_TERMS_MAX_DAYS_END_OF_MONTH = 45


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CLIENT = "client", _("Client")
    FORMER = "former", _("Ancien client")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Client(TenantModel):
    status = models.CharField(_("statut"), max_length=10, choices=ClientStatus.choices, default=ClientStatus.PROSPECT)
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    trade_name = models.CharField(_("nom commercial"), max_length=200, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=50, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(_("TVA intracommunautaire"), max_length=20, blank=True, validators=[validate_vat_number])
    country = models.CharField(_("pays"), max_length=2, default="FR", help_text=_("Code ISO à 2 lettres."))
    sector = models.CharField(_("secteur d'activité"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="subsidiaries",
        verbose_name=_("groupe (société mère)"),
    )
    is_public_sector = models.BooleanField(_("secteur public"), default=False, help_text=_("Facturé via Chorus Pro."))
    owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_clients",
        verbose_name=_("commercial"),
    )
    adv_owner = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="adv_clients",
        verbose_name=_("ADV en charge"),
    )
    notes = models.TextField(_("notes internes"), blank=True)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)

    head_office_line1 = models.CharField(_("adresse (siège)"), max_length=200, blank=True)
    head_office_line2 = models.CharField(_("complément d'adresse (siège)"), max_length=200, blank=True)
    head_office_postal_code = models.CharField(_("code postal (siège)"), max_length=20, blank=True)
    head_office_city = models.CharField(_("ville (siège)"), max_length=100, blank=True)
    head_office_country = models.CharField(_("pays (siège)"), max_length=2, blank=True, default="FR")

    billing_line1 = models.CharField(_("adresse (facturation)"), max_length=200, blank=True)
    billing_line2 = models.CharField(_("complément d'adresse (facturation)"), max_length=200, blank=True)
    billing_postal_code = models.CharField(_("code postal (facturation)"), max_length=20, blank=True)
    billing_city = models.CharField(_("ville (facturation)"), max_length=100, blank=True)
    # Blank: the client's country (a default of "FR" billed foreign clients French VAT).
    billing_country = models.CharField(
        _("pays (facturation)"), max_length=2, blank=True, default="",
        help_text=_("Laissez vide si c'est le pays du client."),
    )

    class Meta:
        ordering = ["legal_name", "id"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "siren"], condition=~Q(siren=""), name="client_unique_siren_per_tenant"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "status"], name="client_tenant_status"),
            models.Index(fields=["tenant", "owner"], name="client_tenant_owner"),
            models.Index(fields=["tenant", "legal_name"], name="client_tenant_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ClientName(TenantModel):
    """The names a client bore, each from a date (changement de dénomination).

    A document or an invoice shows the name that was true on its date: `Client.name_on(date)`.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="names")
    legal_name = models.CharField(_("raison sociale"), max_length=200)
    trade_name = models.CharField(_("nom commercial"), max_length=200, blank=True)
    valid_from = models.DateField(_("depuis le"))
    changed_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["client_id", "-valid_from"]
        verbose_name = _("dénomination")
        verbose_name_plural = _("dénominations")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "client", "valid_from"], name="clientname_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.valid_from:%d/%m/%Y})"


class InvoiceDelivery(models.TextChoices):
    NONE = "", _("Non")
    TO = "to", _("Destinataire")
    CC = "cc", _("En copie")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Contact(TenantModel):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    invoice_delivery = models.CharField(
        _("reçoit les factures"), max_length=2, choices=InvoiceDelivery.choices, default=InvoiceDelivery.NONE, blank=True
    )
    signs_timesheets = models.BooleanField(_("signe les CRA"), default=False)
    signs_acceptance_reports = models.BooleanField(_("signe les PV de recette"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["client_id", "last_name", "first_name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice_delivery="") | ~Q(email=""), name="contact_invoice_recipient_has_email"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def receives_invoices(self) -> bool:
        return bool(self.invoice_delivery)


class EInvoicingPlatform(models.TextChoices):
    NONE = "none", _("Aucune (envoi par e-mail)")
    CHORUS_PRO = "chorus_pro", _("Chorus Pro")
    OTHER = "other", _("Autre plateforme (PA/PDP, portail fournisseur)")


class InvoiceGrouping(models.TextChoices):
    PER_DEAL = "deal", _("Une facture par affaire")
    PER_PURCHASE_ORDER = "purchase_order", _("Une facture par bon de commande")
    PER_CONSULTANT = "consultant", _("Une facture par consultant")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), exclude=["platform_password_encrypted"])
class BillingProfile(TenantModel):
    """How this client must be billed. Structured, so that the billing run can check it."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="billing_profile")
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30, validators=[MaxValueValidator(PAYMENT_TERMS_MAX_DAYS)]
    )
    payment_terms_end_of_month = models.BooleanField(_("fin de mois"), default=False)
    invoice_language = models.CharField(_("langue des factures"), max_length=8, choices=settings.LANGUAGES, default="fr")
    einvoicing_platform = models.CharField(
        _("plateforme de dématérialisation"), max_length=20, choices=EInvoicingPlatform.choices,
        default=EInvoicingPlatform.NONE,
    )
    platform_name = models.CharField(_("nom de la plateforme"), max_length=100, blank=True)
    platform_url = models.URLField(_("adresse de la plateforme"), blank=True)
    platform_instructions = models.TextField(_("comment déposer"), blank=True)
    platform_username = models.CharField(_("identifiant de connexion"), max_length=200, blank=True)
    # Fernet token (see clients.crypto); readable only by the adv and admin roles.
    platform_password_encrypted = models.TextField(blank=True, editable=False)
    chorus_service_code = models.CharField(_("code service (Chorus Pro)"), max_length=100, blank=True)
    chorus_engagement_required = models.BooleanField(_("numéro d'engagement obligatoire"), default=False)
    purchase_order_required = models.BooleanField(_("bon de commande obligatoire sur chaque facture"), default=False)
    reception_number_required = models.BooleanField(
        _("numéro de réception par consultant et par mois"), default=False
    )
    signed_timesheet_required = models.BooleanField(_("CRA signé par le client à joindre"), default=False)
    grouping = models.CharField(
        _("regroupement des factures"), max_length=20, choices=InvoiceGrouping.choices, default=InvoiceGrouping.PER_DEAL
    )
    billing_process = models.TextField(_("processus de facturation documenté"), blank=True, help_text=_("Texte mis en forme."))
    pre_invoice_notes = models.TextField(_("notes pour la préfacture"), blank=True)

    class Meta:
        ordering = ["client_id"]
        verbose_name = _("profil de facturation")
        verbose_name_plural = _("profils de facturation")
        constraints = [
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=PAYMENT_TERMS_MAX_DAYS)
                & (Q(payment_terms_end_of_month=False) | Q(payment_terms_days__lte=PAYMENT_TERMS_MAX_DAYS_END_OF_MONTH)),
                name="billingprofile_payment_terms_legal_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client}"

    @property
    def has_platform_password(self) -> bool:
        return bool(self.platform_password_encrypted)
