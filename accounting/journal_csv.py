"""The same lines as the FEC as a plain CSV journal (adv/exports.py: `;`, dates DD/MM/YYYY, decimal
commas, the formula guard), for spreadsheets and the accounting tools that import a journal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from adv.exports import Column, table_csv

from .ledger import Line


def columns() -> list[Column]:
    return [
        Column(_("Journal")), Column(_("N° d'écriture")), Column(_("Date"), "date"), Column(_("Compte")),
        Column(_("Libellé du compte")), Column(_("Compte auxiliaire")), Column(_("Libellé auxiliaire")),
        Column(_("Pièce")), Column(_("Date de la pièce"), "date"), Column(_("Libellé")), Column(_("Débit"), "money"),
        Column(_("Crédit"), "money"), Column(_("Lettrage")), Column(_("Date de lettrage"), "date"),
    ]


def table(lines: Iterable[Line]) -> Iterator[list]:
    for line in lines:
        yield [
            line.journal_code, line.entry_number, line.date, line.account, line.account_label, line.auxiliary,
            line.auxiliary_label, line.piece_ref, line.piece_date, line.label, line.debit, line.credit, line.letter,
            line.date_let,
        ]


def spooled(lines: Iterable[Line]):
    """The CSV written by adv/exports.py's `table_csv` (UTF-8 with a BOM), a spooled file at its start."""
    return table_csv(columns(), table(lines))
