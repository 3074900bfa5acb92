"""Serving stored document files, only after the permission check, every time recorded.

- Download: `Content-Disposition: attachment` with the original file name (RFC 6266 with the
  RFC 5987 `filename*` parameter for non-ASCII names), `X-Content-Type-Options: nosniff`,
  never cached by shared caches.
- Preview: only PREVIEWABLE_TYPES (PDF and raster images), inline, with
  `Content-Security-Policy: sandbox; default-src 'none'` — never HTML or SVG inline.
- On S3-compatible storage the UI is redirected to a short-lived presigned URL generated after
  the check, which carries the same disposition and type (`ResponseContentDisposition`,
  `ResponseContentType`); the API streams the bytes itself (a bearer token must not follow a
  redirect to another host).
"""

from __future__ import annotations

import mimetypes
import unicodedata
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.translation import gettext as _

from adv.network import client_ip
from adv.tenancy.errors import NotFound
from adv.tenancy.models import Membership

from . import access
from .files import PREVIEWABLE_TYPES
from .models import DocumentVersion
from .services import document_record_download

PREVIEW_CSP = "sandbox; default-src 'none'"


def _ascii_fallback(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_name = decomposed.encode("ascii", "ignore").decode("ascii")
    cleaned = "".join(ch if ch.isprintable() and ch not in '"\\/;' else "_" for ch in ascii_name).strip()
    return cleaned or "document"


def content_disposition(disposition: str, filename: str) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987)."""
    filename = filename.replace("\r", "").replace("\n", "")
    return f"{disposition}; filename=\"{_ascii_fallback(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def is_previewable(version: DocumentVersion) -> bool:
    return version.content_type in PREVIEWABLE_TYPES


def _is_s3() -> bool:
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages is a dependency
        return False
    return isinstance(getattr(default_storage, "_wrapped", default_storage), S3Storage)


def _content_type(version: DocumentVersion) -> str:
    return version.content_type or mimetypes.guess_type(version.original_name)[0] or "application/octet-stream"


def serve_version(
    request, *, membership: Membership, version: DocumentVersion, inline: bool = False, via_api: bool = False
):
    """Check, record, then serve (or redirect to a presigned URL). 404 when the member may
    not see the document, when a preview is asked for a type that is never shown inline, or
    when the blob is missing."""
    document = version.document
    if not access.can_view_document(membership, document):
        raise Http404(_("Ce document n'existe pas."))
    if inline and not is_previewable(version):
        raise Http404(_("Aucun aperçu pour ce type de fichier : téléchargez-le."))
    try:
        document_record_download(actor=membership, version=version, ip_address=client_ip(request), via_api=via_api)
    except NotFound:
        raise Http404(_("Ce document n'existe pas."))

    content_type = _content_type(version)
    disposition = content_disposition("inline" if inline else "attachment", version.original_name)
    if _is_s3() and not via_api:
        # Valid for the storage's `querystring_expire` (S3_URL_EXPIRY_SECONDS).
        url = default_storage.url(
            version.file.name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
        )
        response = HttpResponseRedirect(url)
    else:
        try:
            handle = default_storage.open(version.file.name, "rb")
        except FileNotFoundError:
            raise Http404(_("Le fichier de ce document est introuvable."))
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = disposition
        if version.size:
            response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    if inline:
        response["Content-Security-Policy"] = PREVIEW_CSP
    return response
