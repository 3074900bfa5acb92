"""Every write on clients, contacts, billing profiles and client names (documents: documents/services.py).

One function per business action; each checks the actor's right and the object's state,
writes in one transaction, and registers its side effects (notifications) on commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import nh3
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import Conflict, DomainError
from adv.tenancy.models import Membership

from . import access, crypto
from .errors import ClientErrorCode, SirenTaken
from .models import (
    PAYMENT_TERMS_MAX_DAYS,
    PAYMENT_TERMS_MAX_DAYS_END_OF_MONTH,
    BillingProfile,
    Client,
    ClientName,
    Contact,
)
from .signals import client_billing_changed

CLIENT_FIELDS = {
    "status", "legal_name", "trade_name", "legal_form", "siren", "siret", "vat_number", "country", "sector",
    "parent", "is_public_sector", "owner", "adv_owner", "notes",
    "head_office_line1", "head_office_line2", "head_office_postal_code", "head_office_city", "head_office_country",
    "billing_line1", "billing_line2", "billing_postal_code", "billing_city", "billing_country",
}
# A change of these is a renaming (changement de dénomination): it goes through client_rename.
NAME_FIELDS = {"legal_name", "trade_name"}
BILLING_PROFILE_FIELDS = {
    "payment_terms_days", "payment_terms_end_of_month", "invoice_language", "einvoicing_platform", "platform_name",
    "platform_url", "platform_instructions", "platform_username", "chorus_service_code",
    "chorus_engagement_required", "purchase_order_required", "reception_number_required",
    "signed_timesheet_required", "grouping", "billing_process", "pre_invoice_notes",
}
CONTACT_FIELDS = {
    "first_name", "last_name", "job_title", "email", "phone", "invoice_delivery", "signs_timesheets",
    "signs_acceptance_reports", "is_active",
}
RICH_TEXT_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code"}


def model_validate(instance, exclude: Iterable[str] = ()) -> None:
    """Model validation turned into a DomainError that carries every field's message."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        error = DomainError(" ".join(messages), code=ClientErrorCode.INVALID, field=None if field == "__all__" else field)
        error.errors = exc.message_dict
        raise error from exc


def _normalize_identifiers(client: Client) -> None:
    for name in ("siren", "siret", "vat_number"):
        value = getattr(client, name) or ""
        setattr(client, name, "".join(value.split()).replace(".", "").upper())


def _check_identifiers_agree(client: Client) -> None:
    """The SIRET is an establishment of the SIREN, and a French VAT number is built on it: a
    number copied from another company is caught here, not on a rejected invoice. A SIRET
    alone gives its SIREN."""
    if client.siret and not client.siren:
        client.siren = client.siret[:9]
    if client.siren and client.siret and client.siret[:9] != client.siren:
        raise DomainError(
            _("Ce SIRET n'est pas un établissement de ce SIREN : il doit commencer par %(siren)s.")
            % {"siren": client.siren},
            code=ClientErrorCode.SIRET_SIREN_MISMATCH, field="siret",
        )
    if client.siren and client.vat_number.startswith("FR") and client.vat_number[4:] != client.siren:
        raise DomainError(
            _("Ce numéro de TVA n'est pas celui de ce SIREN : un numéro français s'écrit FR + clé + %(siren)s.")
            % {"siren": client.siren},
            code=ClientErrorCode.VAT_SIREN_MISMATCH, field="vat_number",
        )


def _check_same_tenant_member(membership: Membership | None, field: str) -> None:
    if membership is not None and (membership.tenant_id != require_tenant_id() or not membership.is_active):
        raise DomainError(_("Choisissez un membre actif de la société."), code=ClientErrorCode.INVALID_MEMBER, field=field)


def _check_siren_free(client: Client) -> None:
    if not client.siren:
        return
    existing = Client.objects.filter(siren=client.siren).exclude(pk=client.pk).first()
    if existing is not None:
        raise SirenTaken(existing)


def _check_parent(client: Client) -> None:
    seen = {client.pk}
    parent = client.parent
    while parent is not None:
        if parent.pk in seen:
            raise DomainError(_("Ce groupe créerait une boucle (une société ne peut pas être sa propre mère)."), code=ClientErrorCode.PARENT_CYCLE, field="parent")
        seen.add(parent.pk)
        parent = parent.parent


def _billing_changed(client_id) -> None:
    """Announce a change that pre-invoice checks read (billing listens: clients.signals)."""
    client_billing_changed.send(sender=Client, client_id=client_id)


# --- Clients ------------------------------------------------------------------------------------


@transaction.atomic
def client_create(*, actor: Membership, **fields) -> Client:
    access.require(actor, access.can_edit_clients(actor))
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=ClientErrorCode.UNKNOWN_FIELDS)
    client = Client(**fields)
    _normalize_identifiers(client)
    model_validate(client, exclude=["tenant"])
    _check_identifiers_agree(client)
    _check_same_tenant_member(client.owner, "owner")
    _check_same_tenant_member(client.adv_owner, "adv_owner")
    _check_siren_free(client)
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:  # a concurrent creation with the same SIREN
        raise SirenTaken(Client.objects.get(siren=client.siren)) from exc
    ClientName.objects.create(
        client=client, legal_name=client.legal_name, trade_name=client.trade_name,
        valid_from=timezone.localdate(), changed_by=actor,
    )
    tenant = actor.tenant
    BillingProfile.objects.create(
        client=client,
        payment_terms_days=tenant.payment_terms_days,
        payment_terms_end_of_month=tenant.payment_terms_end_of_month,
        invoice_language=tenant.language,
        einvoicing_platform="chorus_pro" if client.is_public_sector else "none",
    )
    return client


@transaction.atomic
def client_update(*, actor: Membership, client: Client, **fields) -> Client:
    access.require(actor, access.can_edit_clients(actor))
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=ClientErrorCode.UNKNOWN_FIELDS)
    renamed = {k: v for k, v in fields.items() if k in NAME_FIELDS and v != getattr(client, k)}
    if renamed:
        raise DomainError(
            _("Un changement de nom passe par « Changer de dénomination » (avec sa date)."),
            code=ClientErrorCode.USE_RENAME, field=next(iter(renamed)),
        )
    for name, value in fields.items():
        setattr(client, name, value)
    _normalize_identifiers(client)
    model_validate(client, exclude=["tenant"])
    _check_identifiers_agree(client)
    _check_same_tenant_member(client.owner, "owner")
    _check_same_tenant_member(client.adv_owner, "adv_owner")
    _check_siren_free(client)
    _check_parent(client)
    if client.is_public_sector:
        profile = client.billing_profile
        if profile.einvoicing_platform == "none":
            profile.einvoicing_platform = "chorus_pro"
            profile.save(update_fields=["einvoicing_platform", "updated_at"])
    client.save()
    _billing_changed(client.pk)
    return client


@transaction.atomic
def client_rename(
    *, actor: Membership, client: Client, legal_name: str, trade_name: str = "", valid_from: datetime.date
) -> Client:
    """Record a change of name from a date. Earlier documents keep the name of their date."""
    access.require(actor, access.can_edit_clients(actor))
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    legal_name = (legal_name or "").strip()
    if not legal_name:
        raise DomainError(_("La nouvelle raison sociale est obligatoire."), code=ClientErrorCode.REQUIRED, field="legal_name")
    if valid_from > timezone.localdate():
        raise DomainError(_("La date du changement ne peut pas être dans le futur."), code=ClientErrorCode.FUTURE_DATE, field="valid_from")
    oldest = ClientName.objects.filter(client=client).order_by("valid_from").first()
    if oldest is not None and datetime.date.min < valid_from <= oldest.valid_from:
        # The first record only says "known under this name when the record was created": a
        # change dated before it, or on that very day (a rename the day the client was created),
        # means that name was borne before that date; it stays in the history, the day before
        # (else the change would never become the current name, or would overwrite the first one).
        oldest.valid_from = valid_from - datetime.timedelta(days=1)
        oldest.save(update_fields=["valid_from", "updated_at"])
    ClientName.objects.update_or_create(
        client=client, valid_from=valid_from,
        defaults={"legal_name": legal_name, "trade_name": trade_name.strip(), "changed_by": actor},
    )
    current = ClientName.objects.filter(client=client).order_by("-valid_from").first()
    client.legal_name, client.trade_name = current.legal_name, current.trade_name
    client.save(update_fields=["legal_name", "trade_name", "updated_at"])
    return client


def client_name_on(client: Client, day: datetime.date) -> str:
    """The client's name as it was on `day` (the oldest known name before the first record)."""
    names = sorted(client.names.all(), key=lambda n: n.valid_from)
    chosen = names[0] if names else None
    for name in names:
        if name.valid_from <= day:
            chosen = name
    if chosen is None:
        return client.display_name
    return chosen.trade_name or chosen.legal_name


@transaction.atomic
def client_archive(*, actor: Membership, client: Client) -> Client:
    access.require(actor, access.can_edit_clients(actor))
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    if client.archived_at is None:
        client.archived_at = timezone.now()
        client.save(update_fields=["archived_at", "updated_at"])
    return client


@transaction.atomic
def client_unarchive(*, actor: Membership, client: Client) -> Client:
    access.require(actor, access.can_edit_clients(actor))
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    client.archived_at = None
    client.save(update_fields=["archived_at", "updated_at"])
    return client


@transaction.atomic
def client_delete(*, actor: Membership, client: Client) -> None:
    """Delete a client that nothing depends on; otherwise it must be archived."""
    access.require(actor, access.can_edit_clients(actor))
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    dependents = _client_dependents(client)
    if dependents:
        raise Conflict(
            _("Ce client a déjà des éléments rattachés (%(what)s) : archivez-le plutôt que de le supprimer.")
            % {"what": ", ".join(dependents)},
            code=ClientErrorCode.CLIENT_IN_USE,
        )
    client.delete()


def _client_dependents(client: Client) -> list[str]:
    """What keeps the client from being deleted, in words: the rows that protect it (documents,
    deals, invoices, whatever app adds one later, found by Django's delete collector) and its
    subsidiaries (which would silently lose their group)."""
    found: list[str] = []
    collector = Collector(using=client._state.db or "default")
    try:
        collector.collect([client])
    except (ProtectedError, RestrictedError) as exc:
        objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        for model in sorted({type(obj) for obj in objects}, key=lambda m: m._meta.label):
            found.append(str(model._meta.verbose_name_plural))
    if client.subsidiaries.exists():
        found.append(str(_("filiales")))
    return found


# --- Contacts -----------------------------------------------------------------------------------


@transaction.atomic
def contact_create(*, actor: Membership, client: Client, **fields) -> Contact:
    access.require(actor, access.can_edit_clients(actor))
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=ClientErrorCode.UNKNOWN_FIELDS)
    contact = Contact(client=client, **fields)
    _validate_contact(contact)
    contact.save()
    _billing_changed(contact.client_id)
    return contact


@transaction.atomic
def contact_update(*, actor: Membership, contact: Contact, **fields) -> Contact:
    access.require(actor, access.can_edit_clients(actor))
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=ClientErrorCode.UNKNOWN_FIELDS)
    for name, value in fields.items():
        setattr(contact, name, value)
    _validate_contact(contact)
    contact.save()
    _billing_changed(contact.client_id)
    return contact


def _validate_contact(contact: Contact) -> None:
    contact.email = (contact.email or "").strip().lower()
    if contact.invoice_delivery and not contact.email:
        raise DomainError(_("Un destinataire des factures doit avoir une adresse e-mail."), code=ClientErrorCode.EMAIL_REQUIRED, field="email")
    model_validate(contact, exclude=["tenant", "client"])


@transaction.atomic
def contact_delete(*, actor: Membership, contact: Contact) -> None:
    access.require(actor, access.can_edit_clients(actor))
    client_id = contact.client_id
    contact.delete()
    _billing_changed(client_id)


# --- Billing profile ----------------------------------------------------------------------------


@transaction.atomic
def billing_profile_update(
    *, actor: Membership, client: Client, platform_password: str | None = None, **fields
) -> BillingProfile:
    """Update how the client is billed. `platform_password`: None keeps it, "" clears it."""
    access.require(actor, access.can_edit_billing_profile(actor))
    profile = BillingProfile.objects.select_for_update(of=("self",)).get(client=client)
    unknown = set(fields) - BILLING_PROFILE_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=ClientErrorCode.UNKNOWN_FIELDS)
    for name, value in fields.items():
        setattr(profile, name, value)
    if "billing_process" in fields:
        profile.billing_process = nh3.clean(profile.billing_process or "", tags=RICH_TEXT_TAGS)
    _validate_payment_terms(profile.payment_terms_days, profile.payment_terms_end_of_month)
    if profile.einvoicing_platform == "other" and not profile.platform_name.strip():
        raise DomainError(_("Indiquez le nom de la plateforme du client."), code=ClientErrorCode.PLATFORM_NAME_REQUIRED, field="platform_name")
    if client.is_public_sector and profile.einvoicing_platform != "chorus_pro":
        raise DomainError(
            _("Un client du secteur public est facturé via Chorus Pro."), code=ClientErrorCode.PUBLIC_SECTOR_CHORUS,
            field="einvoicing_platform",
        )
    if platform_password is not None:
        access.require(actor, access.can_read_platform_password(actor))
        profile.platform_password_encrypted = crypto.encrypt(platform_password)
    model_validate(profile, exclude=["tenant", "client"])
    profile.save()
    _billing_changed(client.pk)
    return profile


def _validate_payment_terms(days: int, end_of_month: bool) -> None:
    if days is None or days < 0:
        raise DomainError(_("Le délai de paiement est un nombre de jours positif."), code=ClientErrorCode.INVALID_PAYMENT_TERMS, field="payment_terms_days")
    if end_of_month and days > PAYMENT_TERMS_MAX_DAYS_END_OF_MONTH:
        raise DomainError(
            _("En fin de mois, le délai de paiement ne peut pas dépasser 45 jours (article L441-10 du Code de commerce)."),
            code=ClientErrorCode.PAYMENT_TERMS_OVER_LEGAL_MAX, field="payment_terms_days",
        )
    if days > PAYMENT_TERMS_MAX_DAYS:
        raise DomainError(
            _("Le délai de paiement ne peut pas dépasser 60 jours (article L441-10 du Code de commerce)."),
            code=ClientErrorCode.PAYMENT_TERMS_OVER_LEGAL_MAX, field="payment_terms_days",
        )


def billing_profile_platform_password(*, actor: Membership, profile: BillingProfile) -> str:
    """Reveal the platform password: adv and admin roles only (the reveal is audited by the caller)."""
    access.require(actor, access.can_read_platform_password(actor))
    return crypto.decrypt(profile.platform_password_encrypted)
