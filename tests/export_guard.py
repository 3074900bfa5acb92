"""Checks shared by the per-export formula-injection tests (issue 13 item 5): every CSV / XLSX the
product hands out goes through adv/exports.py, so a cell typed like a formula is inert there.

Each app's test names people, clients, deals or documents with PAYLOADS, downloads the export as a
user does, reads it back and calls `assert_csv_inert` / `assert_xlsx_inert`.
"""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from adv.exports import FORMULA_TRIGGERS

PAYLOADS = ['=HYPERLINK("http://x","Cliquez")', "@SUM(1+1)", "+1", "-1", "\tx"]
# A typed number as the CSV writer prints it (amounts with a decimal comma): it may be negative.
CSV_NUMBER = re.compile(r"-?\d+(,\d+)?")


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def csv_cells(data: bytes) -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    return [cell for row in rows[1:] for cell in row]


def assert_csv_inert(data: bytes, payloads: list[str]) -> list[str]:
    """Each payload is there, quote-prefixed; no text cell starts a formula (numbers may be negative)."""
    cells = csv_cells(data)
    for payload in payloads:
        assert any(cell.startswith("'" + payload) for cell in cells), (payload, cells)
    live = [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS) and not CSV_NUMBER.fullmatch(cell)]
    assert live == [], live
    return cells


def assert_xlsx_inert(data: bytes, payloads: list[str]):
    """No cell of any sheet is a formula; each payload is stored as the text typed."""
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    for payload in payloads:
        found = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith(payload)]
        assert found and all(cell.data_type == "s" for cell in found), payload
    return workbook
