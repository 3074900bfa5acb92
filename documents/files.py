"""Checking and storing uploaded files.

The type is decided from the bytes (libmagic), never from the name or the browser's claim; a
file whose name says one type and whose bytes say another is refused. Nothing reaches the
storage before the size, the type and the optional virus scan (ClamAV) have passed.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import socket
import struct
import tempfile
import uuid
from dataclasses import dataclass

import magic
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from .errors import DocumentErrorCode, UploadRefused

_OLE = {"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"}
_ZIP = {"application/zip"}
# Extension -> the types its bytes may show. SVG, HTML and scripts are never accepted.
ALLOWED_TYPES: dict[str, set[str]] = {
    ".pdf": {"application/pdf"},
    ".png": {"image/png"},
    ".jpg": {"image/jpeg"},
    ".jpeg": {"image/jpeg"},
    ".gif": {"image/gif"},
    ".webp": {"image/webp"},
    ".tif": {"image/tiff"},
    ".tiff": {"image/tiff"},
    ".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"} | _ZIP,
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} | _ZIP,
    ".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation"} | _ZIP,
    ".odt": {"application/vnd.oasis.opendocument.text"} | _ZIP,
    ".ods": {"application/vnd.oasis.opendocument.spreadsheet"} | _ZIP,
    ".doc": {"application/msword"} | _OLE,
    ".xls": {"application/vnd.ms-excel"} | _OLE,
    ".msg": {"application/vnd.ms-outlook"} | _OLE,
    ".eml": {"message/rfc822", "text/plain"},
    ".txt": {"text/plain"},
    ".csv": {"text/csv", "text/plain", "application/csv"},
}
# What a browser may display inline for the preview; everything else is an attachment.
PREVIEWABLE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredUpload:
    name: str  # the storage name
    version_id: uuid.UUID
    original_name: str
    content_type: str
    size: int
    sha256: str


def _sniff(head: bytes) -> str:
    return magic.from_buffer(head, mime=True)


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def check_upload(upload) -> tuple[str, int, str, str]:
    """Validate an uploaded file. Returns (clean original name, size, sniffed type, sha256)."""
    original_name = os.path.basename(getattr(upload, "name", "") or "").strip()[:255] or "document"
    extension = os.path.splitext(original_name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise UploadRefused(
            _("Type de fichier refusé (%(ext)s). Formats acceptés : PDF, images, Word, Excel, OpenDocument, e-mails.")
            % {"ext": extension or _("sans extension")},
            code=DocumentErrorCode.TYPE_NOT_ALLOWED,
        )
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise UploadRefused(
            _("Fichier trop volumineux (%(size)s) : %(limit)s au maximum.")
            % {"size": _human_size(declared), "limit": _human_size(limit)},
            code=DocumentErrorCode.TOO_LARGE,
        )
    digest = hashlib.sha256()
    size = 0
    head = b""
    upload.seek(0)
    for chunk in upload.chunks(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise UploadRefused(
                _("Fichier trop volumineux : %(limit)s au maximum.") % {"limit": _human_size(limit)}, code=DocumentErrorCode.TOO_LARGE
            )
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
    if size == 0:
        raise UploadRefused(_("Le fichier est vide."), code=DocumentErrorCode.EMPTY)
    sniffed = _sniff(head)
    if sniffed not in ALLOWED_TYPES[extension]:
        raise UploadRefused(
            _("Le contenu du fichier (%(sniffed)s) ne correspond pas à son extension %(ext)s : fichier refusé.")
            % {"sniffed": sniffed, "ext": extension},
            code=DocumentErrorCode.TYPE_MISMATCH,
        )
    claimed = getattr(upload, "content_type", None)
    guessed = mimetypes.guess_type(original_name)[0]
    if claimed and claimed not in ("application/octet-stream", guessed) and claimed not in ALLOWED_TYPES[extension]:
        raise UploadRefused(
            _("Le type annoncé (%(claimed)s) ne correspond pas au contenu du fichier.") % {"claimed": claimed},
            code=DocumentErrorCode.TYPE_MISMATCH,
        )
    upload.seek(0)
    scan_for_viruses(upload)
    upload.seek(0)
    content_type = guessed if guessed and guessed in ALLOWED_TYPES[extension] else sniffed
    return original_name, size, content_type, digest.hexdigest()


def scan_for_viruses(upload) -> None:
    """Stream the file to a ClamAV daemon (INSTREAM) when CLAMAV_ADDRESS is set. Fails closed."""
    address = settings.CLAMAV_ADDRESS
    if not address:
        return
    try:
        if address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(30)
            sock.connect(address)
        else:
            host, _sep, port = address.rpartition(":")
            sock = socket.create_connection((host, int(port)), timeout=30)
        with sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in upload.chunks(_CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as exc:
        raise UploadRefused(
            _("L'antivirus est injoignable : le fichier n'a pas été enregistré. Réessayez plus tard."),
            code=DocumentErrorCode.ANTIVIRUS_UNAVAILABLE,
        ) from exc
    text = reply.rstrip(b"\0").decode(errors="replace")
    if text.endswith("FOUND"):
        raise UploadRefused(_("L'antivirus a détecté une menace dans ce fichier : refusé."), code=DocumentErrorCode.INFECTED)
    if not text.endswith("OK"):
        raise UploadRefused(_("L'antivirus n'a pas pu analyser ce fichier : refusé."), code=DocumentErrorCode.ANTIVIRUS_ERROR)


def store_upload(upload, *, tenant_id) -> StoredUpload:
    """Check, then write the bytes to the storage under a name that owes nothing to the user."""
    original_name, size, content_type, sha256 = check_upload(upload)
    version_id = uuid.uuid4()
    name = default_storage.save(f"tenants/{tenant_id}/documents/{version_id}", File(upload))
    return StoredUpload(name, version_id, original_name, content_type, size, sha256)


def store_bytes(data: bytes, filename: str, *, tenant_id) -> StoredUpload:
    """The same path for bytes produced by the application (demo data, generated PDFs)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    # No claimed type (SimpleUploadedFile would claim text/plain): the bytes decide.
    return store_upload(SimpleUploadedFile(filename, data, content_type="application/octet-stream"), tenant_id=tenant_id)


def delete_blob(stored: StoredUpload) -> None:
    default_storage.delete(stored.name)


def spooled_copy(version) -> tempfile.SpooledTemporaryFile:
    """A local, seekable copy of a stored version (for zips), in memory up to 10 MB."""
    spool = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)
    with default_storage.open(version.file.name, "rb") as source:
        for chunk in iter(lambda: source.read(_CHUNK), b""):
            spool.write(chunk)
    spool.seek(0)
    return spool
