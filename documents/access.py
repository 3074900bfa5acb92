"""Who may see and do what with documents: the client record's role rules (clients/access.py),
then the member's clearance level against the document's security level, then django-guardian
per-object grants for exceptions (one restricted document opened to one person)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from adv.tenancy import roles
from adv.tenancy.models import Membership
from clients.access import VIEW_CLIENT_ROLES, can_edit_clients, can_view_clients, require

from .models import DocumentUserObjectPermission

# The client record's rules that documents build on, named here so that callers ask one module.
__all__ = [
    "GRANT_PERMISSION", "GRANT_ROLES", "UPLOAD_ROLES", "VIEW_CLIENT_ROLES", "can_edit_clients", "can_manage_grants",
    "can_upload_documents", "can_view_clients", "can_view_document", "has_grant", "require", "visible_documents",
]

GRANT_PERMISSION = "view_restricted_document"

UPLOAD_ROLES = roles.DOCUMENT_ROLES
GRANT_ROLES = roles.ADV_ROLES


def can_upload_documents(m: Membership) -> bool:
    return m.role in UPLOAD_ROLES


def can_manage_grants(m: Membership) -> bool:
    return m.role in GRANT_ROLES


def has_grant(m: Membership, document) -> bool:
    return DocumentUserObjectPermission.objects.filter(
        content_object_id=document.pk, user_id=m.user_id, permission__codename=GRANT_PERMISSION
    ).exists()


def can_view_document(m: Membership, document) -> bool:
    if m.role in VIEW_CLIENT_ROLES and m.clearance_level >= document.security_level:
        return True
    return has_grant(m, document)


def visible_documents(qs: QuerySet, m: Membership) -> QuerySet:
    """Filter a Document queryset down to what the member may see, in one query."""
    granted = Exists(
        DocumentUserObjectPermission.objects.filter(
            content_object_id=OuterRef("pk"), user_id=m.user_id, permission__codename=GRANT_PERMISSION
        )
    )
    by_role = Q(security_level__lte=m.clearance_level) if m.role in VIEW_CLIENT_ROLES else Q(pk__in=[])
    return qs.filter(by_role | Q(granted))
