"""Tenants (consulting firms), memberships with roles, invitations, and the base of every
tenant-owned model.
"""

from __future__ import annotations

import uuid
import zoneinfo
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .context import current_tenant_id, require_tenant_id
from .errors import TenantMismatch
from .managers import CrossTenantManager, TenantManager
from .validators import validate_bic, validate_iban, validate_siren, validate_siret, validate_vat_number

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class TimeStampedModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


# An update is recorded only when a tracked field changes: a save that only bumps `updated_at`
# (the demo loader re-saving the firm, a form submitted unchanged) is not an audit event.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)))
class Tenant(TimeStampedModel):
    """A consulting firm: everything French law requires on its invoices, and its defaults."""

    slug = models.SlugField(
        _("identifiant"),
        max_length=50,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$", _("Lettres minuscules, chiffres et tirets."))],
        help_text=_("Apparaît dans les adresses : /t/<identifiant>/"),
    )
    name = models.CharField(_("nom commercial"), max_length=200)
    legal_name = models.CharField(_("raison sociale"), max_length=200, blank=True)
    legal_form = models.CharField(_("forme juridique"), max_length=50, blank=True, help_text=_("SAS, SARL, SA…"))
    share_capital = models.DecimalField(
        _("capital social (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    rcs_city = models.CharField(_("ville du RCS"), max_length=100, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(_("SIRET du siège"), max_length=14, blank=True, validators=[validate_siret])
    vat_number = models.CharField(_("TVA intracommunautaire"), max_length=20, blank=True, validators=[validate_vat_number])
    address_line1 = models.CharField(_("adresse"), max_length=200, blank=True)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=20, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR", help_text=_("Code ISO à 2 lettres."))
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    logo = models.FileField(_("logo"), upload_to="tenant-logos/", blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30, validators=[MaxValueValidator(60)],
        help_text=_("60 jours au plus (article L441-10 du Code de commerce)."),
    )
    payment_terms_end_of_month = models.BooleanField(_("fin de mois"), default=False)
    billing_email = models.EmailField(
        _("e-mail de contact facturation"), blank=True,
        help_text=_("Les réponses des clients aux e-mails de l'application (factures, relances) arrivent à cette adresse."),
    )
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris", choices=TIME_ZONE_CHOICES)
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    require_two_factor = models.BooleanField(
        _("double authentification obligatoire"), default=False,
        help_text=_("Exige un code TOTP pour les rôles administrateur et ADV."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("société")
        verbose_name_plural = _("sociétés")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(payment_terms_days__lte=60), name="tenant_payment_terms_legal_max"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        for field in ("siren", "siret", "vat_number", "iban", "bic"):
            value = getattr(self, field)
            if value:
                setattr(self, field, "".join(value.split()).upper())
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": _("Le SIRET doit commencer par le SIREN de la société.")})
        if self.payment_terms_end_of_month and self.payment_terms_days > 45:
            raise ValidationError(
                {"payment_terms_days": _("En fin de mois, le délai légal maximal est de 45 jours.")}
            )


class TenantModel(TimeStampedModel):
    """Base of every tenant-owned row: carries `tenant_id`, scoped by default, stamped on save.

    Its table must get row-level security in its migration (`tenancy.rls.EnableRowLevelSecurity`);
    a meta-test fails for any table with a `tenant_id` column that has none.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, editable=False, related_name="+")

    objects = TenantManager()
    cross_tenant_objects = CrossTenantManager()

    class Meta:
        abstract = True
        base_manager_name = "cross_tenant_objects"

    def save(self, *args, **kwargs):
        active = require_tenant_id()
        if self.tenant_id is None:
            self.tenant_id = active
        elif self.tenant_id != active:
            raise TenantMismatch(f"{type(self).__name__} of tenant {self.tenant_id} saved while {active} is active.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.tenant_id != current_tenant_id():
            raise TenantMismatch(f"{type(self).__name__} of tenant {self.tenant_id} deleted outside its tenant.")
        return super().delete(*args, **kwargs)


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    ADV = "adv", _("ADV / facturation")
    SALES = "sales", _("Commercial")
    PROJECT_MANAGER = "project_manager", _("Chef de projet")
    MANAGER = "manager", _("Manager")
    CONSULTANT = "consultant", _("Consultant")
    ACCOUNTANT = "accountant", _("Comptable")


class ClearanceLevel(models.IntegerChoices):
    PUBLIC = 1, _("1 – Tous")
    INTERNAL = 2, _("2 – Interne")
    CONFIDENTIAL = 3, _("3 – Confidentiel")
    RESTRICTED = 4, _("4 – Restreint")


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)), pghistory.DeleteEvent()
)
class Membership(TenantModel):
    """A user's place in one firm: a role, a document clearance, a manager."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    clearance_level = models.PositiveSmallIntegerField(
        _("niveau d'habilitation"), choices=ClearanceLevel.choices, default=ClearanceLevel.PUBLIC,
        help_text=_("Niveau de sécurité maximal des documents visibles (1 à 4)."),
    )
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports",
        verbose_name=_("manager"),
    )
    is_contractor = models.BooleanField(
        _("consultant externe"), default=False,
        help_text=_("Freelance ou sous-traitant : ne voit jamais les prix de vente."),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["tenant_id", "user__email"]
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(clearance_level__gte=1, clearance_level__lte=4),
                name="membership_clearance_1_to_4",
            ),
            models.CheckConstraint(condition=~models.Q(reports_to=models.F("id")), name="membership_not_own_manager"),
        ]
        indexes = [models.Index(fields=["tenant", "role"], name="membership_tenant_role")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def must_use_second_factor(self) -> bool:
        """The firm requires a second factor of this member's role (every way in: pages, API, WebSocket)."""
        return bool(self.tenant.require_two_factor) and self.role in settings.ADV_TWO_FACTOR_ROLES


class Invitation(TenantModel):
    """A single-use, expiring invitation to join a firm. Only the SHA-256 of its token is kept."""

    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    clearance_level = models.PositiveSmallIntegerField(
        _("niveau d'habilitation"), choices=ClearanceLevel.choices, default=ClearanceLevel.PUBLIC
    )
    reports_to = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("manager")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def is_usable(self) -> bool:
        return self.status == "pending"
