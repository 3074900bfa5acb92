"""The shared table writer (adv/exports.py): French CSV and typed XLSX, and no cell that a
spreadsheet would run as a formula (OWASP CSV injection)."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from adv.exports import Column, csv_bytes, table_csv, table_xlsx

COLUMNS = [Column("Nom"), Column("Montant", "money"), Column("Le", "date"), Column("Jours", "int"), Column("Signé", "bool")]
PAYLOADS = ['=HYPERLINK("http://evil.test","Cliquez ici")', "@SUM(1+1)", "+33 1 23", "-2+3", "\tcmd", "\rcmd"]


def _csv_rows(file) -> list[list[str]]:
    return list(csv.reader(io.StringIO(file.read().decode("utf-8-sig")), delimiter=";"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_text_that_starts_a_formula_is_made_inert(payload):
    rows = _csv_rows(table_csv(COLUMNS, [[payload, Decimal("-1234.5"), datetime.date(2027, 2, 28), -3, True]]))

    assert rows[1][0] == "'" + payload
    # typed values are not text: a credit's negative amount and a negative count stay numbers
    assert rows[1][1:] == ["-1234,50", "28/02/2027", "-3", "oui"]


def test_csv_keeps_ordinary_text_as_typed():
    rows = _csv_rows(table_csv(COLUMNS, [["Orion Industrie – Lyon", "10", None, None, False]]))
    assert rows[1] == ["Orion Industrie – Lyon", "10,00", "", "", "non"]


def test_xlsx_never_stores_a_formula_and_keeps_the_text_as_typed():
    rows = [[payload, Decimal("12.5"), datetime.date(2026, 12, 31), 2, False] for payload in PAYLOADS]
    sheet = load_workbook(table_xlsx("Test", COLUMNS, rows)).active

    for index, payload in enumerate(PAYLOADS, start=2):
        cell = sheet.cell(index, 1)
        assert cell.data_type == "s" and cell.value == payload
    assert sheet.cell(2, 2).value == 12.5 and sheet.cell(2, 2).number_format == "#,##0.00"
    assert sheet.cell(2, 3).value.date() == datetime.date(2026, 12, 31)


def test_small_csv_guards_every_cell():
    body = csv_bytes(["fichier"], [["=1+1"], ["contrat.pdf"]]).decode("utf-8-sig")
    assert body.splitlines() == ["fichier", "'=1+1", "contrat.pdf"]
