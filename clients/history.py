"""How a client's history reads (the history engine's configuration for the client, its contacts
and billing profile), registered when the clients app is ready. Other apps add their events to a
client's history page with `register_client_events` (documents: its documents and grants)."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy

from adv import history
from adv.history import Relation, Tracked

HISTORY_EVENT_MODELS = ("clients.ClientEvent", "clients.ContactEvent", "clients.BillingProfileEvent")
USER = "users.User"


@dataclass(frozen=True)
class ClientEventSource:
    """Events of another app shown on a client's history page: the event models, and the filter
    (on pghistory's `Events`) choosing those of one client that the actor may see."""

    models: tuple[str, ...]
    events: Callable[..., Q]  # (*, actor, client, tenant_id) -> Q


CLIENT_EVENT_SOURCES: list[ClientEventSource] = []


def register_client_events(source: ClientEventSource) -> None:
    CLIENT_EVENT_SOURCES.append(source)


def _plain_text(text: str) -> str:
    """Rich text: the reader wants the words, not the markup."""
    return " ".join(html.unescape(strip_tags(text.replace("<", " <"))).split())


CLIENTS = {
    # Columns that change on every save or say nothing to a reader.
    "hidden": frozenset({"client_id"}),
    "relations": {
        "tenancy.Membership": Relation(
            show=lambda member: str(member.user), missing=gettext_lazy("membre supprimé"), select_related=("user",)
        ),
        "clients.Client": Relation(show=lambda client: client.display_name, missing=gettext_lazy("client supprimé")),
        USER: Relation(show=history.full_name),
    },
    "creation_skips": (None, "", False),
    "truncate": 160,
    "unchanged": gettext_lazy("Enregistré sans changement"),
}

history.register(
    Tracked(
        "clients.ClientEvent", gettext_lazy("Fiche client"),
        subject=lambda event, data, names: data.get("trade_name") or data.get("legal_name") or "",
        creation=("status", "siren", "owner_id", "adv_owner_id", "parent_id", "is_public_sector"), **CLIENTS,
    ),
    Tracked(
        "clients.ContactEvent", gettext_lazy("Contact"),
        subject=lambda event, data, names: f"{data.get('first_name') or ''} {data.get('last_name') or ''}".strip(),
        creation=("email", "invoice_delivery", "signs_timesheets", "signs_acceptance_reports"), **CLIENTS,
    ),
    Tracked(
        "clients.BillingProfileEvent", gettext_lazy("Profil de facturation"),
        creation=("payment_terms_days", "payment_terms_end_of_month", "einvoicing_platform"),
        values={"billing_process": _plain_text},
        **{**CLIENTS, "unchanged": gettext_lazy("Mot de passe de la plateforme modifié")},  # (an untracked column)
    ),
)
