"""What the client list shows about documents: each client's checklist summary (what it still
owes), registered in `clients.selectors.CLIENT_LIST_EXTRAS` when the documents app is ready."""

from __future__ import annotations

from adv.tenancy.models import Membership
from clients.models import Client
from clients.selectors import client_list_extra_register

from . import requirements


def documents_summaries(clients: list[Client], membership: Membership) -> None:
    """Set `documents_summary` on each client of the page (two queries for the whole page)."""
    lists = requirements.checklists(clients, today=requirements.tenant_today(membership.tenant))
    for client in clients:
        client.documents_summary = requirements.checklist_summary(lists[client.pk]) if lists[client.pk] else None


client_list_extra_register(documents_summaries)
