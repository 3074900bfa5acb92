"""An export's kept file as an attachment (pages and API): its name, never cached, its SHA-256 in
a header so that the receiver can check it."""

from __future__ import annotations

from django.http import FileResponse

from documents.downloads import content_disposition

from .models import AccountingExport, ExportKind

CONTENT_TYPES = {ExportKind.FEC: "text/plain; charset=iso-8859-15", ExportKind.CSV: "text/csv; charset=utf-8"}


def file_response(export: AccountingExport) -> FileResponse:
    response = FileResponse(export.file.open("rb"), content_type=CONTENT_TYPES[export.kind])
    response["Content-Disposition"] = content_disposition("attachment", export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Checksum-SHA256"] = export.sha256
    return response
