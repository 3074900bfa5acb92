"""Files the clients app hands out: the missing-documents report as CSV / XLSX, and the "proof of
order" zip for the statutory auditor (contractual documents + a manifest with their hashes).

Everything is written to a SpooledTemporaryFile (in memory up to a few MB, then on disk) and
served as an attachment; document bytes are streamed from the storage chunk by chunk.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from adv.exports import Column, csv_bytes, table_response
from adv.exports import spool as shared_spool
from adv.tenancy.models import Membership
from documents.models import Document, DocumentVersion

from . import access, services
from .files import spooled_copy
from .models import Client
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


# --- Proof of order ------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _safe_name(text: str, limit: int = 80) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = _UNSAFE.sub("-", text).strip(" .-") or "document"
    return text[:limit].rstrip(" .-")


def _extension(version: DocumentVersion) -> str:
    extension = os.path.splitext(version.original_name or "")[1].lower()
    if re.fullmatch(r"\.[a-z0-9]{1,6}", extension or ""):
        return extension
    return mimetypes.guess_extension(version.content_type or "") or ""


@dataclass
class ProofOfOrder:
    file: tempfile.SpooledTemporaryFile
    filename: str
    document_count: int
    file_count: int


def proof_of_order_documents(*, actor: Membership, client: Client) -> list[Document]:
    """The client's contractual documents this member may see, each with its versions."""
    access.require(actor, access.can_view_clients(actor))
    queryset = (
        Document.objects.filter(client=client, document_type__is_contractual=True, current_version__isnull=False)
        .select_related("document_type", "uploaded_by__user", "current_version")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by__user").order_by("number"),
            )
        )
        .order_by("document_type__name", "signed_on", "created_at", "id")
    )
    return list(access.visible_documents(queryset, actor))


MANIFEST_CSV_HEADERS = [
    "fichier", "type", "titre", "signé le", "valable jusqu'au", "déposé par", "déposé le", "sha256",
    "taille (octets)", "version", "version actuelle", "historique des dépôts", "empreinte vérifiée",
]


def _history_text(versions: list[DocumentVersion]) -> str:
    return " | ".join(
        f"v{v.number} {timezone.localtime(v.created_at):%d/%m/%Y %H:%M} {_person(v.uploaded_by)}".strip()
        for v in versions
    )


def proof_of_order_build(*, actor: Membership, client: Client, ip_address: str | None = None) -> ProofOfOrder | None:
    """Build the zip (None when the member sees no contractual document on this client).

    Layout: `<folder>/documents/<n> - <type> - <title> (v<k>).<ext>` for the current files,
    `<folder>/documents/versions-precedentes/…` for the superseded ones, and
    `<folder>/manifeste.csv` + `<folder>/manifeste.json`. Each file's SHA-256 is computed
    from the bytes written to the zip and compared with the one recorded at upload. Each
    version included is recorded as a download by this member.
    """
    documents = proof_of_order_documents(actor=actor, client=client)
    if not documents:
        return None
    now = timezone.localtime()
    folder = f"preuve-de-commande-{slugify(client.display_name) or 'client'}-{now:%Y-%m-%d}"
    spool = shared_spool()
    manifest_rows: list[dict] = []
    json_documents: list[dict] = []
    file_count = 0
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, document in enumerate(documents, start=1):
            versions = list(document.versions.all())
            base = f"{index:02d} - {_safe_name(document.document_type.name, 40)} - {_safe_name(document.title)}"
            json_versions = []
            for version in versions:
                is_current = version.pk == document.current_version_id
                subfolder = "documents" if is_current else "documents/versions-precedentes"
                arcname = f"{folder}/{subfolder}/{base} (v{version.number}){_extension(version)}"
                digest, size = _copy_into(archive, arcname, version)
                file_count += 1
                services.document_record_download(actor=actor, version=version, ip_address=ip_address)
                record = {
                    "file": arcname.split("/", 1)[1],
                    "version": version.number,
                    "current": is_current,
                    "original_name": version.original_name,
                    "content_type": version.content_type,
                    "size": size,
                    "sha256": digest,
                    "sha256_recorded": version.sha256,
                    "sha256_verified": digest == version.sha256,
                    "uploaded_by": _person(version.uploaded_by),
                    "uploaded_at": timezone.localtime(version.created_at).isoformat(),
                    "superseded_at": timezone.localtime(version.superseded_at).isoformat() if version.superseded_at else None,
                    "comment": version.comment,
                }
                json_versions.append(record)
                manifest_rows.append(
                    {
                        "fichier": record["file"],
                        "type": document.document_type.name,
                        "titre": document.title,
                        "signé le": _day(document.signed_on),
                        "valable jusqu'au": _day(document.valid_until),
                        "déposé par": record["uploaded_by"],
                        "déposé le": f"{timezone.localtime(version.created_at):%d/%m/%Y %H:%M}",
                        "sha256": digest,
                        "taille (octets)": size,
                        "version": version.number,
                        "version actuelle": "oui" if is_current else "non",
                        "historique des dépôts": _history_text(versions),
                        "empreinte vérifiée": "oui" if record["sha256_verified"] else "NON",
                    }
                )
            json_documents.append(
                {
                    "id": str(document.pk),
                    "type": document.document_type.name,
                    "type_code": document.document_type.code,
                    "title": document.title,
                    "signed_on": document.signed_on.isoformat() if document.signed_on else None,
                    "valid_until": document.valid_until.isoformat() if document.valid_until else None,
                    "client_name_at_date": document.client_name_at_date,
                    "security_level": document.security_level,
                    "uploaded_by": _person(document.uploaded_by),
                    "uploaded_at": timezone.localtime(document.created_at).isoformat(),
                    "versions": json_versions,
                }
            )
        archive.writestr(f"{folder}/manifeste.csv", _manifest_csv(manifest_rows))
        manifest = {
            "client": {
                "id": str(client.pk),
                "name": client.display_name,
                "legal_name": client.legal_name,
                "siren": client.siren,
                "siret": client.siret,
                "vat_number": client.vat_number,
            },
            "generated_at": now.isoformat(),
            "generated_by": str(actor.user),
            "documents": json_documents,
        }
        archive.writestr(f"{folder}/manifeste.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    spool.seek(0)
    return ProofOfOrder(file=spool, filename=f"{folder}.zip", document_count=len(documents), file_count=file_count)


def _copy_into(archive: zipfile.ZipFile, arcname: str, version: DocumentVersion) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with spooled_copy(version) as source, archive.open(arcname, "w", force_zip64=True) as target:
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def _manifest_csv(rows: list[dict]) -> bytes:
    return csv_bytes(MANIFEST_CSV_HEADERS, [[row.get(name, "") for name in MANIFEST_CSV_HEADERS] for row in rows])

