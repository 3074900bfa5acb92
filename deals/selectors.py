"""Reads of deals: scoped, permission-filtered querysets, already joined for the page, the report
or the endpoint that shows them. Lists and reports run a constant number of queries whatever
the number of deals (tests assert it).

Every queryset goes through the scoped managers (`Model.objects`, which raise outside a tenant)
and keeps an explicit `tenant_id` predicate.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Lower, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adv import history
from adv.history import HistoryRow
from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.firm_settings import settings_read
from adv.tenancy.models import Membership, Role
from clients.models import Contact
from documents import access as document_access
from documents.models import Document, DocumentRequirement, DocumentType
from notifications.models import ReminderSent

from . import access
from .history import HISTORY_EVENT_MODELS, RATE_FIELDS
from .models import (
    SIGNED_STATUSES,
    Assignment,
    Deal,
    DealPolicy,
    DealReminderKind,
    DealSignatureDocument,
    DealStatus,
    Milestone,
    MilestoneStatus,
    PurchaseOrder,
    Subscription,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=20, decimal_places=2)


def _require(actor: Membership | None, allowed: bool) -> None:
    if actor is None or not actor.is_active or not allowed:
        raise PermissionDenied(_("Vous n'avez pas les droits pour cette action."))


def _require_viewer(actor: Membership) -> None:
    _require(actor, access.can_view_deals(actor))


def rates_visible(actor: Membership | None) -> bool:
    """Sale rates (TJM de vente), margins and amounts at stake: never for consultants, and never
    for an external contractor whatever their role."""
    return actor is not None and access.can_see_rates(actor) and not actor.is_contractor


def policy_get() -> DealPolicy:
    """The firm's rules, without writing (defaults when the firm never saved them)."""
    return settings_read(DealPolicy)


# --- Amount at stake, missing documents, provisional age -----------------------------------------


def amount_at_stake_expression():
    """Sum over the deal's active assignments of planned days × sale daily rate (2 decimals)."""
    stake = (
        Assignment.objects.filter(deal=OuterRef("pk"), is_active=True)
        .order_by()
        .values("deal")
        .annotate(total=Sum(F("planned_days") * F("daily_rate"), output_field=DecimalField(max_digits=20, decimal_places=4)))
        .values("total")
    )
    return Round(Coalesce(Subquery(stake, output_field=DecimalField(max_digits=20, decimal_places=4)), Value(Decimal("0"))), 2, output_field=MONEY)


def missing_for_signature_bulk(deals: list[Deal], today: datetime.date | None = None) -> dict:
    """`rules.missing_for_signature` for many unsigned deals in three queries (requirements,
    documents attached, purchase orders). The deals must come with `client__billing_profile`."""
    today = today or timezone.localdate()
    unsigned = [d for d in deals if d.status in (DealStatus.DRAFT, DealStatus.PROVISIONAL)]
    if not unsigned:
        return {}
    ids = [d.pk for d in unsigned]
    scopes = {f"deal_{d.deal_type}" for d in unsigned}
    requirements: dict[str, list] = defaultdict(list)
    for requirement in DocumentRequirement.objects.filter(is_active=True, applies_to__in=scopes).select_related("document_type"):
        requirements[requirement.applies_to].append(requirement)
    present: dict = defaultdict(set)
    rows = Document.objects.filter(deal_id__in=ids, current_version__isnull=False).values_list(
        "deal_id", "document_type_id", "valid_until"
    )
    for deal_id, type_id, valid_until in rows:
        if valid_until is None or valid_until >= today:
            present[deal_id].add(type_id)
    with_po = set(PurchaseOrder.objects.filter(deal_id__in=ids).values_list("deal_id", flat=True).distinct())
    missing = {}
    for deal in unsigned:
        items = [r.document_type.name for r in requirements[f"deal_{deal.deal_type}"] if r.document_type_id not in present[deal.pk]]
        if deal.requires("purchase_order_required") and deal.pk not in with_po:
            items.append(_("numéro de bon de commande"))
        missing[deal.pk] = items
    return missing


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    low: int
    high: int | None  # exclusive


AGE_BUCKETS = [
    AgeBucket("0_6", gettext_lazy("0 à 6 jours"), 0, 7),
    AgeBucket("7_13", gettext_lazy("7 à 13 jours"), 7, 14),
    AgeBucket("14_29", gettext_lazy("14 à 29 jours"), 14, 30),
    AgeBucket("30", gettext_lazy("30 jours et plus"), 30, None),
]


def age_bucket(days: int) -> AgeBucket:
    for bucket in AGE_BUCKETS:
        if days >= bucket.low and (bucket.high is None or days < bucket.high):
            return bucket
    return AGE_BUCKETS[0]


def provisional_level(days: int | None, policy: DealPolicy) -> str:
    """How loud the "provisoire depuis N jours" badge is: "late" (orange) once the sales owner is
    being chased, "overdue" (red) once it is escalated; "recent" before."""
    if days is None:
        return ""
    if days >= policy.escalate_after_days:
        return "overdue"
    if days >= policy.chase_every_days:
        return "late"
    return "recent"


def decorate(deals: list[Deal], *, now: datetime.datetime | None = None, policy: DealPolicy | None = None) -> list[Deal]:
    """Attach what the lists show beside each deal: `provisional_age` (days), `provisional_level`
    (badge colour) and `missing` (what is missing to sign). Three queries at most."""
    now = now or timezone.now()
    policy = policy or policy_get()
    missing = missing_for_signature_bulk(deals, today=timezone.localdate(now))
    for deal in deals:
        deal.provisional_age = deal.provisional_days(now)
        deal.provisional_level = provisional_level(deal.provisional_age, policy)
        deal.missing = missing.get(deal.pk, [])
    return deals


# --- Deal list ---------------------------------------------------------------------------------------

DEAL_SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "title": ("title_lower",),
    "client": ("client__legal_name",),
    "type": ("deal_type",),
    "status": ("status",),
    "owner": ("sales_owner__user__last_name", "sales_owner__user__first_name"),
    "start": ("start_date",),
    "amount": ("ordered_amount",),
    "provisional": ("provisional_since",),
    "created": ("created_at",),
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class DealFilters:
    q: str = ""
    status: str = ""
    deal_type: str = ""
    owner: uuid.UUID | None = None
    client: uuid.UUID | None = None
    provisional: bool | None = None
    sort: str = DEFAULT_SORT

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.deal_type or self.owner or self.client or self.provisional is not None)


def deal_queryset(*, actor: Membership) -> QuerySet[Deal]:
    """Every deal of the active tenant, joined for lists and serializers."""
    _require_viewer(actor)
    return Deal.objects.filter(tenant_id=require_tenant_id()).select_related(
        "client__billing_profile", "sales_owner__user", "project_manager__user", "adv_owner__user"
    )


def _ordered(queryset: QuerySet, sort: str, sorts: dict, default: str) -> QuerySet:
    descending = sort.startswith("-")
    columns = sorts.get(sort.lstrip("-"))
    if columns is None:
        descending = default.startswith("-")
        columns = sorts[default.lstrip("-")]
    ordering = [(F(c).desc(nulls_last=True) if descending else F(c).asc(nulls_last=True)) for c in columns]
    return queryset.order_by(*ordering, "-created_at", "id")


def deal_list(*, actor: Membership, filters: DealFilters | None = None) -> QuerySet[Deal]:
    """The deal list: searched (reference, title, client), filtered, sorted on the server."""
    filters = filters or DealFilters()
    queryset = deal_queryset(actor=actor).annotate(title_lower=Lower("title"))
    if filters.q:
        for word in filters.q.split():
            queryset = queryset.filter(
                Q(reference__icontains=word) | Q(title__icontains=word) | Q(client__legal_name__icontains=word)
                | Q(client__trade_name__icontains=word)
            )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.deal_type:
        queryset = queryset.filter(deal_type=filters.deal_type)
    if filters.owner:
        queryset = queryset.filter(sales_owner_id=filters.owner)
    if filters.client:
        queryset = queryset.filter(client_id=filters.client)
    if filters.provisional is True:
        queryset = queryset.filter(status=DealStatus.PROVISIONAL)
    elif filters.provisional is False:
        queryset = queryset.exclude(status=DealStatus.PROVISIONAL)
    return _ordered(queryset, filters.sort, DEAL_SORTS, DEFAULT_SORT)


# What a row of the deal list shows (and what `decorate` reads for an unsigned deal).
DEAL_ROW_FIELDS = (
    "id", "reference", "title", "deal_type", "status", "start_date", "end_date", "ordered_amount", "currency",
    "provisional_since", "created_at", "purchase_order_required",
    "client__id", "client__legal_name", "client__trade_name", "client__billing_profile__purchase_order_required",
    "sales_owner__id", "sales_owner__user__id", "sales_owner__user__first_name", "sales_owner__user__last_name",
    "sales_owner__user__email",
)


def deal_list_rows(*, actor: Membership, filters: DealFilters | None = None) -> QuerySet[Deal]:
    """The deal list page: `deal_list` reading only the columns the rows show (one query per
    page, plus `decorate`'s three for the unsigned deals)."""
    return deal_list(actor=actor, filters=filters).select_related(None).select_related(
        "client__billing_profile", "sales_owner__user"
    ).only(*DEAL_ROW_FIELDS)


def status_counts(*, actor: Membership) -> dict[str, int]:
    """How many deals per status (one query), for the list's header."""
    from django.db.models import Count

    _require_viewer(actor)
    counts = {status: 0 for status in DealStatus.values}
    for row in Deal.objects.filter(tenant_id=require_tenant_id()).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def deal_get(*, actor: Membership, pk) -> Deal:
    """One deal for its page, with its children. `Deal.DoesNotExist` for a missing deal or
    another tenant's."""
    _require_viewer(actor)
    return (
        Deal.objects.filter(tenant_id=require_tenant_id())
        .select_related(
            "client__billing_profile", "sales_owner__user", "sales_owner__reports_to__user", "project_manager__user",
            "adv_owner__user", "provisional_by__user", "signed_by_contact", "signature_recorded_by__user",
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("consultant__user", "consultant__reports_to__user").order_by(
                    "-is_active", "start_date", "id"
                ),
            ),
            Prefetch("purchase_orders", queryset=PurchaseOrder.objects.select_related("document").order_by("valid_from", "number")),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related(
                    "required_document_type", "document__document_type", "project_manager__user"
                ).order_by(F("due_date").asc(nulls_last=True), "created_at", "id"),
            ),
            Prefetch("subscriptions", queryset=Subscription.objects.order_by("-is_active", "start_date", "id")),
            Prefetch("invoice_recipients", queryset=Contact.objects.order_by("last_name", "first_name")),
            Prefetch("signature_proofs", queryset=signature_proofs_queryset()),
        )
        .get(pk=pk)
    )


def signature_proofs_queryset() -> QuerySet[DealSignatureDocument]:
    """The documents recorded as proof of a signature, with the version they had then."""
    return DealSignatureDocument.objects.select_related("document__document_type", "version").order_by(
        "document__document_type__name", "created_at", "id"
    )


def deal_for_update(*, actor: Membership, pk) -> Deal:
    """A fresh copy of one deal (a form that fails must not alter the copy the page shows)."""
    _require_viewer(actor)
    return Deal.objects.filter(tenant_id=require_tenant_id()).select_related("client__billing_profile").get(pk=pk)


def deal_documents(*, actor: Membership, deal: Deal) -> list[Document]:
    """The documents attached to the deal that this member may see."""

    queryset = (
        Document.objects.filter(tenant_id=require_tenant_id(), deal=deal)
        .select_related("document_type", "current_version", "uploaded_by__user")
        .order_by("document_type__name", "-created_at", "id")
    )
    return list(document_access.visible_documents(queryset, actor))


def attachable_documents(*, actor: Membership, deal: Deal) -> list[Document]:
    """The client's documents not yet attached to any deal, that this member may see."""

    queryset = (
        Document.objects.filter(tenant_id=require_tenant_id(), client_id=deal.client_id, deal__isnull=True)
        .exclude(current_version__isnull=True)
        .select_related("document_type")
        .order_by("document_type__name", "-created_at", "id")
    )
    return list(document_access.visible_documents(queryset, actor))


def milestone_document_choices(*, actor: Membership, deal: Deal) -> list[Document]:
    """Documents that may be attached to a milestone: the deal's, then the client's unattached ones."""

    queryset = (
        Document.objects.filter(tenant_id=require_tenant_id(), client_id=deal.client_id)
        .filter(Q(deal=deal) | Q(deal__isnull=True))
        .exclude(current_version__isnull=True)
        .select_related("document_type")
        .order_by("document_type__name", "-created_at", "id")
    )
    return list(document_access.visible_documents(queryset, actor))


UNSIGNED_KINDS = (DealReminderKind.UNSIGNED_CHASE, DealReminderKind.UNSIGNED_ESCALATION)
MILESTONE_KINDS = (DealReminderKind.MILESTONE_CHASE, DealReminderKind.MILESTONE_ESCALATION)


def deal_chases(deal: Deal) -> tuple[list[ReminderSent], ReminderSent | None]:
    """The chases sent to the deal's sales owner (newest first) and its escalation, if any."""
    reminders = list(
        ReminderSent.objects.filter(tenant_id=require_tenant_id(), kind__in=UNSIGNED_KINDS, subject=str(deal.pk))
        .select_related("recipient__user")
        .order_by("-sent_at")
    )
    chases = [r for r in reminders if r.kind == DealReminderKind.UNSIGNED_CHASE]
    escalation = next((r for r in reminders if r.kind == DealReminderKind.UNSIGNED_ESCALATION), None)
    return chases, escalation


def deal_chases_attach(deals: list[Deal]) -> list[Deal]:
    """Attach to each provisional deal how often its sales owner was chased (`chase_count`,
    `last_chase_at`) and when it was escalated (`escalated_at`), in one query."""
    by_id = {d.pk: d for d in deals}
    for deal in deals:
        deal.chase_count, deal.last_chase_at, deal.escalated_at = 0, None, None
    if not by_id:
        return deals
    by_key = {str(pk): deal for pk, deal in by_id.items()}
    reminders = ReminderSent.objects.filter(
        tenant_id=require_tenant_id(), kind__in=UNSIGNED_KINDS, subject__in=list(by_key)
    ).order_by("sent_at", "id").values_list("subject", "kind", "sent_at")
    for subject, kind, created_at in reminders:
        deal = by_key[subject]
        if kind == DealReminderKind.UNSIGNED_ESCALATION:
            deal.escalated_at = created_at
        else:
            deal.chase_count += 1
            deal.last_chase_at = created_at
    return deals


def consultant_choices() -> QuerySet[Membership]:
    """Active consultants (employees and contractors) of the firm, for staffing."""
    return (
        Membership.objects.filter(tenant_id=require_tenant_id(), is_active=True, role=Role.CONSULTANT)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def member_choices(roles: tuple[str, ...] | None = None, *, keep=()) -> QuerySet[Membership]:
    """Active members with one of `roles`, plus the ids in `keep` (the current value of a picker)."""
    wanted = Q(is_active=True)
    if roles:
        wanted &= Q(role__in=roles)
    kept = [pk for pk in keep if pk]
    if kept:
        wanted |= Q(pk__in=kept)
    queryset = Membership.objects.filter(wanted, tenant_id=require_tenant_id()).select_related("user")
    return queryset.order_by("user__last_name", "user__first_name", "user__email")


def document_type_choices() -> QuerySet[DocumentType]:
    return DocumentType.objects.filter(tenant_id=require_tenant_id(), is_active=True).order_by("name", "id")


def client_deals(*, actor: Membership, client) -> list[Deal]:
    """The deals of one client (newest first), decorated for the badges."""
    deals = list(deal_queryset(actor=actor).filter(client=client).order_by("-created_at", "id"))
    return decorate(deals)


# --- Staffing, milestones, subscriptions, purchase orders (API) ------------------------------------


def assignment_queryset(*, actor: Membership) -> QuerySet[Assignment]:
    """Staffing rows: every one for the roles that see deals; a consultant sees their own only."""
    base = Assignment.objects.filter(tenant_id=require_tenant_id()).select_related(
        "deal__client", "consultant__user", "consultant__reports_to__user"
    )
    if access.can_view_deals(actor):
        return base
    if actor.role == Role.CONSULTANT and actor.is_active:
        return base.filter(consultant=actor)
    return base.none()


def milestone_queryset(*, actor: Membership) -> QuerySet[Milestone]:
    _require_viewer(actor)
    return Milestone.objects.filter(tenant_id=require_tenant_id()).select_related(
        "deal__client", "deal__project_manager__user", "required_document_type", "document", "project_manager__user"
    )


def subscription_queryset(*, actor: Membership) -> QuerySet[Subscription]:
    _require_viewer(actor)
    return Subscription.objects.filter(tenant_id=require_tenant_id()).select_related("deal__client")


def purchase_order_queryset(*, actor: Membership) -> QuerySet[PurchaseOrder]:
    _require_viewer(actor)
    return PurchaseOrder.objects.filter(tenant_id=require_tenant_id()).select_related("deal__client", "document")


# --- Unsigned deals report ---------------------------------------------------------------------------

UNSIGNED_SORTS: dict[str, tuple[str, ...]] = {
    "reference": ("reference",),
    "client": ("client__legal_name",),
    "owner": ("sales_owner__user__last_name", "sales_owner__user__first_name"),
    "age": ("provisional_since",),
    "stake": ("amount_at_stake",),
    "start": ("start_date",),
}
UNSIGNED_DEFAULT_SORT = "age"  # oldest provisional first (provisional_since ascending)


@dataclass(frozen=True)
class UnsignedFilters:
    q: str = ""
    owner: uuid.UUID | None = None
    client: uuid.UUID | None = None
    deal_type: str = ""
    age: str = ""
    sort: str = UNSIGNED_DEFAULT_SORT

    @property
    def active(self) -> bool:
        return bool(self.q or self.owner or self.client or self.deal_type or self.age)


def unsigned_deals(*, actor: Membership, filters: UnsignedFilters | None = None, now: datetime.datetime | None = None) -> QuerySet[Deal]:
    """Provisional deals (validated without a signature), with `amount_at_stake`."""
    filters = filters or UnsignedFilters()
    now = now or timezone.now()
    queryset = (
        Deal.objects.filter(tenant_id=require_tenant_id(), status=DealStatus.PROVISIONAL)
        .select_related("client__billing_profile", "sales_owner__user", "sales_owner__reports_to__user", "provisional_by__user")
        .annotate(amount_at_stake=amount_at_stake_expression())
    )
    _require_viewer(actor)
    if filters.q:
        for word in filters.q.split():
            queryset = queryset.filter(
                Q(reference__icontains=word) | Q(title__icontains=word) | Q(client__legal_name__icontains=word)
                | Q(client__trade_name__icontains=word)
            )
    if filters.owner:
        queryset = queryset.filter(sales_owner_id=filters.owner)
    if filters.client:
        queryset = queryset.filter(client_id=filters.client)
    if filters.deal_type:
        queryset = queryset.filter(deal_type=filters.deal_type)
    bucket = next((b for b in AGE_BUCKETS if b.key == filters.age), None)
    if bucket is not None:
        queryset = queryset.filter(provisional_since__lte=now - datetime.timedelta(days=bucket.low))
        if bucket.high is not None:
            queryset = queryset.filter(provisional_since__gt=now - datetime.timedelta(days=bucket.high))
    return _ordered(queryset, filters.sort, UNSIGNED_SORTS, UNSIGNED_DEFAULT_SORT)


@dataclass
class SummaryLine:
    key: str
    label: str
    count: int = 0
    stake: Decimal = ZERO
    oldest: int = 0
    member: Membership | None = None


@dataclass
class UnsignedSummary:
    total_count: int = 0
    total_stake: Decimal = ZERO
    by_owner: list[SummaryLine] = field(default_factory=list)
    by_age: list[SummaryLine] = field(default_factory=list)


def unsigned_summary(queryset: QuerySet[Deal], *, now: datetime.datetime | None = None) -> UnsignedSummary:
    """Totals by sales owner and by age bucket, over the whole filtered report (two queries)."""
    now = now or timezone.now()
    rows = list(queryset.order_by().values_list("sales_owner_id", "provisional_since", "amount_at_stake"))
    owners = {
        m.pk: m for m in Membership.objects.filter(pk__in={r[0] for r in rows}).select_related("user")
    } if rows else {}
    summary = UnsignedSummary()
    by_owner: dict = {}
    by_age = {b.key: SummaryLine(b.key, str(b.label)) for b in AGE_BUCKETS}
    for owner_id, since, stake in rows:
        days = (now - since).days if since else 0
        stake = stake or ZERO
        summary.total_count += 1
        summary.total_stake += stake
        member = owners.get(owner_id)
        line = by_owner.setdefault(owner_id, SummaryLine(str(owner_id), str(member.user) if member else "—", member=member))
        for target in (line, by_age[age_bucket(days).key]):
            target.count += 1
            target.stake += stake
            target.oldest = max(target.oldest, days)
    summary.by_owner = sorted(by_owner.values(), key=lambda line: (-line.stake, line.label.lower()))
    summary.by_age = list(by_age.values())
    return summary


# --- Due and blocked milestones report ------------------------------------------------------------

MILESTONE_SCOPES = {
    "due": (MilestoneStatus.READY, MilestoneStatus.BLOCKED),
    "blocked": (MilestoneStatus.BLOCKED,),
    "ready": (MilestoneStatus.READY,),
    "planned": (MilestoneStatus.PLANNED,),
    "invoiced": (MilestoneStatus.INVOICED,),
}
MILESTONE_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_date",),
    "deal": ("deal__reference",),
    "client": ("deal__client__legal_name",),
    "amount": ("amount",),
    "blocked": ("blocked_since",),
    "status": ("status",),
}


@dataclass(frozen=True)
class MilestoneFilters:
    scope: str = "due"
    project_manager: uuid.UUID | None = None
    client: uuid.UUID | None = None
    sort: str = "blocked"

    @property
    def active(self) -> bool:
        return bool(self.scope != "due" or self.project_manager or self.client)


def milestone_report(*, actor: Membership, filters: MilestoneFilters | None = None) -> QuerySet[Milestone]:
    """Milestones of fixed-price deals by status, with the responsible project manager (the
    milestone's, else the deal's) and their manager, for escalation."""
    filters = filters or MilestoneFilters()
    _require_viewer(actor)
    queryset = Milestone.objects.filter(tenant_id=require_tenant_id()).select_related(
        "deal__client", "deal__project_manager__user", "deal__project_manager__reports_to__user",
        "project_manager__user", "project_manager__reports_to__user", "required_document_type", "document",
    )
    statuses = MILESTONE_SCOPES.get(filters.scope)
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    if filters.project_manager:
        queryset = queryset.filter(
            Q(project_manager_id=filters.project_manager)
            | Q(project_manager__isnull=True, deal__project_manager_id=filters.project_manager)
        )
    if filters.client:
        queryset = queryset.filter(deal__client_id=filters.client)
    return _ordered(queryset, filters.sort, MILESTONE_SORTS, "blocked")


def milestone_responsible(milestone: Milestone) -> Membership | None:
    return milestone.project_manager or milestone.deal.project_manager


def milestone_chases_attach(milestones: list[Milestone]) -> list[Milestone]:
    """Attach to each blocked milestone the chases of its project manager (`chase_count`,
    `last_chase`) and its escalation to their manager (`escalation`), in one query."""
    blocked = [m for m in milestones if m.status == MilestoneStatus.BLOCKED]
    for milestone in milestones:
        milestone.chase_count, milestone.last_chase, milestone.escalation = 0, None, None
    if not blocked:
        return milestones
    by_id = {str(m.pk): m for m in blocked}
    reminders = (
        ReminderSent.objects.filter(tenant_id=require_tenant_id(), kind__in=MILESTONE_KINDS, subject__in=list(by_id))
        .select_related("recipient__user")
        .order_by("sent_at", "id")
    )
    for reminder in reminders:
        milestone = by_id[reminder.subject]
        if reminder.kind == DealReminderKind.MILESTONE_ESCALATION:
            milestone.escalation = reminder
        else:
            milestone.chase_count += 1
            milestone.last_chase = reminder
    return milestones


def milestone_blocked_days(milestone: Milestone, now: datetime.datetime | None = None) -> int | None:
    if milestone.status != MilestoneStatus.BLOCKED or milestone.blocked_since is None:
        return None
    return ((now or timezone.now()) - milestone.blocked_since).days


# --- Commissions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionFilters:
    owner: uuid.UUID | None = None
    signed: bool | None = None  # True: signed (commissionable) only; False: the others
    signed_from: datetime.date | None = None
    signed_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.owner or self.signed is not None or self.signed_from or self.signed_to)


def commission_deals(*, actor: Membership, filters: CommissionFilters | None = None) -> QuerySet[Deal]:
    """Deals with their signature facts, for the commissions export: only signed deals are
    commissionable (no commission on an unsigned deal). A signature period keeps the deals
    signed in it (the month's commissions)."""
    _require(actor, access.can_view_deals(actor) and rates_visible(actor))
    filters = filters or CommissionFilters()
    queryset = (
        Deal.objects.filter(tenant_id=require_tenant_id())
        .select_related("client", "sales_owner__user", "signed_by_contact")
        .annotate(amount_at_stake=amount_at_stake_expression())
    )
    if filters.owner:
        queryset = queryset.filter(sales_owner_id=filters.owner)
    if filters.signed is True:
        queryset = queryset.filter(status__in=SIGNED_STATUSES)
    elif filters.signed is False:
        queryset = queryset.exclude(status__in=SIGNED_STATUSES)
    if filters.signed_from:
        queryset = queryset.filter(signed_on__gte=filters.signed_from)
    if filters.signed_to:
        queryset = queryset.filter(signed_on__lte=filters.signed_to)
    return queryset.order_by("reference", "id")


def is_signed_status(status: str) -> bool:
    return status in SIGNED_STATUSES


# --- History ----------------------------------------------------------------------------------------


def deal_history_events(*, actor: Membership, deal: Deal):
    """pghistory events of the deal and of its children (deleted ones included), newest first."""
    from django.apps import apps
    from pghistory.models import Events

    _require_viewer(actor)
    tenant_id = require_tenant_id()
    child_filters = Q(pgh_model="deals.DealEvent", pgh_obj_id=str(deal.pk))
    for label in HISTORY_EVENT_MODELS[1:]:
        model = apps.get_model(label)
        ids = model.objects.filter(tenant_id=tenant_id, deal_id=deal.pk).annotate(oid=Cast("pgh_obj_id", TextField())).values("oid")
        child_filters |= Q(pgh_model=label, pgh_obj_id__in=Subquery(ids))
    return Events.objects.across(*HISTORY_EVENT_MODELS).filter(child_filters).order_by("-pgh_created_at", "-pgh_id")


def deal_history_rows(events, *, show_rates: bool = True) -> list[HistoryRow]:
    """Readable rows for one page of `deal_history_events` (`deals.history` says how they read):
    a few more queries at most (actors, members, contacts, documents and document types named),
    whatever the page size. Rates are left out for whoever may not see them."""
    return history.rows(events, hide=() if show_rates else RATE_FIELDS)
