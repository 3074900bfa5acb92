"""Reads for the UI shell and the firm administration pages: scoped, optimised querysets.

Tenant-scoped reads go through `Model.objects` (which raises outside a tenant); the only
cross-tenant read, `user_firms`, names itself and runs inside `user_scope`, where row-level
security shows a user nothing but their own memberships.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from pghistory.models import Events

from adv import history
from adv.api.models import ApiToken
from adv.history import HistoryRow
from adv.tenancy.context import user_scope
from adv.tenancy.models import Invitation, Membership, Role

from .forms import MEMBER_SORTS
from .history import AUDIT_EVENT_MODELS


def user_firms(*, user) -> list[Membership]:
    """The user's active memberships in active firms, every firm included (tenant switcher)."""
    with user_scope(user):
        return list(
            Membership.cross_tenant_objects.select_related("tenant")
            .filter(user=user, is_active=True, tenant__is_active=True)
            .order_by("tenant__name")
        )


# --- Dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleCount:
    role: str
    label: str
    count: int


@dataclass(frozen=True)
class DashboardFigures:
    active_members: int
    inactive_members: int
    members_by_role: list[RoleCount]
    pending_invitations: int
    expired_invitations: int


def dashboard_figures() -> DashboardFigures:
    """Figures of the active firm, two queries whatever its size."""
    rows = Membership.objects.values("role", "is_active").annotate(n=Count("id")).order_by()
    active: dict[str, int] = {}
    inactive = 0
    for row in rows:
        if row["is_active"]:
            active[row["role"]] = active.get(row["role"], 0) + row["n"]
        else:
            inactive += row["n"]
    now = timezone.now()
    open_invitations = Q(accepted_at__isnull=True, revoked_at__isnull=True)
    invitations = Invitation.objects.aggregate(
        pending=Count("id", filter=open_invitations & Q(expires_at__gt=now)),
        expired=Count("id", filter=open_invitations & Q(expires_at__lte=now)),
    )
    return DashboardFigures(
        active_members=sum(active.values()),
        inactive_members=inactive,
        members_by_role=[RoleCount(role.value, str(role.label), active[role.value]) for role in Role if active.get(role.value)],
        pending_invitations=invitations["pending"],
        expired_invitations=invitations["expired"],
    )


# Legal identity an invoice needs (French law); the dashboard lists what is missing.
INVOICE_IDENTITY_FIELDS = ("legal_name", "legal_form", "siren", "siret", "vat_number", "address_line1", "postal_code", "city", "iban")


def tenant_missing_identity(tenant) -> list[str]:
    """Verbose names of the identity fields still empty (no query)."""
    missing = []
    for name in INVOICE_IDENTITY_FIELDS:
        if not getattr(tenant, name):
            missing.append(str(tenant._meta.get_field(name).verbose_name))
    if tenant.share_capital is None:
        missing.append(str(tenant._meta.get_field("share_capital").verbose_name))
    return missing


# --- Members ------------------------------------------------------------------------------------


def member_list(*, q: str = "", role: str = "", status: str = "", sort: str = "name") -> QuerySet[Membership]:
    """Members of the active firm, filtered and sorted, ready for the members table."""
    queryset = Membership.objects.select_related("user", "reports_to__user")
    if q:
        for word in q.split():
            queryset = queryset.filter(
                Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
            )
    if role:
        queryset = queryset.filter(role=role)
    if status == "active":
        queryset = queryset.filter(is_active=True)
    elif status == "inactive":
        queryset = queryset.filter(is_active=False)
    descending = sort.startswith("-")
    columns = MEMBER_SORTS.get(sort.lstrip("-"), MEMBER_SORTS["name"])
    ordering = [f"-{column}" if descending else column for column in columns]
    return queryset.order_by(*ordering, "id")


def member_get(*, pk) -> Membership:
    """One member of the active firm (`Membership.DoesNotExist` for another firm's)."""
    return Membership.objects.select_related("user", "reports_to__user").get(pk=pk)


# --- Invitations --------------------------------------------------------------------------------


def _invitation_status_q(status: str, now) -> Q:
    open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
    return {
        "pending": open_ & Q(expires_at__gt=now),
        "expired": open_ & Q(expires_at__lte=now),
        "accepted": Q(accepted_at__isnull=False),
        "revoked": Q(accepted_at__isnull=True, revoked_at__isnull=False),
    }.get(status, Q())


def invitation_list(*, status: str = "pending") -> QuerySet[Invitation]:
    now = timezone.now()
    return (
        Invitation.objects.select_related("invited_by", "accepted_by", "reports_to__user")
        .filter(_invitation_status_q(status, now))
        .order_by("-created_at", "id")
    )


def invitation_counts() -> dict[str, int]:
    """How many invitations per status (one query)."""
    now = timezone.now()
    statuses = ("pending", "accepted", "expired", "revoked")
    counts = Invitation.objects.aggregate(
        **{status: Count("id", filter=_invitation_status_q(status, now)) for status in statuses}, all=Count("id")
    )
    return counts


def invitation_get(*, pk) -> Invitation:
    return Invitation.objects.get(pk=pk)


# --- API tokens ----------------------------------------------------------------------------------


def api_token_list(*, membership: Membership | None = None) -> QuerySet:
    """Tokens of the active firm; only `membership`'s when given."""
    queryset = ApiToken.objects.select_related("membership__user")
    if membership is not None:
        queryset = queryset.filter(membership=membership)
    return queryset.order_by("-created_at", "id")


def api_token_get(*, pk, membership: Membership | None = None):
    """One token of the firm; restricted to `membership`'s own when given (else DoesNotExist)."""
    queryset = api_token_list(membership=membership)
    return queryset.get(pk=pk)


# --- Audit trail -----------------------------------------------------------------------------------


def audit_events(*, tenant):
    """pghistory events of the firm, newest first: the firm itself, its memberships, and its
    members' user accounts (read by `adv.ui.history`'s configuration of the history engine)."""
    member_user_ids = Membership.objects.annotate(uid=Cast("user_id", TextField())).values("uid")
    return (
        Events.objects.across(*AUDIT_EVENT_MODELS)
        .filter(
            Q(pgh_model="tenancy.TenantEvent", pgh_obj_id=str(tenant.id))
            | Q(pgh_model="tenancy.MembershipEvent")
            | Q(pgh_model="users.UserEvent", pgh_obj_id__in=Subquery(member_user_ids))
        )
        .order_by("-pgh_created_at", "-pgh_id")
    )


def audit_rows(events, *, tenant) -> list[HistoryRow]:
    """Readable rows for one page of `audit_events`: two more queries, whatever the page size."""
    return history.rows(events, tenant=tenant)
