"""Reads of the accounting pages and API: plain rows, a constant number of queries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import F, Q

from adv.ui.folding import fold, folded
from clients.models import Client

from .models import AccountingExport

EXPORT_COLUMNS = (
    "id", "kind", "start", "end", "run_by_name", "filename", "sha256", "size", "entry_count", "line_count",
    "total_debit", "created_at",
)


def exports():
    return AccountingExport.objects.only(*EXPORT_COLUMNS).order_by("-created_at", "-id")


def exports_page(page_number=None, per_page: int = 20):
    return Paginator(exports(), per_page).get_page(page_number)


def client_accounts_page(*, q: str = "", page_number=None, per_page: int = 50):
    """Clients with their auxiliary account (blank until generated), by name."""
    clients = Client.objects.annotate(auxiliary=F("accounting_account__number")).values(
        "id", "legal_name", "trade_name", "country", "auxiliary", "accounting_account__edited"
    )
    if q:
        needle = fold(q.strip())
        clients = clients.annotate(name_folded=folded("legal_name")).filter(
            Q(name_folded__contains=needle) | Q(accounting_account__number__icontains=q.strip())
        )
    return Paginator(clients.order_by("legal_name", "id"), per_page).get_page(page_number)
