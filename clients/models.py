"""Clients and prospects, their contacts, billing profile, documents and expected documents.

Everything about a client in one place (situation 1 of the brief) and what must be remembered
to bill them well (situation 3).
"""

from __future__ import annotations

import datetime

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import ClearanceLevel, Membership, Tenant, TenantModel
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


class DocumentType(TenantModel):
    """A kind of document the firm keeps (K-bis, bon de commande…), configurable per tenant."""

    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("nom"), max_length=100)
    is_contractual = models.BooleanField(
        _("contractuel"), default=False, help_text=_("Preuve de commande : notifie le commercial et l'ADV, figure dans l'export pour le commissaire aux comptes."),
    )
    default_security_level = models.PositiveSmallIntegerField(
        _("niveau de sécurité par défaut"), choices=ClearanceLevel.choices, default=ClearanceLevel.INTERNAL
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("type de document")
        verbose_name_plural = _("types de document")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="documenttype_unique_code")]

    def __str__(self) -> str:
        return self.name


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Document(TenantModel):
    """A document kept on a client record; its files are its versions (the newest is current)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="documents")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="documents", verbose_name=_("type"))
    # The deal the document belongs to (signed quote, purchase order, acceptance report…).
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name=_("affaire")
    )
    title = models.CharField(_("titre"), max_length=200)
    signed_on = models.DateField(_("signé / émis le"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    security_level = models.PositiveSmallIntegerField(
        _("niveau de sécurité"), choices=ClearanceLevel.choices, default=ClearanceLevel.INTERNAL,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    uploaded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("déposé par"))
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_name_at_date = models.CharField(
        _("nom du client à la date du document"), max_length=200, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        permissions = [("view_restricted_document", _("Voir ce document malgré son niveau de sécurité"))]
        indexes = [
            models.Index(fields=["tenant", "client", "document_type"], name="document_client_type"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(security_level__gte=1, security_level__lte=4), name="document_level_1_to_4"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(signed_on__isnull=True) | Q(valid_until__gte=models.F("signed_on")),
                name="document_validity_after_signature",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: datetime.date) -> bool:
        return self.valid_until is not None and self.valid_until < today


def document_upload_to(instance: DocumentVersion, filename: str) -> str:
    # The stored name never derives from the user's file name (kept in original_name).
    return f"tenants/{instance.tenant_id}/documents/{instance.document_id}/{instance.id}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class DocumentVersion(TenantModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(upload_to=document_upload_to, max_length=300)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type de fichier"), max_length=100)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    superseded_at = models.DateTimeField(_("remplacée le"), null=True, blank=True)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)

    class Meta:
        ordering = ["document_id", "-number"]
        verbose_name = _("version de document")
        verbose_name_plural = _("versions de document")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "document", "number"], name="documentversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.number})"


class DocumentDownload(TenantModel):
    """Who downloaded which version, when, from where: the access log of documents."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="downloads")
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    via_api = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("téléchargement")
        verbose_name_plural = _("téléchargements")


@pghistory.track(pghistory.InsertEvent(), pghistory.DeleteEvent())
class DocumentUserObjectPermission(UserObjectPermissionBase):
    """django-guardian per-object grant on a document (e.g. open one restricted document to one
    person). A direct foreign key, as guardian recommends, carrying the tenant for isolation."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, editable=False, related_name="+")
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("accès exceptionnel à un document")
        verbose_name_plural = _("accès exceptionnels à des documents")

    def save(self, *args, **kwargs):
        active = require_tenant_id()
        if self.tenant_id is None:
            self.tenant_id = active
        if self.tenant_id != active or self.content_object.tenant_id != active:
            raise ValueError("A document grant must be saved in its document's tenant.")
        super().save(*args, **kwargs)


class RequirementScope(models.TextChoices):
    PROSPECT = "prospect", _("Prospects")
    CLIENT = "client", _("Clients")
    # Deals, by type: documents required before a deal of that type can be signed.
    DEAL_T_AND_M = "deal_t_and_m", _("Affaires en régie")
    DEAL_FIXED_PRICE = "deal_fixed_price", _("Affaires au forfait")
    DEAL_SUBSCRIPTION = "deal_subscription", _("Affaires en abonnement")


class Responsible(models.TextChoices):
    OWNER = "owner", _("Le commercial du client")
    ADV = "adv", _("L'ADV en charge")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DocumentRequirement(TenantModel):
    """A document type expected on every client (or prospect), with its validity rule."""

    document_type = models.ForeignKey(DocumentType, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("type"))
    applies_to = models.CharField(_("s'applique aux"), max_length=20, choices=RequirementScope.choices)
    max_age_days = models.PositiveIntegerField(
        _("âge maximal (jours)"), null=True, blank=True,
        help_text=_("Par exemple 90 pour un K-bis de moins de 3 mois (compté depuis la date d'émission)."),
    )
    must_be_unexpired = models.BooleanField(
        _("date de validité non dépassée"), default=True, help_text=_("Un document dont la date de validité est passée est expiré.")
    )
    responsible = models.CharField(_("à fournir par"), max_length=10, choices=Responsible.choices, default=Responsible.OWNER)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["applies_to", "document_type__name"]
        verbose_name = _("document attendu")
        verbose_name_plural = _("documents attendus")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "document_type", "applies_to"], name="requirement_unique_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} ({self.get_applies_to_display()})"


class RequirementReminderKind(models.TextChoices):
    """Kinds of the document reminders in the reminder ledger (`notifications.ReminderSent`)."""

    CHASE = "clients.chase", _("Relance manuelle")
    WEEKLY_DIGEST = "clients.weekly_digest", _("Récapitulatif hebdomadaire")
