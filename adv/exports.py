"""Tables handed out as files (CSV / XLSX), for every app: one writer, one set of rules.

- CSV: UTF-8 with a BOM and `;` separators, dates as DD/MM/YYYY, amounts with a decimal comma:
  what French Excel opens without asking.
- XLSX: real dates and numbers with their formats, a bold frozen header, an auto filter.
- Formula injection (OWASP "CSV injection"): a text cell that starts with `=`, `+`, `-`, `@`, a tab
  or a carriage return would be run as a formula by a spreadsheet (a client named
  `=HYPERLINK(...)`). In CSV such text is prefixed with an apostrophe; in XLSX the cell is stored
  as a string, never as a formula. Numbers and dates are typed values and need no guard.

Everything is written to a spooled temporary file (in memory up to a few MB, then on disk).
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

SPOOL_MAX_BYTES = 10 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | date | money | int | bool


def spool() -> tempfile.SpooledTemporaryFile:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)


def export_filename(stem: str, extension: str, day: datetime.date) -> str:
    return f"{slugify(stem)}-{day.isoformat()}.{extension}"


def neutralise_formula(text: str) -> str:
    """Text that a spreadsheet would run as a formula, made inert (shown as typed)."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_value(value, kind: str = "text") -> str:
    if value is None:
        return ""
    if kind == "date" or (kind == "text" and isinstance(value, datetime.date)):
        return value.strftime("%d/%m/%Y")
    if kind == "money":
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == "int":
        return str(value)
    if kind == "bool":
        return _("oui") if value else _("non")
    return neutralise_formula(str(value))


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """Small CSV held in memory (e.g. a manifest inside a zip); every cell is guarded as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows([[csv_value(value) for value in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_csv(columns: list[Column], rows: list[list]) -> tempfile.SpooledTemporaryFile:
    file = spool()
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=";")
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow([csv_value(value, column.kind) for value, column in zip(row, columns, strict=True)])
    text.flush()
    text.detach()
    file.seek(0)
    return file


def _xlsx_value(value, kind: str):
    if kind == "bool" and value is not None:
        return _("oui") if value else _("non")
    if kind == "money" and value is not None:
        return Decimal(value)
    return value


def table_xlsx(sheet_title: str, columns: list[Column], rows: list[list]) -> tempfile.SpooledTemporaryFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([c.title for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(value, column.kind) for value, column in zip(row, columns, strict=True)])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if cell.data_type == "f":  # openpyxl reads any text starting with "=" as a formula
                cell.data_type = "s"
            if column.kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif column.kind == "money":
                cell.number_format = "#,##0.00"
        width = max([len(column.title)] + [len(str(c.value or "")) for c in sheet[letter][1:200]])
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 50)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    file = spool()
    workbook.save(file)
    file.seek(0)
    return file


def table_response(
    columns: list[Column], rows: list[list], *, stem: str, sheet: str, fmt: str, day: datetime.date | None = None
) -> FileResponse:
    """The table as an attachment named `<stem>-<day>.<fmt>` (`csv` or `xlsx`; day: today), never cached."""
    if fmt == "xlsx":
        file, content_type = table_xlsx(sheet, columns, rows), XLSX_CONTENT_TYPE
    else:
        file, content_type = table_csv(columns, rows), CSV_CONTENT_TYPE
    filename = export_filename(stem, fmt, day or timezone.localdate())
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
