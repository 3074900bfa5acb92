from rest_framework.permissions import BasePermission

from adv.tenancy.models import Role


class IsTenantMember(BasePermission):
    """Authenticated, with an active membership in the request's tenant."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and getattr(request, "membership", None))


class HasRole(BasePermission):
    """`permission_classes = [HasRole.of(Role.ADMIN)]`; read-only roles are checked per view."""

    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.role in self.roles


IsTenantAdmin = HasRole.of(Role.ADMIN)
