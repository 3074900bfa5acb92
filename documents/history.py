"""How documents read on a client's history page (the history engine's configuration for
documents and per-document grants), and which of them that page shows: registered when the
documents app is ready."""

from __future__ import annotations

from django.db.models import Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext, gettext_lazy

from adv import history
from adv.history import HistoryChange, Relation, Tracked
from clients.history import CLIENTS, USER, ClientEventSource, register_client_events

from . import access
from .models import Document, DocumentUserObjectPermissionEvent

DOCUMENTS = {
    **CLIENTS,
    # The client's name on the document's date is kept for the file, not for the reader.
    "hidden": CLIENTS["hidden"] | {"client_name_at_date"},
    "relations": {
        **CLIENTS["relations"],
        "documents.DocumentType": Relation(show=lambda document_type: document_type.name),
        "documents.DocumentVersion": Relation(show=lambda version: f"v{version.number} · {version.original_name}"),
        "documents.Document": Relation(show=lambda document: document.title, only=("id", "title")),
    },
}


def _first_file_of_a_new_document(event, diff: dict) -> bool:
    # The first file attached right after the document's creation (documents filed before
    # uploads created both at once): part of the creation, not a change.
    return event.pgh_label == "update" and list(diff) == ["current_version_id"] and not diff["current_version_id"][0]


def _grantee(event, data, names) -> list[HistoryChange]:
    grantee = names.get(USER, data.get("user_id"))
    name = history.full_name(grantee) if grantee is not None else gettext("utilisateur supprimé")
    return [HistoryChange(field=gettext("Personne"), before="", after=name)]


def _client_document_events(*, actor, client, tenant_id) -> Q:
    """The client's documents the actor may see (restricted ones stay out of the history of
    whoever may not open them), and their per-document grants."""
    visible = access.visible_documents(Document.objects.filter(tenant_id=tenant_id, client=client), actor)
    document_ids = visible.annotate(oid=Cast("pk", TextField())).values("oid")
    grant_ids = (
        DocumentUserObjectPermissionEvent.objects.filter(tenant_id=tenant_id, content_object_id__in=visible.values("pk"))
        .annotate(oid=Cast("pgh_obj_id", TextField())).values("oid")
    )
    return Q(pgh_model="documents.DocumentEvent", pgh_obj_id__in=Subquery(document_ids)) | Q(
        pgh_model="documents.DocumentUserObjectPermissionEvent", pgh_obj_id__in=Subquery(grant_ids)
    )


register_client_events(
    ClientEventSource(
        models=("documents.DocumentEvent", "documents.DocumentUserObjectPermissionEvent"), events=_client_document_events
    )
)

history.register(
    Tracked(
        "documents.DocumentEvent", gettext_lazy("Document"), subject=lambda event, data, names: data.get("title") or "",
        creation=("document_type_id", "signed_on", "valid_until", "security_level", "current_version_id"),
        labels={"current_version_id": gettext_lazy("Fichier (version courante)")},
        skip=_first_file_of_a_new_document, **DOCUMENTS,
    ),
    Tracked(
        "documents.DocumentUserObjectPermissionEvent", gettext_lazy("Accès exceptionnel au document"),
        subject=lambda event, data, names: getattr(names.get("documents.Document", data.get("content_object_id")), "title", ""),
        actions={"insert": gettext_lazy("Accès accordé"), "delete": gettext_lazy("Accès retiré")},
        describe=_grantee, **DOCUMENTS,
    ),
)
