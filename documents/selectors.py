"""Reads of documents, document types and expected documents: scoped to the active tenant,
narrowed to what the member may see, and already joined for the page or the serializer."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership
from clients.models import Client

from . import access
from .models import (
    Document,
    DocumentDownload,
    DocumentRequirement,
    DocumentType,
    DocumentUserObjectPermission,
    DocumentVersion,
)

# A document whose validity ends within this many days is flagged "expires soon".
EXPIRING_SOON_DAYS = 30

DOCUMENT_STATUSES = ("valid", "expiring", "expired")


def document_list(
    *,
    actor: Membership,
    client: Client | None = None,
    document_type=None,
    status: str = "",
    today: datetime.date | None = None,
    age_limits: dict | None = None,
) -> QuerySet[Document]:
    """The documents `actor` may see (role + clearance, or a grant), newest first.

    `status` (valid, expiring, expired) reads "valid until", and with `age_limits` ({type id:
    days}, see requirements.age_limits) the age of the types that must be recent (K-bis)."""
    queryset = Document.objects.filter(tenant_id=require_tenant_id()).select_related(
        "document_type", "uploaded_by__user", "current_version__uploaded_by__user", "client"
    )
    if client is not None:
        queryset = queryset.filter(client=client)
    if document_type is not None:
        queryset = queryset.filter(document_type=document_type)
    if status:
        today = today or timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRING_SOON_DAYS)
        expired = Q(valid_until__lt=today)
        expiring = Q(valid_until__gte=today, valid_until__lte=soon)
        for type_id, days in (age_limits or {}).items():
            # Issued (else uploaded) more than `days` ago: as the checklist counts it.
            too_old, old_soon = today - datetime.timedelta(days=days), soon - datetime.timedelta(days=days)
            expired |= Q(document_type_id=type_id) & (
                Q(signed_on__lt=too_old) | Q(signed_on__isnull=True, current_version__created_at__date__lt=too_old)
            )
            expiring |= Q(document_type_id=type_id) & (
                Q(signed_on__gte=too_old, signed_on__lte=old_soon)
                | Q(signed_on__isnull=True, current_version__created_at__date__gte=too_old,
                    current_version__created_at__date__lte=old_soon)
            )
        if status == "expired":
            queryset = queryset.filter(expired)
        elif status == "expiring":
            queryset = queryset.filter(expiring).exclude(expired)
        elif status == "valid":
            queryset = queryset.exclude(expired)
    return access.visible_documents(queryset, actor).order_by("-created_at", "id")


def document_get(*, actor: Membership, pk, client: Client | None = None) -> Document:
    """One visible document (Document.DoesNotExist otherwise: the caller answers 404)."""
    queryset = document_list(actor=actor)
    if client is not None:
        queryset = queryset.filter(client=client)
    return queryset.get(pk=pk)


def document_versions(*, document: Document) -> QuerySet[DocumentVersion]:
    return DocumentVersion.objects.filter(tenant_id=require_tenant_id(), document=document).select_related("uploaded_by__user").order_by("-number")


def document_version_get(*, document: Document, number: int | None = None) -> DocumentVersion:
    """The version `number` of the document, or its current one (DoesNotExist otherwise)."""
    if number is None:
        if document.current_version_id is None:
            raise DocumentVersion.DoesNotExist
        number_filter = {"pk": document.current_version_id}
    else:
        number_filter = {"number": number}
    version = DocumentVersion.objects.get(tenant_id=require_tenant_id(), document=document, **number_filter)
    version.document = document
    return version


def document_grants(*, document: Document) -> list[tuple[DocumentUserObjectPermission, Membership | None]]:
    """The per-object grants of a document, each with the grantee's membership in the tenant."""
    grants = list(
        DocumentUserObjectPermission.objects.filter(
            content_object=document, permission__codename=access.GRANT_PERMISSION
        ).select_related("user").order_by("user__last_name", "user__first_name", "user__email")
    )
    memberships = {
        m.user_id: m for m in Membership.objects.filter(user_id__in=[g.user_id for g in grants]).select_related("user")
    }
    return [(grant, memberships.get(grant.user_id)) for grant in grants]


def grant_candidates(*, document: Document) -> QuerySet[Membership]:
    """Active members who may receive a grant on the document (not already granted)."""
    granted = DocumentUserObjectPermission.objects.filter(
        content_object=document, permission__codename=access.GRANT_PERMISSION
    ).values("user_id")
    return (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .exclude(user_id__in=granted)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def document_downloads(*, document: Document, limit: int = 10) -> list[DocumentDownload]:
    return list(
        DocumentDownload.objects.filter(tenant_id=require_tenant_id(), version__document=document)
        .select_related("membership__user", "version")
        .order_by("-created_at")[:limit]
    )


def document_type_list(*, active_only: bool = False) -> QuerySet[DocumentType]:
    queryset = DocumentType.objects.filter(tenant_id=require_tenant_id())
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("name", "id")


def requirement_list() -> QuerySet[DocumentRequirement]:
    return DocumentRequirement.objects.filter(tenant_id=require_tenant_id()).select_related("document_type").order_by(
        "applies_to", "document_type__name", "id"
    )
