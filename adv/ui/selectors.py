"""Reads for the UI shell and the firm administration pages: scoped, optimised querysets.

Tenant-scoped reads go through `Model.objects` (which raises outside a tenant); the only
cross-tenant read, `user_firms`, names itself and runs inside `user_scope`, where row-level
security shows a user nothing but their own memberships.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from adv.tenancy.context import user_scope
from adv.tenancy.models import Invitation, Membership, Role


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
    from .forms import MEMBER_SORTS

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
    from adv.api.models import ApiToken

    queryset = ApiToken.objects.select_related("membership__user")
    if membership is not None:
        queryset = queryset.filter(membership=membership)
    return queryset.order_by("-created_at", "id")


def api_token_get(*, pk, membership: Membership | None = None):
    """One token of the firm; restricted to `membership`'s own when given (else DoesNotExist)."""
    queryset = api_token_list(membership=membership)
    return queryset.get(pk=pk)


# --- Audit trail -----------------------------------------------------------------------------------

AUDIT_EVENT_MODELS = ("tenancy.TenantEvent", "tenancy.MembershipEvent", "users.UserEvent")
# Columns that change on every save or say nothing to a reader.
AUDIT_HIDDEN_FIELDS = {"id", "created_at", "updated_at", "tenant_id", "is_superuser"}


def audit_events(*, tenant):
    """pghistory events of the firm, newest first: the firm itself, its memberships, and its
    members' user accounts. `pgh_diff` holds {column: [before, after]} against the previous event
    of the same object; `pgh_context` the actor, tenant and URL of the request.
    """
    from django.db.models import Subquery, TextField
    from django.db.models.functions import Cast
    from pghistory.models import Events

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


@dataclass(frozen=True)
class AuditChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditRow:
    when: object
    action: str  # "insert" | "update" | "delete" | other labels
    action_label: str
    subject_kind: str
    subject: str
    actor: str | None
    url: str | None
    changes: list[AuditChange]


def _audit_value(model, column: str, value, *, users: dict, members: dict) -> str:
    from django.utils.formats import localize
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Oui") if value else gettext("Non")
    name = column[:-3] if column.endswith("_id") else column
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a column the model no longer has
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        target = field.related_model
        if target is Membership:
            member = members.get(str(value))
            return str(member.user) if member else gettext("membre supprimé")
        if target._meta.label == "users.User":
            user = users.get(str(value))
            return str(user) if user else str(value)
    if field.get_internal_type() == "DecimalField":
        from decimal import Decimal

        return localize(Decimal(str(value)))
    return str(value)


def audit_rows(events, *, tenant) -> list[AuditRow]:
    """Readable rows for one page of `audit_events`: two more queries, whatever the page size."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.utils.translation import gettext

    User = get_user_model()  # noqa: N806
    events = list(events)
    user_ids: set[str] = set()
    member_ids: set[str] = set()
    for event in events:
        context = event.pgh_context or {}
        if context.get("user"):
            user_ids.add(str(context["user"]))
        data = event.pgh_data or {}
        if event.pgh_model == "users.UserEvent" and event.pgh_obj_id:
            user_ids.add(event.pgh_obj_id)
        if event.pgh_model == "tenancy.MembershipEvent":
            if data.get("user_id"):
                user_ids.add(str(data["user_id"]))
            for key in ("reports_to_id",):
                for value in [data.get(key), *((event.pgh_diff or {}).get(key) or [])]:
                    if value:
                        member_ids.add(str(value))
    valid_user_ids = [uid for uid in user_ids if _is_uuid(uid)]
    users = {str(u.pk): u for u in User.objects.filter(pk__in=valid_user_ids)} if valid_user_ids else {}
    members = (
        {str(m.pk): m for m in Membership.objects.select_related("user").filter(pk__in=member_ids)} if member_ids else {}
    )
    labels = {"insert": gettext("Création"), "update": gettext("Modification"), "delete": gettext("Suppression")}
    rows = []
    for event in events:
        data = event.pgh_data or {}
        context = event.pgh_context or {}
        tracked = apps.get_model(event.pgh_obj_model)
        if event.pgh_model == "tenancy.TenantEvent":
            kind, subject = gettext("Société"), data.get("name") or tenant.name
        elif event.pgh_model == "tenancy.MembershipEvent":
            user = users.get(str(data.get("user_id")))
            kind, subject = gettext("Membre"), str(user) if user else gettext("membre supprimé")
        else:
            user = users.get(str(event.pgh_obj_id))
            kind, subject = gettext("Utilisateur"), str(user) if user else data.get("email", "")
        changes = []
        if event.pgh_label == "update" and event.pgh_diff:
            for column, (before, after) in sorted(event.pgh_diff.items()):
                if column in AUDIT_HIDDEN_FIELDS:
                    continue
                changes.append(
                    AuditChange(
                        field=_audit_field_label(tracked, column),
                        before=_audit_value(tracked, column, before, users=users, members=members),
                        after=_audit_value(tracked, column, after, users=users, members=members),
                    )
                )
        elif event.pgh_label == "insert" and event.pgh_model == "tenancy.MembershipEvent":
            for column in ("role", "clearance_level", "reports_to_id", "is_active"):
                if column in data and data[column] not in (None, ""):
                    changes.append(
                        AuditChange(
                            field=_audit_field_label(tracked, column),
                            before="",
                            after=_audit_value(tracked, column, data[column], users=users, members=members),
                        )
                    )
        actor = users.get(str(context.get("user"))) if context.get("user") else None
        rows.append(
            AuditRow(
                when=event.pgh_created_at,
                action=event.pgh_label,
                action_label=labels.get(event.pgh_label, event.pgh_label),
                subject_kind=kind,
                subject=subject,
                actor=str(actor) if actor else None,
                url=context.get("url"),
                changes=changes,
            )
        )
    return rows


def _audit_field_label(model, column: str) -> str:
    name = column[:-3] if column.endswith("_id") else column
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001
        return column


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
