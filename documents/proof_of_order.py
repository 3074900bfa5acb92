"""The "proof of order" zip for the statutory auditor: contractual documents and a manifest with
their hashes, written once here for a client's documents (documents/views/checklist.py) and for a
deal's (deals/exports.py).

Layout: `<folder>/documents/<n> - <type> - <title> (v<k>).<ext>` for the current files,
`<folder>/documents/versions-precedentes/…` for the superseded ones, and `<folder>/manifeste.csv`
+ `<folder>/manifeste.json`. Each file's SHA-256 is computed from the bytes written to the zip and
compared with the one recorded at upload; each version included is recorded as a download by the
member. Everything is written to a SpooledTemporaryFile (in memory up to a few MB, then on disk);
document bytes are streamed from the storage chunk by chunk.
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
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from adv.exports import csv_bytes
from adv.exports import spool as shared_spool
from adv.tenancy.models import Membership
from clients.models import Client

from . import access, services
from .files import spooled_copy
from .models import Document, DocumentVersion

_CHUNK = 64 * 1024
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

MANIFEST_CSV_HEADERS = [
    "fichier", "type", "titre", "signé le", "valable jusqu'au", "déposé par", "déposé le", "sha256",
    "taille (octets)", "version", "version actuelle", "historique des dépôts", "empreinte vérifiée",
]


@dataclass
class ProofOfOrder:
    file: tempfile.SpooledTemporaryFile
    filename: str
    document_count: int
    file_count: int


def contractual_documents(queryset: QuerySet[Document], *, actor: Membership) -> list[Document]:
    """The contractual documents (with a file) of `queryset` this member may see, each with its
    versions, in the zip's order."""
    queryset = (
        queryset.filter(document_type__is_contractual=True, current_version__isnull=False)
        .select_related("document_type", "uploaded_by__user", "current_version")
        .prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.select_related("uploaded_by__user").order_by("number"))
        )
        .order_by("document_type__name", "signed_on", "created_at", "id")
    )
    return list(access.visible_documents(queryset, actor))


def client_summary(client: Client) -> dict:
    """How a manifest names the client."""
    return {
        "id": str(client.pk), "name": client.display_name, "legal_name": client.legal_name, "siren": client.siren,
        "siret": client.siret, "vat_number": client.vat_number,
    }


def proof_of_order_build(
    *,
    actor: Membership,
    documents: list[Document],
    label: str,
    subject: dict,
    document_extra: Callable[[Document], dict] | None = None,
    ip_address: str | None = None,
) -> ProofOfOrder | None:
    """The zip of `documents` (None when there is none), in a folder named after `label` and the
    day; the manifest starts with `subject` (what the proof is about: the client, a deal…), and
    `document_extra(document)` adds members to a document's entry."""
    if not documents:
        return None
    now = timezone.localtime()
    folder = f"preuve-de-commande-{label}-{now:%Y-%m-%d}"
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
                record = _version_record(arcname, version, is_current, digest, size)
                json_versions.append(record)
                manifest_rows.append(_manifest_row(document, version, record, versions))
            entry = _document_record(document, json_versions)
            if document_extra is not None:
                entry.update(document_extra(document))
            json_documents.append(entry)
        archive.writestr(f"{folder}/manifeste.csv", _manifest_csv(manifest_rows))
        manifest = {**subject, "generated_at": now.isoformat(), "generated_by": str(actor.user), "documents": json_documents}
        archive.writestr(f"{folder}/manifeste.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    spool.seek(0)
    return ProofOfOrder(file=spool, filename=f"{folder}.zip", document_count=len(documents), file_count=file_count)


def client_proof_of_order_build(*, actor: Membership, client: Client, ip_address: str | None = None) -> ProofOfOrder | None:
    """The client's proof of order: its contractual documents this member may see."""
    access.require(actor, access.can_view_clients(actor))
    documents = contractual_documents(Document.objects.filter(client=client), actor=actor)
    return proof_of_order_build(
        actor=actor, documents=documents, label=slugify(client.display_name) or "client",
        subject={"client": client_summary(client)}, ip_address=ip_address,
    )


def _day(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _person(member: Membership | None) -> str:
    return str(member.user) if member is not None else ""


def _safe_name(text: str, limit: int = 80) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = _UNSAFE.sub("-", text).strip(" .-") or "document"
    return text[:limit].rstrip(" .-")


def _extension(version: DocumentVersion) -> str:
    extension = os.path.splitext(version.original_name or "")[1].lower()
    if re.fullmatch(r"\.[a-z0-9]{1,6}", extension or ""):
        return extension
    return mimetypes.guess_extension(version.content_type or "") or ""


def _history_text(versions: list[DocumentVersion]) -> str:
    return " | ".join(
        f"v{v.number} {timezone.localtime(v.created_at):%d/%m/%Y %H:%M} {_person(v.uploaded_by)}".strip()
        for v in versions
    )


def _version_record(arcname: str, version: DocumentVersion, is_current: bool, digest: str, size: int) -> dict:
    return {
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


def _manifest_row(document: Document, version: DocumentVersion, record: dict, versions: list[DocumentVersion]) -> dict:
    return {
        "fichier": record["file"],
        "type": document.document_type.name,
        "titre": document.title,
        "signé le": _day(document.signed_on),
        "valable jusqu'au": _day(document.valid_until),
        "déposé par": record["uploaded_by"],
        "déposé le": f"{timezone.localtime(version.created_at):%d/%m/%Y %H:%M}",
        "sha256": record["sha256"],
        "taille (octets)": record["size"],
        "version": version.number,
        "version actuelle": "oui" if record["current"] else "non",
        "historique des dépôts": _history_text(versions),
        "empreinte vérifiée": "oui" if record["sha256_verified"] else "NON",
    }


def _document_record(document: Document, versions: list[dict]) -> dict:
    return {
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
        "versions": versions,
    }


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
