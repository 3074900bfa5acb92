"""Reads behind the core API resources: scoped to the actor's tenant, narrowed to what the
actor's role may see, and already joined for the serializers that show them (constant queries).
"""

from __future__ import annotations

from django.db.models import QuerySet

from adv.tenancy.models import Invitation, Membership, Role
from adv.tenancy.roles import DIRECTORY_ROLES

from .models import ApiToken

# Roles that see the whole member directory; the others see their own membership only.
MEMBER_DIRECTORY_ROLES = DIRECTORY_ROLES


def membership_list(*, actor: Membership) -> QuerySet[Membership]:
    memberships = Membership.objects.filter(tenant_id=actor.tenant_id).select_related("user")
    if actor.role not in MEMBER_DIRECTORY_ROLES:
        memberships = memberships.filter(pk=actor.pk)
    return memberships


def invitation_list(*, actor: Membership) -> QuerySet[Invitation]:
    return Invitation.objects.filter(tenant_id=actor.tenant_id).select_related("invited_by")


def api_token_list(*, actor: Membership) -> QuerySet[ApiToken]:
    """An admin sees every token of the tenant; anyone else only their own."""
    tokens = ApiToken.objects.filter(tenant_id=actor.tenant_id).select_related("membership__user")
    if actor.role != Role.ADMIN:
        tokens = tokens.filter(membership_id=actor.pk)
    return tokens
