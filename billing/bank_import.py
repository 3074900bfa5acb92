"""Import of a bank statement (CSV): each credit whose label names an open invoice's number pays it.

Columns (header row, case and accents ignored): date, amount (or montant), label (or libellé);
';' or ',' delimiter; decimal comma or point; dates dd/mm/yyyy or ISO. A row's fingerprint (sha256
of date|amount|label) is stored on the payment and unique per firm, so importing the same statement
twice pays nothing twice. A bad file (not CSV, missing columns, too big) records nothing.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from adv.ui.numbers import format_money

from . import access, services
from .models import OPEN_STATUSES, Invoice, InvoiceKind, Payment, PaymentMethod

MAX_BYTES = 2 * 1024 * 1024
COLUMNS = {
    "date": ("date", "date operation", "date de l'operation", "date valeur"),
    "amount": ("amount", "montant", "credit", "montant (eur)"),
    "label": ("label", "libelle", "libelle operation", "description"),
}
MATCHED = "matched"
ALREADY = "already_imported"
NO_INVOICE = "no_invoice"
EXCEEDS = "exceeds_balance"
UNREADABLE = "unreadable"
REFUSED = "refused"
TOKEN_RE = re.compile(r"[A-Za-z0-9+_/-]+")


class BadStatement(DomainError):
    code = "bad_statement"

    def __init__(self, message: str):
        super().__init__(message, field="statement")


@dataclass
class RowResult:
    line: int
    outcome: str
    message: str
    date: datetime.date | None = None
    amount: Decimal | None = None
    label: str = ""
    invoice_number: str = ""
    invoice_id: object = None


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def _of(self, outcome: str) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == outcome]

    @property
    def matched(self) -> list[RowResult]:
        return self._of(MATCHED)

    @property
    def already_imported(self) -> list[RowResult]:
        return self._of(ALREADY)

    @property
    def unmatched(self) -> list[RowResult]:
        return self._of(NO_INVOICE)

    @property
    def exceeding(self) -> list[RowResult]:
        return self._of(EXCEEDS)

    @property
    def unreadable(self) -> list[RowResult]:
        return self._of(UNREADABLE)

    @property
    def total_matched(self) -> Decimal:
        return sum((r.amount for r in self.matched), Decimal("0.00"))


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return " ".join(text.strip().lower().replace("_", " ").split())


def parse_amount(raw: str) -> Decimal:
    text = (raw or "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
    text = text.replace("EUR", "")
    if not text:
        raise ValueError(_("montant vide"))
    if "," in text and "." in text:
        # The last separator is the decimal one: 1.234,56 or 1,234.56.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("montant illisible « %(raw)s »") % {"raw": raw}) from exc
    if not value.is_finite():
        raise ValueError(_("montant illisible « %(raw)s »") % {"raw": raw})
    return value.quantize(Decimal("0.01"))


def parse_date(raw: str) -> datetime.date:
    text = (raw or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("date illisible « %(raw)s »") % {"raw": raw})


def fingerprint(day: datetime.date, amount: Decimal, label: str) -> str:
    return hashlib.sha256(f"{day.isoformat()}|{amount}|{label.strip()}".encode()).hexdigest()


def _decode(file_bytes: bytes) -> str:
    if len(file_bytes) > MAX_BYTES:
        raise BadStatement(_("Le fichier dépasse 2 Mo : découpez le relevé."))
    if not file_bytes.strip():
        raise BadStatement(_("Le fichier est vide."))
    if b"\x00" in file_bytes[:4096]:
        raise BadStatement(_("Ce fichier n'est pas un CSV : exportez le relevé au format CSV."))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return file_bytes.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadStatement(_("Ce fichier n'est pas un CSV lisible."))


def _reader(text: str):
    first = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise BadStatement(_("Ce fichier n'est pas un CSV lisible.")) from exc
    names = [_norm(h) for h in header]
    positions = {}
    for key, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                positions[key] = index
                break
    missing = [key for key in COLUMNS if key not in positions]
    if missing:
        labels = {"date": "date", "amount": "montant", "label": "libellé"}
        raise BadStatement(
            _("Colonnes manquantes : %(missing)s. La première ligne doit nommer date, montant et libellé.")
            % {"missing": ", ".join(labels[m] for m in missing)}
        )
    return reader, positions


def _open_invoices_by_number() -> dict[str, Invoice]:
    return {
        inv.number: inv
        for inv in Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, number__isnull=False)
    }


def import_statement(*, actor: Membership, file_bytes: bytes) -> ImportReport:
    """Record the statement's payments; report every row. Raises BadStatement for a bad file."""
    access.require_bill(actor)
    text = _decode(file_bytes)
    try:
        reader, positions = _reader(text)
        raw_rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise BadStatement(_("Ce fichier n'est pas un CSV lisible : %(error)s.") % {"error": exc}) from exc
    report = ImportReport()
    invoices = _open_invoices_by_number()
    all_numbers = set(
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, number__isnull=False).values_list("number", flat=True)
    )
    width = max(positions.values()) + 1
    for line, row in raw_rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            report.rows.append(RowResult(line, UNREADABLE, _("ligne incomplète")))
            continue
        label = row[positions["label"]].strip()
        try:
            day = parse_date(row[positions["date"]])
            amount = parse_amount(row[positions["amount"]])
        except ValueError as exc:
            report.rows.append(RowResult(line, UNREADABLE, str(exc), label=label))
            continue
        result = RowResult(line, NO_INVOICE, "", date=day, amount=amount, label=label)
        report.rows.append(result)
        if amount <= 0:
            result.message = _("débit ou montant nul : ignoré")
            continue
        print_ = fingerprint(day, amount, label)
        if Payment.objects.filter(bank_fingerprint=print_).exists():
            result.outcome = ALREADY
            result.message = _("déjà importée")
            continue
        tokens = set(TOKEN_RE.findall(label))
        found = sorted(tokens & set(invoices))
        if not found:
            closed = sorted(tokens & all_numbers)
            result.message = (
                _("la facture %(number)s est déjà soldée") % {"number": closed[0]}
                if closed
                else _("aucun numéro de facture ouverte dans le libellé")
            )
            continue
        if len(found) > 1:
            result.message = _("plusieurs factures citées (%(numbers)s) : à saisir à la main") % {
                "numbers": ", ".join(found)
            }
            continue
        invoice = invoices[found[0]]
        result.invoice_number = invoice.number
        result.invoice_id = invoice.pk
        if amount > invoice.balance:
            result.outcome = EXCEEDS
            result.message = _("le montant dépasse le reste dû (%(balance)s)") % {"balance": format_money(invoice.balance, invoice.currency)}
            continue
        try:
            with transaction.atomic():
                services.payment_record(
                    actor=actor,
                    invoice=invoice,
                    amount=amount,
                    paid_on=day,
                    method=PaymentMethod.TRANSFER,
                    reference=label[:200],
                    bank_fingerprint=print_,
                )
        except IntegrityError:
            result.outcome = ALREADY
            result.message = _("déjà importée")
            continue
        except DomainError as error:
            result.outcome = REFUSED
            result.message = error.message
            continue
        invoice.refresh_from_db()
        if invoice.status not in OPEN_STATUSES:
            invoices.pop(invoice.number, None)  # paid: a later row naming it finds it settled
        result.outcome = MATCHED
        result.message = _("payée")
    return report
