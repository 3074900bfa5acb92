"""Expected documents: what is present, missing or expired on each client (read path).

A `DocumentRequirement` applies to prospects or to clients; former and archived clients owe
nothing. For each active requirement that applies, the newest document of its type on the client
(latest signature/issue date, else latest upload) decides:

- missing: the client has no document of that type;
- expired: its "valid until" date has passed (when the requirement says it must be unexpired),
  or it is older than `max_age_days`, counted from its signature/issue date, else from the upload
  of its current file;
- present otherwise.

Each item carries the document, the date it expires (or expired) and the member who must provide
it (the client's sales owner or ADV in charge, as the requirement says). `checklists()` computes
many clients at once in a constant number of queries (the report); `checklist()` one client.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, Tenant
from clients.models import Client, ClientStatus

from .models import Document, DocumentRequirement, Responsible


class ChecklistStatus(models.TextChoices):
    PRESENT = "present", _("Présent")
    MISSING = "missing", _("Manquant")
    EXPIRED = "expired", _("Expiré")


# Client statuses that owe documents, and the requirement scope that applies to each.
SCOPE_BY_CLIENT_STATUS = {ClientStatus.PROSPECT: "prospect", ClientStatus.CLIENT: "client"}


@dataclass(frozen=True)
class ChecklistItem:
    client: Client
    requirement: DocumentRequirement
    status: str
    document: Document | None
    # Present: the last day it is still valid (None: no end). Expired: the day it stopped being valid.
    expires_on: datetime.date | None
    responsible: Membership | None

    @property
    def key(self) -> str:
        """Identifies the row in forms (selection of rows to chase)."""
        return f"{self.client.pk}:{self.requirement.pk}"

    @property
    def document_type(self):
        return self.requirement.document_type

    @property
    def is_present(self) -> bool:
        return self.status == ChecklistStatus.PRESENT

    @property
    def status_label(self) -> str:
        return str(ChecklistStatus(self.status).label)

    @property
    def responsible_role_label(self) -> str:
        return str(Responsible(self.requirement.responsible).label)


def tenant_today(tenant: Tenant) -> datetime.date:
    """Today in the firm's time zone."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(tenant.time_zone)).date()


def owes_documents(client: Client) -> bool:
    return client.archived_at is None and client.status in SCOPE_BY_CLIENT_STATUS


def active_requirements(*, document_type=None) -> list[DocumentRequirement]:
    """The tenant's active requirements with their (active) document type. One query."""
    queryset = DocumentRequirement.objects.select_related("document_type").filter(
        is_active=True, document_type__is_active=True
    )
    if document_type is not None:
        queryset = queryset.filter(document_type=document_type)
    return list(queryset.order_by("document_type__name", "applies_to", "id"))


def checklist_clients() -> QuerySet:
    """Clients with what the checklist shows about them (owner and ADV with their users)."""
    return Client.objects.select_related("owner__user", "adv_owner__user")


def _newest_documents(client_ids: list, type_ids: list) -> dict[tuple, Document]:
    """The newest document per (client, type). One query (DISTINCT ON)."""
    if not client_ids or not type_ids:
        return {}
    reference_day = Coalesce("signed_on", TruncDate("current_version__created_at"), TruncDate("created_at"))
    documents = (
        Document.objects.filter(client_id__in=client_ids, document_type_id__in=type_ids, current_version__isnull=False)
        .select_related("current_version")
        .annotate(reference_day=reference_day)
        .order_by("client_id", "document_type_id", models.F("reference_day").desc(nulls_last=True), "-created_at", "id")
        .distinct("client_id", "document_type_id")
    )
    return {(d.client_id, d.document_type_id): d for d in documents}


def upload_day(document: Document) -> datetime.date:
    uploaded = document.current_version.created_at if document.current_version_id else document.created_at
    return timezone.localdate(uploaded)


def evaluate(
    document: Document | None, requirement: DocumentRequirement, today: datetime.date
) -> tuple[str, datetime.date | None]:
    """(status, expiry day) of one document against one requirement."""
    if document is None:
        return ChecklistStatus.MISSING, None
    limits = []
    if requirement.must_be_unexpired and document.valid_until is not None:
        limits.append(document.valid_until)
    if requirement.max_age_days is not None:
        start = document.signed_on or upload_day(document)
        limits.append(start + datetime.timedelta(days=requirement.max_age_days))
    expires_on = min(limits) if limits else None
    if expires_on is not None and expires_on < today:
        return ChecklistStatus.EXPIRED, expires_on
    return ChecklistStatus.PRESENT, expires_on


def age_limits(client: Client) -> dict:
    """{document type id: maximum age in days} of the active requirements that apply to this
    client (e.g. a K-bis of less than 90 days), so that its documents list agrees with its
    checklist. One query; empty when the client owes nothing."""
    if not owes_documents(client):
        return {}
    return dict(
        DocumentRequirement.objects.filter(
            is_active=True, document_type__is_active=True, applies_to=SCOPE_BY_CLIENT_STATUS[client.status],
            max_age_days__isnull=False,
        ).values_list("document_type_id", "max_age_days")
    )


def responsible_for(client: Client, requirement: DocumentRequirement) -> Membership | None:
    member = client.adv_owner if requirement.responsible == Responsible.ADV else client.owner
    return member if member is not None and member.is_active else None


def checklists(
    clients: Iterable[Client],
    *,
    today: datetime.date,
    requirements: list[DocumentRequirement] | None = None,
) -> dict:
    """{client pk: [ChecklistItem, …]} for many clients, in two queries whatever their number
    (requirements, then the newest documents), plus the clients' own query if lazy.

    Load the clients with `checklist_clients()` so that their owner and ADV come along.
    """
    clients = list(clients)
    if requirements is None:
        requirements = active_requirements()
    by_scope: dict[str, list[DocumentRequirement]] = {}
    for requirement in requirements:
        by_scope.setdefault(requirement.applies_to, []).append(requirement)
    owing = [c for c in clients if owes_documents(c) and by_scope.get(SCOPE_BY_CLIENT_STATUS[c.status])]
    newest = _newest_documents(
        [c.pk for c in owing], sorted({r.document_type_id for r in requirements}, key=str)
    )
    result: dict = {c.pk: [] for c in clients}
    for client in owing:
        for requirement in by_scope[SCOPE_BY_CLIENT_STATUS[client.status]]:
            document = newest.get((client.pk, requirement.document_type_id))
            status, expires_on = evaluate(document, requirement, today)
            result[client.pk].append(
                ChecklistItem(
                    client=client,
                    requirement=requirement,
                    status=status,
                    document=document,
                    expires_on=expires_on,
                    responsible=responsible_for(client, requirement),
                )
            )
    return result


def checklist(client: Client, *, today: datetime.date) -> list[ChecklistItem]:
    """The expected documents of one client, each present, missing or expired."""
    return checklists([client], today=today)[client.pk]


@dataclass(frozen=True)
class MissingFilters:
    responsible: Membership | None = None
    document_type: object | None = None
    status: str = ""  # "", "missing" or "expired"
    client_status: str = ""  # "", "prospect" or "client"
    client_ids: tuple = ()  # restrict to these clients (selection of rows)


def missing_documents(*, today: datetime.date, filters: MissingFilters | None = None) -> list[ChecklistItem]:
    """Every (client, requirement) that is not present, across the firm's active clients and
    prospects, filtered, sorted by client then type. Three queries whatever the number of rows."""
    filters = filters or MissingFilters()
    clients = checklist_clients().filter(archived_at__isnull=True, status__in=list(SCOPE_BY_CLIENT_STATUS))
    if filters.client_status:
        clients = clients.filter(status=filters.client_status)
    if filters.client_ids:
        clients = clients.filter(pk__in=filters.client_ids)
    requirements = active_requirements(document_type=filters.document_type)
    if not requirements:
        return []
    rows = []
    for items in checklists(clients.order_by("legal_name", "id"), today=today, requirements=requirements).values():
        for item in items:
            if item.is_present:
                continue
            if filters.status and item.status != filters.status:
                continue
            if filters.responsible is not None and (
                item.responsible is None or item.responsible.pk != filters.responsible.pk
            ):
                continue
            rows.append(item)
    return rows


def checklist_summary(items: list[ChecklistItem]) -> dict[str, int]:
    counts = {status: 0 for status in ChecklistStatus.values}
    for item in items:
        counts[item.status] += 1
    return counts
