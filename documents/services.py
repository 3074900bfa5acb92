"""Every write about documents: document types and expected documents (admin), uploads and new
versions, edits, downloads recorded, per-document grants. One function per business action, each
checking the actor's rights (documents/access.py)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from adv.tenancy.errors import Conflict, DomainError, NotFound
from adv.tenancy.models import Membership, Role
from clients.models import Client
from clients.services import client_name_on, model_validate
from notifications.services import notify

from . import access, defaults
from .errors import DocumentErrorCode
from .files import StoredUpload, delete_blob, store_upload
from .models import Document, DocumentDownload, DocumentRequirement, DocumentType, DocumentVersion
from .signals import document_stored

# --- Document types and requirements ----------------------------------------------------------


def document_types_seed_defaults() -> None:
    """Give the active tenant the default document types and requirements (idempotent)."""
    types = {}
    for code, name, contractual, level in defaults.DOCUMENT_TYPES:
        types[code], _created = DocumentType.objects.get_or_create(
            code=code, defaults={"name": name, "is_contractual": contractual, "default_security_level": level}
        )
    for code, applies_to, max_age, unexpired, responsible in defaults.REQUIREMENTS:
        DocumentRequirement.objects.get_or_create(
            document_type=types[code], applies_to=applies_to,
            defaults={"max_age_days": max_age, "must_be_unexpired": unexpired, "responsible": responsible},
        )


@transaction.atomic
def document_type_save(*, actor: Membership, document_type: DocumentType | None = None, **fields) -> DocumentType:
    access.require(actor, actor.role == Role.ADMIN)
    document_type = document_type or DocumentType()
    for name, value in fields.items():
        setattr(document_type, name, value)
    model_validate(document_type, exclude=["tenant"])
    if DocumentType.objects.filter(code=document_type.code).exclude(pk=document_type.pk).exists():
        raise Conflict(_("Ce code de type de document existe déjà."), code=DocumentErrorCode.CODE_TAKEN, field="code")
    document_type.save()
    return document_type


@transaction.atomic
def requirement_save(*, actor: Membership, requirement: DocumentRequirement | None = None, **fields) -> DocumentRequirement:
    access.require(actor, actor.role == Role.ADMIN)
    requirement = requirement or DocumentRequirement()
    for name, value in fields.items():
        setattr(requirement, name, value)
    model_validate(requirement, exclude=["tenant"])
    if (
        DocumentRequirement.objects.filter(document_type=requirement.document_type, applies_to=requirement.applies_to)
        .exclude(pk=requirement.pk)
        .exists()
    ):
        raise Conflict(_("Ce document est déjà attendu pour ce périmètre."), code=DocumentErrorCode.REQUIREMENT_EXISTS)
    requirement.save()
    return requirement


@transaction.atomic
def requirement_delete(*, actor: Membership, requirement: DocumentRequirement) -> None:
    access.require(actor, actor.role == Role.ADMIN)
    requirement.delete()


# --- Documents ----------------------------------------------------------------------------------


def document_upload(
    *,
    actor: Membership,
    client: Client,
    document_type: DocumentType,
    title: str,
    upload,
    signed_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    security_level: int | None = None,
    comment: str = "",
    deal=None,
) -> Document:
    """Store a new document on a client (and one of its deals), for a member allowed to upload at
    that level."""
    access.require(actor, access.can_upload_documents(actor))
    if client.tenant_id != actor.tenant_id:
        raise NotFound()
    if security_level is None:
        security_level = document_type.default_security_level
    if security_level > actor.clearance_level and actor.role != Role.ADMIN:
        raise DomainError(
            _("Vous ne pouvez pas déposer un document d'un niveau supérieur à votre habilitation (%(level)s).")
            % {"level": actor.clearance_level},
            code=DocumentErrorCode.LEVEL_ABOVE_CLEARANCE, field="security_level",
        )
    return document_store(
        uploaded_by=actor, client=client, document_type=document_type, title=title, upload=upload,
        signed_on=signed_on, valid_until=valid_until, security_level=security_level, comment=comment, deal=deal,
    )


def document_store(
    *,
    uploaded_by: Membership,
    client: Client,
    document_type: DocumentType,
    title: str,
    upload,
    deal=None,
    signed_on: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    security_level: int | None = None,
    comment: str = "",
) -> Document:
    """Write a document and its first file, the caller having decided that `uploaded_by` may
    (`document_upload` for the library's rules; other features for their own, such as a
    consultant handing in the signed timesheet of their month). The bytes are checked before
    anything is written; if anything fails after the blob is stored, the blob is deleted."""
    if security_level is None:
        security_level = document_type.default_security_level
    document = Document(
        client=client, deal=deal, document_type=document_type,
        title=(title or "").strip() or getattr(upload, "name", ""), signed_on=signed_on, valid_until=valid_until,
        security_level=security_level, uploaded_by=uploaded_by,
    )
    model_validate(document, exclude=["tenant", "client", "deal", "document_type", "uploaded_by", "current_version"])
    stored = store_upload(upload, tenant_id=uploaded_by.tenant_id)  # raises before writing when refused
    try:
        with transaction.atomic():
            document.client_name_at_date = client_name_on(client, signed_on or timezone.localdate())
            # Inserted with its first file (the foreign key is checked at commit): one upload is
            # one "created" event in the audit trail, not a creation then an update.
            document.current_version_id = stored.version_id
            document.save()
            _add_version(document, stored, uploaded_by, comment)
            if document_type.is_contractual:
                # In the same transaction: the notification rows (and their outbox) exist
                # exactly when the document does.
                _notify_new_contractual_document(document, uploaded_by)
    except BaseException:
        delete_blob(stored)
        raise
    return document


def document_add_version(*, actor: Membership, document: Document, upload, comment: str = "") -> DocumentVersion:
    """A new file for the same document: the previous version is superseded, history kept."""
    access.require(actor, access.can_upload_documents(actor) and access.can_view_document(actor, document))
    stored = store_upload(upload, tenant_id=actor.tenant_id)
    try:
        with transaction.atomic():
            document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
            version = _add_version(document, stored, actor, comment)
    except BaseException:
        delete_blob(stored)
        raise
    return version


def _add_version(document: Document, stored: StoredUpload, actor: Membership, comment: str) -> DocumentVersion:
    previous = document.versions.order_by("-number").first()
    now = timezone.now()
    if previous is not None:
        DocumentVersion.objects.filter(document=document, superseded_at__isnull=True).update(superseded_at=now)
    version = DocumentVersion(
        id=stored.version_id,
        document=document,
        number=(previous.number + 1) if previous else 1,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor,
        comment=comment[:300],
    )
    version.file.name = stored.name
    version.save()
    if document.current_version_id != version.id:
        document.current_version = version
        document.save(update_fields=["current_version", "updated_at"])
    document_stored.send(
        sender=Document,
        document_id=str(document.pk),
        version_id=str(version.pk),
        client_id=str(document.client_id),
        deal_id=str(document.deal_id) if document.deal_id else None,
        actor_id=str(actor.pk),
    )
    return version


def _notify_new_contractual_document(document: Document, actor: Membership) -> None:
    client = document.client
    # The client's owner and ADV, and the people of the deal it belongs to (its sales owner and
    # project manager), each once, and only those whose clearance lets them open it.
    people = [client.owner, client.adv_owner]
    if document.deal is not None:
        people += [document.deal.sales_owner, document.deal.project_manager]
    recipients = {m.pk: m for m in people if m is not None and m.pk != actor.pk and m.is_active}
    recipients = [m for m in recipients.values() if access.can_view_document(m, document)]
    if not recipients:
        return
    notify(
        recipients=recipients,
        event="document_contractual_added",
        context={
            "client_name": client.display_name,
            "document_title": document.title,
            "document_type": document.document_type.name,
            "uploader_name": str(actor.user),
        },
        target=document,
        actor=actor.user,
        url=reverse(
            "clients:document_detail",
            kwargs={"tenant_slug": actor.tenant.slug, "client_pk": client.pk, "pk": document.pk},
        ),
    )


@transaction.atomic
def document_update(*, actor: Membership, document: Document, **fields) -> Document:
    access.require(actor, access.can_upload_documents(actor) and access.can_view_document(actor, document))
    document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
    allowed = {"title", "document_type", "signed_on", "valid_until", "security_level"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=DocumentErrorCode.UNKNOWN_FIELDS)
    if "security_level" in fields and fields["security_level"] > actor.clearance_level and actor.role != Role.ADMIN:
        raise DomainError(_("Niveau supérieur à votre habilitation."), code=DocumentErrorCode.LEVEL_ABOVE_CLEARANCE, field="security_level")
    for name, value in fields.items():
        setattr(document, name, value)
    model_validate(document, exclude=["tenant", "client", "document_type", "uploaded_by", "current_version"])
    if "signed_on" in fields:
        # A corrected date carries the client's name of that date (changement de dénomination).
        document.client_name_at_date = client_name_on(document.client, document.signed_on or timezone.localdate(document.created_at))
    document.save()
    return document


@transaction.atomic
def document_record_download(
    *, actor: Membership, version: DocumentVersion, ip_address: str | None, via_api: bool = False
) -> DocumentDownload:
    if not access.can_view_document(actor, version.document):
        raise NotFound()
    return DocumentDownload.objects.create(version=version, membership=actor, ip_address=ip_address, via_api=via_api)


@transaction.atomic
def document_grant(*, actor: Membership, document: Document, member: Membership) -> None:
    """Open one document to one member whatever their role or clearance (an exception)."""
    access.require(actor, access.can_manage_grants(actor))
    if member.tenant_id != document.tenant_id or not member.is_active:
        raise NotFound()
    assign_perm("documents.view_restricted_document", member.user, document)


@transaction.atomic
def document_revoke_grant(*, actor: Membership, document: Document, member: Membership) -> None:
    access.require(actor, access.can_manage_grants(actor))
    remove_perm("documents.view_restricted_document", member.user, document)
