"""How a client's history reads (the history engine's configuration for the client, its contacts,
billing profile, documents and per-document grants), registered when the clients app is ready."""

from __future__ import annotations

import html

from django.utils.html import strip_tags
from django.utils.translation import gettext, gettext_lazy

from adv import history
from adv.history import HistoryChange, Relation, Tracked

HISTORY_EVENT_MODELS = (
    "clients.ClientEvent", "clients.ContactEvent", "clients.BillingProfileEvent", "documents.DocumentEvent",
    "documents.DocumentUserObjectPermissionEvent",
)
USER = "users.User"


def _plain_text(text: str) -> str:
    """Rich text: the reader wants the words, not the markup."""
    return " ".join(html.unescape(strip_tags(text.replace("<", " <"))).split())


def _version_label(version) -> str:
    return f"v{version.number} · {version.original_name}"


def _first_file_of_a_new_document(event, diff: dict) -> bool:
    # The first file attached right after the document's creation (documents filed before
    # uploads created both at once): part of the creation, not a change.
    return event.pgh_label == "update" and list(diff) == ["current_version_id"] and not diff["current_version_id"][0]


def _grantee(event, data, names) -> list[HistoryChange]:
    grantee = names.get(USER, data.get("user_id"))
    name = history.full_name(grantee) if grantee is not None else gettext("utilisateur supprimé")
    return [HistoryChange(field=gettext("Personne"), before="", after=name)]


CLIENTS = {
    # Columns that change on every save or say nothing to a reader.
    "hidden": frozenset({"client_id", "client_name_at_date"}),
    "relations": {
        "tenancy.Membership": Relation(
            show=lambda member: str(member.user), missing=gettext_lazy("membre supprimé"), select_related=("user",)
        ),
        "clients.Client": Relation(show=lambda client: client.display_name, missing=gettext_lazy("client supprimé")),
        "documents.DocumentType": Relation(show=lambda document_type: document_type.name),
        "documents.DocumentVersion": Relation(show=_version_label),
        "documents.Document": Relation(show=lambda document: document.title, only=("id", "title")),
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
    Tracked(
        "documents.DocumentEvent", gettext_lazy("Document"), subject=lambda event, data, names: data.get("title") or "",
        creation=("document_type_id", "signed_on", "valid_until", "security_level", "current_version_id"),
        labels={"current_version_id": gettext_lazy("Fichier (version courante)")},
        skip=_first_file_of_a_new_document, **CLIENTS,
    ),
    Tracked(
        "documents.DocumentUserObjectPermissionEvent", gettext_lazy("Accès exceptionnel au document"),
        subject=lambda event, data, names: getattr(names.get("documents.Document", data.get("content_object_id")), "title", ""),
        actions={"insert": gettext_lazy("Accès accordé"), "delete": gettext_lazy("Accès retiré")},
        describe=_grantee, **CLIENTS,
    ),
)
