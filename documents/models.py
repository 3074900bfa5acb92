"""Documents kept on client records: their types, files (versions), downloads, per-document
grants, and the documents every client (or prospect, or deal) is expected to have.

The tables were created by the clients app and keep their names (`db_table`); the models moved
here with state-only migrations (documents/migrations/0001_initial.py); so did their pghistory event
models (`meta={"db_table": …}`).
"""

from __future__ import annotations

import datetime

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import ClearanceLevel, Membership, Tenant, TenantModel
from clients.models import Client


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
        db_table = "clients_documenttype"
        ordering = ["name"]
        verbose_name = _("type de document")
        verbose_name_plural = _("types de document")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="documenttype_unique_code")]

    def __str__(self) -> str:
        return self.name


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), meta={"db_table": "clients_documentevent"}
)
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
        db_table = "clients_document"
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


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), meta={"db_table": "clients_documentversionevent"})
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
        db_table = "clients_documentversion"
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
        db_table = "clients_documentdownload"
        ordering = ["-created_at"]
        verbose_name = _("téléchargement")
        verbose_name_plural = _("téléchargements")


@pghistory.track(
    pghistory.InsertEvent(), pghistory.DeleteEvent(), meta={"db_table": "clients_documentuserobjectpermissionevent"}
)
class DocumentUserObjectPermission(UserObjectPermissionBase):
    """django-guardian per-object grant on a document (e.g. open one restricted document to one
    person). A direct foreign key, as guardian recommends, carrying the tenant for isolation."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, editable=False, related_name="+")
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")

    class Meta(UserObjectPermissionBase.Meta):
        db_table = "clients_documentuserobjectpermission"
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


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), meta={"db_table": "clients_documentrequirementevent"}
)
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
        db_table = "clients_documentrequirement"
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
