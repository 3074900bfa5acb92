"""Files that come from the portal, filed on the client record like an uploaded document.

The document library's `document_store` names a staff member as the uploader; here the file
comes from the client's contact (or is produced for them: the signed timesheet). The same file
checks apply (`documents.files.store_upload`: size, type read from the bytes, antivirus), before
anything is written, and the blob is deleted if the transaction fails. The version's comment
says who, from the portal; `document_stored` is announced like any new version.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from clients.services import client_name_on
from documents.files import delete_blob, store_bytes, store_upload
from documents.models import Document, DocumentType, DocumentVersion
from documents.signals import document_stored


def _file(*, contact, client, document_type: DocumentType, title: str, stored, deal=None, signed_on: datetime.date | None = None) -> Document:
    try:
        with transaction.atomic():
            document = Document(
                client=client, deal=deal, document_type=document_type,
                title=title[: Document._meta.get_field("title").max_length], signed_on=signed_on,
                security_level=document_type.default_security_level, uploaded_by=None,
                client_name_at_date=client_name_on(client, signed_on or timezone.localdate()),
            )
            document.current_version_id = stored.version_id
            document.save()
            version = DocumentVersion(
                id=stored.version_id, document=document, number=1, original_name=stored.original_name,
                content_type=stored.content_type, size=stored.size, sha256=stored.sha256, uploaded_by=None,
                comment=f"Portail client : {contact.email}"[:300],
            )
            version.file.name = stored.name
            version.save()
            document_stored.send(
                sender=Document, document_id=str(document.pk), version_id=str(version.pk), client_id=str(document.client_id),
                deal_id=str(deal.pk) if deal else None, actor_id=None,
            )
    except BaseException:
        delete_blob(stored)
        raise
    return document


def file_upload(*, contact, client, document_type: DocumentType, title: str, upload, deal=None) -> Document:
    """A file the client's contact uploaded: checked (raises `UploadRefused` before writing)."""
    stored = store_upload(upload, tenant_id=client.tenant_id)
    return _file(contact=contact, client=client, document_type=document_type, title=title, stored=stored, deal=deal, signed_on=timezone.localdate())


def file_bytes(*, contact, client, document_type: DocumentType, title: str, data: bytes, filename: str, deal=None) -> Document:
    """A file produced for the contact (the signed PDF of what they approved)."""
    stored = store_bytes(data, filename, tenant_id=client.tenant_id)
    return _file(contact=contact, client=client, document_type=document_type, title=title, stored=stored, deal=deal, signed_on=timezone.localdate())
