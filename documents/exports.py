"""The missing-documents report as CSV / XLSX (the shared writer, adv/exports.py). The proof of
order zip is documents/proof_of_order.py."""

from __future__ import annotations

import datetime

from django.http import FileResponse
from django.utils.translation import gettext as _

from adv.exports import Column, table_response
from adv.tenancy.models import Membership

from .requirements import ChecklistItem

_CHUNK = 64 * 1024


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _person(member: Membership | None) -> str:
    return str(member.user) if member is not None else ""


# --- Missing-documents report ----------------------------------------------------------------


def missing_documents_columns() -> list[Column]:
    return [
        Column(_("Client")),
        Column(_("SIREN")),
        Column(_("Statut du client")),
        Column(_("Document attendu")),
        Column(_("État")),
        Column(_("Document actuel")),
        Column(_("Expiré le"), "date"),
        Column(_("À fournir par")),
        Column(_("Responsable")),
        Column(_("E-mail du responsable")),
    ]


def _row_values(item: ChecklistItem) -> list:
    client = item.client
    return [
        client.display_name,
        client.siren,
        client.get_status_display(),
        item.document_type.name,
        item.status_label,
        item.document.title if item.document is not None else "",
        item.expires_on if item.status == "expired" else None,
        item.responsible_role_label,
        _person(item.responsible) or _("Non attribué"),
        item.responsible.user.email if item.responsible is not None else "",
    ]


def missing_documents_response(items: list[ChecklistItem], *, fmt: str, today: datetime.date) -> FileResponse:
    rows = [_row_values(item) for item in items]
    return table_response(
        missing_documents_columns(), rows, stem="documents-manquants", sheet=_("Documents manquants"), fmt=fmt, day=today
    )
