"""Who may call what. Reads: any active member (then the view's queryset narrows what they see).
Writes: the roles a view names in `write_roles`, by default every role but the read-only ones.

Objects of another tenant never reach a permission check: the scoped queryset answers 404 first.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from adv.tenancy.models import Role
from adv.tenancy.roles import READ_ONLY_ROLES

# Roles that read but never write through the API (DESIGN.md section 1: the accountant).
# Every role: for self-service resources (`me`, one's own API tokens).
ALL_ROLES: tuple[str, ...] = tuple(Role.values)


class IsTenantMember(BasePermission):
    """Authenticated, with an active membership in the request's tenant."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and getattr(request, "membership", None))


class HasRole(BasePermission):
    """`permission_classes = [IsTenantMember, HasRole.of(Role.ADMIN)]`: every method needs one of the roles."""

    roles: tuple[str, ...] = ()
    message = _("Votre rôle ne donne pas accès à cette ressource.")
    code = "role_required"

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": tuple(roles)})

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.role in self.roles


IsTenantAdmin = HasRole.of(Role.ADMIN)


class RoleCanWrite(BasePermission):
    """Safe methods pass; any other method (POST, PATCH, DELETE, actions) needs a write role.

    The view declares `write_roles = (Role.ADMIN, ...)`; when it does not, every role but the
    read-only ones (`READ_ONLY_ROLES`) may write. Services still check the actor's rights on the
    object itself: this is the coarse gate, not the only one.
    """

    message = _("Votre rôle ne permet pas de modifier cette ressource.")
    code = "role_cannot_write"

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        write_roles = getattr(view, "write_roles", None)
        if write_roles is None:
            return membership.role not in READ_ONLY_ROLES
        return membership.role in write_roles


def can_write(membership, write_roles=None) -> bool:
    """The same rule for code outside DRF (templates, serializers showing edit links)."""
    if membership is None:
        return False
    if write_roles is None:
        return membership.role not in READ_ONLY_ROLES
    return membership.role in write_roles
