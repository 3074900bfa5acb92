"""Who may see and do what with clients and their documents: role rules, then the member's
clearance level against the document's security level, then django-guardian per-object grants
for exceptions (one restricted document opened to one person)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from adv.tenancy import roles
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership
from documents.models import DocumentUserObjectPermission

GRANT_PERMISSION = "view_restricted_document"

VIEW_CLIENT_ROLES = roles.OFFICE_ROLES
EDIT_CLIENT_ROLES = roles.COMMERCIAL_ROLES
UPLOAD_ROLES = roles.DOCUMENT_ROLES
BILLING_PROFILE_ROLES = roles.ADV_ROLES
SECRET_ROLES = roles.ADV_ROLES
GRANT_ROLES = roles.ADV_ROLES


def require(actor: Membership | None, allowed: bool) -> None:
    if actor is None or not actor.is_active or not allowed:
        raise PermissionDenied(_("Vous n'avez pas les droits pour cette action."))


def can_view_clients(m: Membership) -> bool:
    return m.role in VIEW_CLIENT_ROLES


def can_edit_clients(m: Membership) -> bool:
    return m.role in EDIT_CLIENT_ROLES


def can_upload_documents(m: Membership) -> bool:
    return m.role in UPLOAD_ROLES


def can_edit_billing_profile(m: Membership) -> bool:
    return m.role in BILLING_PROFILE_ROLES


def can_read_platform_password(m: Membership) -> bool:
    return m.role in SECRET_ROLES


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
