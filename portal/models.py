"""The client portal's tables: who of a client may sign in (a client's existing Contact, invited),
their one-time links, every action they take, the evidence of what they signed, and their
disputes. Every table carries `client_id` so that the portal's row-level-security policy
(`portal/rls.py`) keeps a contact inside their own client."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from billing.models import Invoice
from clients.models import Client, Contact
from deals.models import Milestone
from documents.models import Document
from timesheets.models import ClientApproval, Timesheet


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ClientPortal(TenantModel):
    """The firm's switch for one client: the portal is off until the firm enables it."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="portal")
    enabled = models.BooleanField(_("portail client activé"), default=False)
    reception_number_max_length = models.PositiveSmallIntegerField(
        _("longueur maximale du numéro de réception"), null=True, blank=True,
        help_text=_("Laissez vide pour 100 caractères."),
    )

    class Meta:
        ordering = ["client_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "client"], name="clientportal_one_per_client")]


class PortalContactStatus(models.TextChoices):
    INVITED = "invited", _("Invité")
    ACTIVE = "active", _("Actif")
    REVOKED = "revoked", _("Révoqué")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PortalContact(TenantModel):
    """A client's contact with access to the portal."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="portal_access")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("e-mail de connexion"))
    sees_group = models.BooleanField(
        _("voit le groupe"), default=False, help_text=_("Voit aussi les filiales du client (clients dont il est le groupe)."),
    )
    status = models.CharField(_("statut"), max_length=10, choices=PortalContactStatus.choices, default=PortalContactStatus.INVITED)
    invited_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    password = models.CharField(max_length=128, blank=True, editable=False)
    totp_secret_encrypted = models.TextField(blank=True, editable=False)
    totp_enabled = models.BooleanField(_("code à usage unique (TOTP)"), default=False, editable=False)
    totp_last_step = models.BigIntegerField(default=0, editable=False, help_text="last TOTP time step accepted (no replay)")
    failed_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_login_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True, editable=False)
    # Bumped on revocation and password change: every portal session of an older epoch ends.
    session_epoch = models.PositiveIntegerField(default=1, editable=False)
    language = models.CharField(_("langue"), max_length=8, default="fr")

    class Meta:
        ordering = ["client_id", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email"], condition=~Q(status="revoked"), name="portalcontact_one_live_login_per_email"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class PortalLinkPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    LOGIN = "login", _("Connexion")


class PortalLink(TenantModel):
    """A one-time sign-in link: only the SHA-256 of its secret is stored."""

    contact = models.ForeignKey(PortalContact, on_delete=models.CASCADE, related_name="links")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=12, choices=PortalLinkPurpose.choices)
    key_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["tenant", "key_hash"], name="portallink_unique_key")]


ACTIVITY_LABELS = {
    "login": _("Connexion"),
    "login_failed": _("Échec de connexion"),
    "locked_out": _("Accès bloqué après des échecs"),
    "login_locked_out": _("Connexion refusée (accès bloqué)"),
    "login_link_requested": _("Lien de connexion demandé"),
    "login_link_expired": _("Lien de connexion expiré utilisé"),
    "login_link_reused": _("Lien de connexion déjà utilisé"),
    "login_refused_revoked": _("Connexion refusée (accès révoqué)"),
    "password_set": _("Mot de passe choisi"),
    "totp_enabled": _("Code à usage unique activé"),
    "timesheet_approved": _("CRA validé"),
    "timesheet_rejected": _("CRA refusé"),
    "acceptance_draft_downloaded": _("Projet de PV téléchargé"),
    "acceptance_approved": _("PV de recette approuvé"),
    "acceptance_uploaded": _("PV de recette signé déposé"),
    "reception_number_set": _("Numéro de réception donné"),
    "purchase_order_added": _("Bon de commande donné"),
    "invoice_pdf_downloaded": _("Facture téléchargée (PDF)"),
    "invoice_xml_downloaded": _("Facture téléchargée (Factur-X)"),
    "invoice_disputed": _("Facture contestée"),
}


class PortalActivity(TenantModel):
    """One line of the portal's action log: who (contact), when (created_at), from where, what."""

    contact = models.ForeignKey(PortalContact, on_delete=models.CASCADE, null=True, blank=True, related_name="activity")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "client", "-created_at"], name="portalactivity_client_time")]

    @property
    def label(self) -> str:
        """What the staff's log shows: the action in words, with the reference given if any."""
        text = str(ACTIVITY_LABELS.get(self.action, self.action))
        number = (self.detail or {}).get("number")
        return f"{text} : {number}" if number else text


class SignatureKind(models.TextChoices):
    TIMESHEET = "timesheet", _("CRA")
    ACCEPTANCE = "acceptance", _("PV de recette")


class SignatureDecision(models.TextChoices):
    APPROVED = "approved", _("Approuvé")
    REJECTED = "rejected", _("Refusé")


class PortalSignature(TenantModel):
    """The evidence of a simple electronic signature given on the portal: who, when, from where,
    and the SHA-256 of the exact content approved (the canonical text kept beside it)."""

    contact = models.ForeignKey(PortalContact, on_delete=models.PROTECT, related_name="signatures")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=SignatureKind.choices)
    decision = models.CharField(max_length=10, choices=SignatureDecision.choices)
    reason = models.TextField(blank=True)
    approval = models.ForeignKey(ClientApproval, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    timesheet = models.ForeignKey(Timesheet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    timesheet_version = models.PositiveIntegerField(null=True, blank=True)
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    sha256 = models.CharField(max_length=64)
    content = models.TextField(help_text="the canonical content whose SHA-256 is signed")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    signed_at = models.DateTimeField()
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-signed_at"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class InvoiceDispute(TenantModel):
    """A client's dispute of an invoice, with its message; dunning pauses while it is open."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(PortalContact, on_delete=models.PROTECT, related_name="disputes")
    message = models.TextField(_("message"))
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "invoice"], condition=Q(resolved_at__isnull=True), name="invoicedispute_one_open_per_invoice"
            ),
        ]
