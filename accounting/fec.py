"""The FEC (fichier des écritures comptables, article A47 A-1 of the Livre des procédures fiscales;
BOI-CF-IOR-60-40-20): a flat text file, one line per accounting line, the 18 mandatory columns in
their order, a header line with their names.

- separator `|` (or a tab), records ended by CR LF; characters in ISO 8859-15 (one of the encodings
  the text allows; what cannot be encoded becomes `?`), no separator, tab or line break inside a
  value;
- dates `AAAAMMJJ`; amounts with a decimal comma and no thousands separator, Debit and Credit both
  given (`0,00` on the other side); Montantdevise and Idevise empty (every amount is in euros);
- file name: SIREN + "FEC" + the closing date `AAAAMMJJ` (here the range's last day), `.txt`.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from decimal import Decimal

from .ledger import Line

COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
    "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
    "ValidDate", "Montantdevise", "Idevise",
)
PIPE = "|"
TAB = "\t"
SEPARATORS = {"pipe": PIPE, "tab": TAB}
ENCODING = "iso8859_15"
NEWLINE = "\r\n"


def filename(siren: str, closing: datetime.date) -> str:
    return f"{siren}FEC{closing:%Y%m%d}.txt"


@functools.lru_cache(maxsize=4096)
def fec_date(value: datetime.date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def fec_amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}".replace(".", ",")


_SEPARATORS_TO_SPACE = str.maketrans({"|": " ", "\t": " ", "\r": " ", "\n": " "})


@functools.lru_cache(maxsize=8192)
def fec_text(value: str) -> str:
    """No separator, tab or line break inside a value (the same texts repeat: cached)."""
    return (value or "").translate(_SEPARATORS_TO_SPACE).strip()


def record(line: Line) -> list[str]:
    return [
        fec_text(line.journal_code),
        fec_text(line.journal_label),
        line.entry_number,
        fec_date(line.date),
        fec_text(line.account),
        fec_text(line.account_label),
        fec_text(line.auxiliary),
        fec_text(line.auxiliary_label),
        fec_text(line.piece_ref),
        fec_date(line.piece_date),
        fec_text(line.label),
        fec_amount(line.debit),
        fec_amount(line.credit),
        fec_text(line.letter),
        fec_date(line.date_let),
        fec_date(line.valid_date),
        "",
        "",
    ]


def encoded(lines: Iterable[Line], separator: str = PIPE, batch: int = 1000) -> Iterable[bytes]:
    """The file's bytes, header first, then chunks of `batch` lines."""
    yield (separator.join(COLUMNS) + NEWLINE).encode(ENCODING)
    chunk: list[str] = []
    for line in lines:
        chunk.append(separator.join(record(line)))
        if len(chunk) >= batch:
            yield (NEWLINE.join(chunk) + NEWLINE).encode(ENCODING, errors="replace")
            chunk = []
    if chunk:
        yield (NEWLINE.join(chunk) + NEWLINE).encode(ENCODING, errors="replace")
