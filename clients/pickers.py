"""The client picker's suggestions (/t/<firm>/pickers/clients/?q=…): at most PICKER_LIMIT
clients whose name or SIREN matches, searched like the client list, read as plain rows."""

from __future__ import annotations

import uuid

from django.views.decorators.http import require_GET

from adv.ui.permissions import require_role
from adv.ui.pickers import PICKER_LIMIT, Option, render_options

from . import access, selectors
from .selectors import ARCHIVED_HIDDEN, ARCHIVED_INCLUDED, ClientFilters


def client_options(*, actor, q: str = "", active_only: bool = False, exclude: uuid.UUID | None = None) -> list[Option]:
    """`q` shorter than two characters: the first clients by name."""
    q = q.strip()
    filters = ClientFilters(q=q if len(q) >= 2 else "", archived=ARCHIVED_HIDDEN if active_only else ARCHIVED_INCLUDED)
    queryset = selectors.client_list(actor=actor, filters=filters)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    rows = queryset.values("id", "legal_name", "trade_name", "siren", "archived_at")[:PICKER_LIMIT]
    options = []
    for row in rows:
        label = row["trade_name"] or row["legal_name"]
        details = [row["legal_name"]] if row["trade_name"] and row["trade_name"] != row["legal_name"] else []
        if row["siren"]:
            details.append(row["siren"])
        options.append(Option(value=str(row["id"]), label=label, detail=" · ".join(details)))
    return options


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@require_role(*sorted(access.VIEW_CLIENT_ROLES))
@require_GET
def clients_picker(request, tenant_slug):
    """`?q=…[&scope=active][&exclude=<id>]`."""
    options = client_options(
        actor=request.membership,
        q=request.GET.get("q", "")[:100],
        active_only=request.GET.get("scope") == "active",
        exclude=_uuid(request.GET.get("exclude", "")),
    )
    return render_options(request, options)
