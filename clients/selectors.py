"""Reads of client records: scoped, permission-filtered querysets, already joined for the
page or the endpoint that shows them.

Every queryset goes through the scoped managers (`Model.objects`, which raise outside a
tenant) and keeps an explicit `tenant_id` predicate.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf

from adv import history
from adv.history import HistoryRow
from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership
from adv.ui.folding import fold, folded

from . import access
from .history import CLIENT_EVENT_SOURCES, HISTORY_EVENT_MODELS
from .models import Client, ClientName, ClientStatus, Contact

# What other apps add to the rows of one page of the client list: functions (clients, membership)
# that set attributes on the page's clients, in a constant number of queries (registered by the
# higher floors from their `ready()`: documents sets `documents_summary`).
CLIENT_LIST_EXTRAS: list[Callable[[list[Client], Membership], None]] = []


def client_list_extra_register(annotate: Callable[[list[Client], Membership], None]) -> None:
    CLIENT_LIST_EXTRAS.append(annotate)


# The name the list shows (trade name, else legal name): what the reader expects it sorted by.
_DISPLAY_NAME = Coalesce(NullIf("trade_name", Value("")), "legal_name")


# Public sort keys of the client list -> ORM columns (ties broken by name then id).
CLIENT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("display_name_key",),
    "siren": ("siren",),
    "status": ("status",),
    "owner": ("owner__user__last_name", "owner__user__first_name"),
    "adv": ("adv_owner__user__last_name", "adv_owner__user__first_name"),
    "city": ("billing_city", "head_office_city"),
    "updated": ("updated_at",),
}

ARCHIVED_HIDDEN = ""  # default: archived clients are not listed
ARCHIVED_INCLUDED = "all"
ARCHIVED_ONLY = "only"


@dataclass(frozen=True)
class ClientFilters:
    q: str = ""
    status: str = ""
    owner: uuid.UUID | None = None
    adv_owner: uuid.UUID | None = None
    public_sector: bool | None = None
    archived: str = ARCHIVED_HIDDEN
    sort: str = "name"

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (an empty result then means "no match")."""
        return bool(
            self.q or self.status or self.owner or self.adv_owner or self.public_sector is not None
            or self.archived != ARCHIVED_HIDDEN
        )


def _require_viewer(actor: Membership) -> None:
    access.require(actor, access.can_view_clients(actor))


def client_queryset(*, actor: Membership) -> QuerySet[Client]:
    """Every client of the active tenant the actor may see (all of them, for the roles that see
    clients), joined for lists and serializers: owner, ADV, group, billing profile, names."""
    _require_viewer(actor)
    return (
        Client.objects.filter(tenant_id=require_tenant_id())
        .select_related("owner__user", "adv_owner__user", "parent", "billing_profile")
        .prefetch_related(Prefetch("names", queryset=ClientName.objects.order_by("-valid_from")))
    )


def client_list(*, actor: Membership, filters: ClientFilters | None = None) -> QuerySet[Client]:
    """The client list page: searched, filtered and sorted on the server."""
    filters = filters or ClientFilters()
    _require_viewer(actor)
    queryset = (
        Client.objects.filter(tenant_id=require_tenant_id())
        .select_related("owner__user", "adv_owner__user", "parent")
        .annotate(
            display_name_key=folded(_DISPLAY_NAME),
            legal_name_key=folded("legal_name"),
            trade_name_key=folded("trade_name"),
        )
    )
    if filters.q:
        number = "".join(filters.q.split()).replace(".", "")
        if number.isdigit() and len(number) >= 3:
            # A SIREN or SIRET typed with its usual spaces ("732 829 320").
            queryset = queryset.filter(Q(siren__startswith=number) | Q(siret__startswith=number))
        else:
            for word in filters.q.split():
                word_key = fold(word)
                queryset = queryset.filter(
                    Q(legal_name_key__contains=word_key) | Q(trade_name_key__contains=word_key) | Q(siren__startswith=word)
                )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.owner:
        queryset = queryset.filter(owner_id=filters.owner)
    if filters.adv_owner:
        queryset = queryset.filter(adv_owner_id=filters.adv_owner)
    if filters.public_sector is not None:
        queryset = queryset.filter(is_public_sector=filters.public_sector)
    if filters.archived == ARCHIVED_HIDDEN:
        queryset = queryset.filter(archived_at__isnull=True)
    elif filters.archived == ARCHIVED_ONLY:
        queryset = queryset.filter(archived_at__isnull=False)
    descending = filters.sort.startswith("-")
    columns = CLIENT_SORTS.get(filters.sort.lstrip("-"), CLIENT_SORTS["name"])
    ordering = [f"-{column}" if descending else column for column in columns]
    return queryset.order_by(*ordering, "display_name_key", "id")


def client_get(*, actor: Membership, pk) -> Client:
    """One client for its page: identity, group and subsidiaries, names, contacts, billing
    profile. `Client.DoesNotExist` for a missing client or another tenant's."""
    _require_viewer(actor)
    return (
        Client.objects.filter(tenant_id=require_tenant_id())
        .select_related("owner__user", "adv_owner__user", "parent", "billing_profile")
        .prefetch_related(
            Prefetch("names", queryset=ClientName.objects.select_related("changed_by__user").order_by("-valid_from")),
            Prefetch("contacts", queryset=Contact.objects.order_by("-is_active", "last_name", "first_name", "id")),
            Prefetch("subsidiaries", queryset=Client.objects.order_by("legal_name", "id")),
        )
        .get(pk=pk)
    )


def client_for_update(*, actor: Membership, pk) -> Client:
    """A fresh copy of one client (a form that fails must not alter the copy the page shows)."""
    _require_viewer(actor)
    return Client.objects.filter(tenant_id=require_tenant_id()).select_related("billing_profile").get(pk=pk)


def contact_queryset(*, actor: Membership) -> QuerySet[Contact]:
    _require_viewer(actor)
    return Contact.objects.filter(tenant_id=require_tenant_id()).select_related("client")


def contact_get(*, actor: Membership, client: Client, pk) -> Contact:
    """One contact of this client (`Contact.DoesNotExist` otherwise)."""
    return contact_queryset(actor=actor).get(client=client, pk=pk)


def invoice_recipients(client: Client) -> list[Contact]:
    """The active contacts that receive the invoices (to first, then cc), from the prefetched
    contacts when the client was read with `client_get`."""
    contacts = [c for c in client.contacts.all() if c.is_active and c.invoice_delivery]
    return sorted(contacts, key=lambda c: (c.invoice_delivery != "to", c.last_name.lower(), c.first_name.lower()))


def member_choices(roles=None, *, keep=()) -> QuerySet[Membership]:
    """Active members of the tenant, for the owner and ADV selects: only those whose role can hold
    the job (`roles`, e.g. SALES_OWNER_ROLES), plus the members in `keep` (ids of the currently
    selected ones, so that editing never drops a value that was valid when it was chosen)."""
    members = Membership.objects.filter(tenant_id=require_tenant_id())
    wanted = Q(is_active=True)
    if roles is not None:
        wanted &= Q(role__in=list(roles))
    kept = [pk for pk in keep if pk]
    if kept:
        wanted |= Q(pk__in=kept)
    return members.filter(wanted).select_related("user").order_by("user__last_name", "user__first_name", "user__email")


def member_queryset() -> QuerySet[Membership]:
    """Every member of the tenant, active or not: the ids a list filter accepts (a former
    salesperson still owns clients); the picker suggests only those who fit the job."""
    return Membership.objects.filter(tenant_id=require_tenant_id()).select_related("user")


def parent_choices(*, exclude: Client | None = None) -> QuerySet[Client]:
    """Clients that may be chosen as a group (parent company)."""
    queryset = Client.objects.filter(tenant_id=require_tenant_id()).order_by("legal_name", "id")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.only("id", "legal_name", "trade_name")


def status_counts(*, actor: Membership) -> dict[str, int]:
    """How many non-archived clients per status (one query), for the list's header."""
    from django.db.models import Count

    _require_viewer(actor)
    rows = (
        Client.objects.filter(tenant_id=require_tenant_id(), archived_at__isnull=True)
        .values("status").annotate(n=Count("id")).order_by()
    )
    counts = {status: 0 for status in ClientStatus.values}
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


# --- History --------------------------------------------------------------------------------------

def client_history_events(*, actor: Membership, client: Client):
    """pghistory events of the client, of its contacts (deleted ones included), of its billing
    profile, and of what other apps register as the client's (`clients.history.ClientEventSource`:
    the documents the actor may see and their per-document grants), newest first.
    `pgh_diff` holds {column: [before, after]}; `pgh_context` the actor (user id), the URL or the
    API token of the change. (A document's file versions show as changes of its current version.)"""
    from django.apps import apps
    from pghistory.models import Events

    _require_viewer(actor)
    contact_event = apps.get_model("clients", "ContactEvent")
    profile_event = apps.get_model("clients", "BillingProfileEvent")
    tenant_id = require_tenant_id()
    contact_ids = (
        contact_event.objects.filter(tenant_id=tenant_id, client_id=client.pk)
        .annotate(oid=Cast("pgh_obj_id", TextField())).values("oid")
    )
    profile_ids = (
        profile_event.objects.filter(tenant_id=tenant_id, client_id=client.pk)
        .annotate(oid=Cast("pgh_obj_id", TextField())).values("oid")
    )
    condition = (
        Q(pgh_model="clients.ClientEvent", pgh_obj_id=str(client.pk))
        | Q(pgh_model="clients.ContactEvent", pgh_obj_id__in=Subquery(contact_ids))
        | Q(pgh_model="clients.BillingProfileEvent", pgh_obj_id__in=Subquery(profile_ids))
    )
    models = list(HISTORY_EVENT_MODELS)
    for source in CLIENT_EVENT_SOURCES:
        models += source.models
        condition |= source.events(actor=actor, client=client, tenant_id=tenant_id)
    return (
        Events.objects.across(*models)
        .filter(condition)
        # Events of one transaction share their time: the billing profile (created with its
        # client) lists above the client's creation, which stays the oldest row.
        .order_by("-pgh_created_at", "pgh_model", "-pgh_id")
    )


def client_history_rows(events) -> list[HistoryRow]:
    """Readable rows for one page of `client_history_events` (`clients.history` says how they
    read): six more queries at most (actors, members, clients, document types, versions and
    documents named), whatever the page size."""
    return history.rows(events)
