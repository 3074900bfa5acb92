"""Import of clients and contacts from a CSV or XLSX file, with a dry run.

The file has one row per client, or per contact of a client (rows that share a SIREN are the
same client: the first one gives its identity, the next ones add contacts). Columns are
recognised by their French header (accents, case and punctuation do not matter; see COLUMNS).

`import_run(commit=False)` is the dry run: every row goes through the real services
(client_create / client_update / contact_create / contact_update) inside a savepoint that is
rolled back, so the dry run finds exactly the errors the import would meet, row by row, and
writes nothing. `import_run(commit=True)` does the same and keeps the writes only if every row
is valid: all or nothing, in one transaction.

Re-importing a file updates rather than duplicates: a client is matched by SIREN (a row without
SIREN by its legal name among the clients without SIREN), a contact by e-mail within its client
(without e-mail, by first and last name). An empty cell leaves the existing value unchanged.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adv.exports import csv_bytes
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from adv.tenancy.validators import validate_siren, validate_siret, validate_vat_number

from . import access, services
from .models import Client, ClientStatus, Contact, InvoiceDelivery

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FIRST_DATA_LINE = 2  # line 1 holds the headers, as in a spreadsheet


class ImportFileError(DomainError):
    """The file as a whole cannot be read (not a row error)."""

    code = "import_file_invalid"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    target: str  # "client" or "contact"
    help: str
    example: str = ""
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text, status, bool, member, country, delivery, siren, siret, vat, email


COLUMNS: list[Column] = [
    Column("legal_name", "Raison sociale", "client", gettext_lazy("Obligatoire pour un nouveau client."), "Exemple Industrie SAS", ("nom", "societe", "entreprise", "client")),
    Column("trade_name", "Nom commercial", "client", gettext_lazy("Facultatif."), "Exemple Industrie"),
    Column("legal_form", "Forme juridique", "client", gettext_lazy("SAS, SA, SARL, EPIC…"), "SAS"),
    Column("siren", "SIREN", "client", gettext_lazy("9 chiffres, clé vérifiée ; sert à retrouver le client lors d'un nouvel import."), "812345676", kind="siren"),
    Column("siret", "SIRET", "client", gettext_lazy("14 chiffres, clé vérifiée."), "81234567600017", kind="siret"),
    Column("vat_number", "TVA intracommunautaire", "client", gettext_lazy("Par exemple FR40303265045."), "FR19812345676", ("tva", "numero de tva", "n tva", "tva intra"), kind="vat"),
    Column("status", "Statut", "client", gettext_lazy("prospect, client ou ancien client (prospect si vide à la création)."), "client", kind="status"),
    Column("sector", "Secteur", "client", gettext_lazy("Secteur d'activité."), "Industrie", ("secteur d activite",)),
    Column("is_public_sector", "Secteur public", "client", gettext_lazy("oui ou non (facturé via Chorus Pro)."), "non", kind="bool"),
    Column("country", "Pays", "client", gettext_lazy("Code ISO à 2 lettres (FR par défaut)."), "FR", kind="country"),
    Column("owner", "Commercial (e-mail)", "client", gettext_lazy("Adresse e-mail d'un membre actif de la société."), "", ("commercial", "email commercial"), kind="member"),
    Column("adv_owner", "ADV (e-mail)", "client", gettext_lazy("Adresse e-mail d'un membre actif de la société."), "", ("adv", "adv en charge", "email adv"), kind="member"),
    Column("head_office_line1", "Adresse", "client", gettext_lazy("Adresse du siège."), "1 rue de l'Exemple", ("adresse siege", "adresse du siege")),
    Column("head_office_line2", "Complément d'adresse", "client", gettext_lazy("Facultatif."), "", ("complement d adresse siege",)),
    Column("head_office_postal_code", "Code postal", "client", "", "75008", ("code postal siege", "cp")),
    Column("head_office_city", "Ville", "client", "", "Paris", ("ville siege",)),
    Column("billing_line1", "Adresse de facturation", "client", gettext_lazy("Si différente du siège."), ""),
    Column("billing_line2", "Complément d'adresse de facturation", "client", "", ""),
    Column("billing_postal_code", "Code postal de facturation", "client", "", ""),
    Column("billing_city", "Ville de facturation", "client", "", ""),
    Column("notes", "Notes", "client", gettext_lazy("Notes internes."), "", ("notes internes",)),
    Column("first_name", "Contact prénom", "contact", "", "Marie", ("prenom du contact", "prenom contact")),
    Column("last_name", "Contact nom", "contact", gettext_lazy("Obligatoire si la ligne a un contact."), "Dupont", ("nom du contact", "nom contact")),
    Column("email", "Contact e-mail", "contact", gettext_lazy("Sert à retrouver le contact lors d'un nouvel import."), "marie.dupont@exemple.fr", ("email du contact", "email contact", "contact mail"), kind="email"),
    Column("phone", "Contact téléphone", "contact", "", "01 23 45 67 89", ("telephone du contact", "telephone contact", "contact tel")),
    Column("job_title", "Contact fonction", "contact", "", "Directrice financière", ("fonction du contact", "fonction contact")),
    Column("invoice_delivery", "Contact reçoit les factures", "contact", gettext_lazy("destinataire, copie ou non."), "destinataire", ("contact factures",), kind="delivery"),
    Column("signs_timesheets", "Contact signe les CRA", "contact", gettext_lazy("oui ou non."), "non", ("contact cra",), kind="bool"),
    Column("signs_acceptance_reports", "Contact signe les PV", "contact", gettext_lazy("oui ou non (PV de recette)."), "non", ("contact signe les pv de recette", "contact pv"), kind="bool"),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
IDENTIFIER_VALIDATORS = {"siren": validate_siren, "siret": validate_siret, "vat": validate_vat_number}
TEXT_LIMITS = {  # model max_length, checked per cell so that the message names the column
    "legal_name": 200, "trade_name": 200, "legal_form": 50, "sector": 100, "head_office_line1": 200,
    "head_office_line2": 200, "head_office_postal_code": 20, "head_office_city": 100, "billing_line1": 200,
    "billing_line2": 200, "billing_postal_code": 20, "billing_city": 100, "first_name": 100, "last_name": 100,
    "phone": 40, "job_title": 150,
}

_TRUE = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_FALSE = {"non", "n", "no", "faux", "false", "0", ""}
_STATUSES = {
    "prospect": ClientStatus.PROSPECT,
    "client": ClientStatus.CLIENT,
    "actif": ClientStatus.CLIENT,
    "ancien client": ClientStatus.FORMER,
    "ancien": ClientStatus.FORMER,
    "ex client": ClientStatus.FORMER,
    "former": ClientStatus.FORMER,
}
_DELIVERIES = {
    "destinataire": InvoiceDelivery.TO, "a": InvoiceDelivery.TO, "to": InvoiceDelivery.TO, "oui": InvoiceDelivery.TO,
    "copie": InvoiceDelivery.CC, "cc": InvoiceDelivery.CC, "en copie": InvoiceDelivery.CC,
    "non": InvoiceDelivery.NONE, "": InvoiceDelivery.NONE,
}


def normalize_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"\be mail\b", "email", text)


_HEADER_INDEX: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, *_column.aliases):
        _HEADER_INDEX.setdefault(normalize_header(_name), _column.key)


# --- Reading the file ------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    warnings: list[str] = field(default_factory=list)


def _decode(data: bytes) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [
            _("Le fichier n'est pas en UTF-8 : il a été lu en Windows-1252. Vérifiez les accents, ou enregistrez-le en « CSV UTF-8 ».")
        ]


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ";"))


def read_csv(data: bytes) -> Table:
    text, warnings = _decode(data)
    if not text.strip():
        raise ImportFileError(_("Le fichier est vide."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(_("Le fichier CSV est illisible : %(error)s") % {"error": exc}) from exc
    headers, rows = records[0], [(i + 1, row) for i, row in enumerate(records[1:], start=1)]
    return Table(headers=headers, rows=rows, warnings=warnings)


def _cell_text(value, key: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if key == "siren":
            return text.zfill(9)
        if key == "siret":
            return text.zfill(14)
        return text
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(_("Le fichier Excel est illisible : enregistrez-le au format .xlsx.")) from exc
    try:
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        header_row = next(iterator, None)
        if header_row is None:
            raise ImportFileError(_("Le fichier est vide."))
        headers = [_cell_text(v, None).strip() for v in header_row]
        keys = [_HEADER_INDEX.get(normalize_header(h)) for h in headers]
        rows = []
        for line, values in enumerate(iterator, start=FIRST_DATA_LINE):
            cells = [_cell_text(v, keys[i] if i < len(keys) else None) for i, v in enumerate(values)]
            rows.append((line, cells))
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return Table(headers=headers, rows=rows)


def read_table(data: bytes, filename: str) -> Table:
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("Fichier trop volumineux : 5 Mo au maximum."))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        table = read_csv(data)
    else:
        raise ImportFileError(_("Format non pris en charge : déposez un fichier .csv ou .xlsx."))
    table.rows = [(line, cells) for line, cells in table.rows if any((c or "").strip() for c in cells)]
    if not table.rows:
        raise ImportFileError(_("Le fichier ne contient aucune ligne de données sous l'en-tête."))
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(_("Trop de lignes : %(max)s au maximum par import.") % {"max": MAX_ROWS})
    return table


def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """(column index -> key, warnings). Raises when a header is duplicated or nothing is known."""
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored = []
    for index, header in enumerate(headers):
        key = _HEADER_INDEX.get(normalize_header(header))
        if key is None:
            if (header or "").strip():
                ignored.append(header.strip())
            continue
        if key in seen:
            raise ImportFileError(
                _("Les colonnes « %(a)s » et « %(b)s » désignent la même donnée : gardez-en une seule.")
                % {"a": seen[key], "b": header}
            )
        seen[key] = header
        mapping[index] = key
    if "legal_name" not in seen and "siren" not in seen:
        raise ImportFileError(
            _("Colonnes introuvables : la première ligne doit contenir les en-têtes, dont « Raison sociale » ou « SIREN ». Téléchargez le modèle.")
        )
    warnings = []
    if ignored:
        warnings.append(_("Colonnes ignorées (inconnues) : %(names)s.") % {"names": ", ".join(ignored)})
    return mapping, warnings


# --- Parsing one row ----------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    column: str
    message: str
    value: str = ""


@dataclass
class RowOutcome:
    line: int
    client_name: str
    siren: str
    contact_name: str = ""
    client_action: str = ""  # created, updated, unchanged
    contact_action: str = ""  # created, updated, unchanged, "" (no contact on the row)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportReport:
    filename: str
    rows: list[RowOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def error_lines(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def summary(self) -> dict[str, int]:
        return {
            f"{target}s_{action}": self.count(target, action)
            for target in ("client", "contact")
            for action in ("created", "updated", "unchanged")
        }

    def count(self, target: str, action: str) -> int:
        attribute = "client_action" if target == "client" else "contact_action"
        if target == "client":
            # A client spread over several rows is counted once, on its first row.
            seen = set()
            total = 0
            for row in self.rows:
                if getattr(row, attribute) == action and (row.siren or row.client_name) not in seen:
                    seen.add(row.siren or row.client_name)
                    total += 1
            return total
        return sum(1 for row in self.rows if getattr(row, attribute) == action)


def _header(key: str) -> str:
    return COLUMNS_BY_KEY[key].header


def _parse_row(line: int, cells: dict[str, str], members: dict[str, Membership]) -> tuple[dict, dict, list[RowError]]:
    client_fields: dict = {}
    contact_fields: dict = {}
    errors: list[RowError] = []

    def error(key: str, message: str) -> None:
        errors.append(RowError(line=line, column=_header(key), message=message, value=cells.get(key, "")))

    for key, raw in cells.items():
        column = COLUMNS_BY_KEY[key]
        value = " ".join((raw or "").split()) if key != "notes" else (raw or "").strip()
        if not value:
            continue
        target = client_fields if column.target == "client" else contact_fields
        if key in TEXT_LIMITS and len(value) > TEXT_LIMITS[key]:
            error(key, _("Trop long : %(max)s caractères au maximum.") % {"max": TEXT_LIMITS[key]})
            continue
        if column.kind == "bool":
            word = normalize_header(value)
            if word in _TRUE:
                target[key] = True
            elif word in _FALSE:
                target[key] = False
            else:
                error(key, _("Répondez « oui » ou « non »."))
        elif column.kind == "status":
            status = _STATUSES.get(normalize_header(value))
            if status is None:
                error(key, _("Statut inconnu : indiquez prospect, client ou ancien client."))
            else:
                target[key] = status
        elif column.kind == "delivery":
            delivery = _DELIVERIES.get(normalize_header(value))
            if delivery is None:
                error(key, _("Valeur inconnue : indiquez destinataire, copie ou non."))
            else:
                target[key] = delivery
        elif column.kind == "member":
            member = members.get(value.lower())
            if member is None:
                error(key, _("Aucun membre actif de la société n'a l'adresse %(email)s.") % {"email": value})
            else:
                target[key] = member
        elif column.kind == "country":
            code = "FR" if normalize_header(value) == "france" else value.upper()
            if not re.fullmatch(r"[A-Z]{2}", code):
                error(key, _("Indiquez le code pays à 2 lettres (FR, BE, DE…)."))
            else:
                target[key] = code
        elif column.kind == "email":
            try:
                validate_email(value)
            except ValidationError:
                error(key, _("Adresse e-mail invalide."))
            else:
                target[key] = value.lower()
        elif column.kind in ("siren", "siret", "vat"):
            compact = re.sub(r"[\s.\-]", "", value).upper()
            try:
                IDENTIFIER_VALIDATORS[column.kind](compact)
            except ValidationError as exc:
                error(key, " ".join(str(m) for m in exc.messages))
            else:
                target[key] = compact
        else:
            target[key] = value
    if contact_fields and "last_name" not in contact_fields and not any(e.column == _header("last_name") for e in errors):
        error("last_name", _("Le nom du contact est obligatoire quand la ligne décrit un contact."))
    return client_fields, contact_fields, errors


# --- Running the import -----------------------------------------------------------------------


def _domain_errors(line: int, error: DomainError, target: str, provided: dict) -> list[RowError]:
    """Turn a service error into row errors, each under the column of its field."""
    messages = getattr(error, "errors", None) or {error.field or "__all__": [error.message or str(error)]}
    found = []
    for field_name, field_messages in messages.items():
        column = COLUMNS_BY_KEY.get(field_name)
        header = column.header if column is not None and column.target == target else ""
        if not header:
            header = _("(ligne)") if target == "client" else _("(contact)")
        value = provided.get(field_name, "")
        value = value if isinstance(value, str) else str(value)
        for message in field_messages:
            found.append(RowError(line=line, column=header, message=str(message), value=value))
    return found


def _find_client(client_fields: dict) -> Client | None:
    siren = client_fields.get("siren", "")
    if siren:
        return Client.objects.filter(siren=siren.upper()).first()
    legal_name = client_fields.get("legal_name", "")
    if not legal_name:
        return None
    matches = list(Client.objects.filter(legal_name__iexact=legal_name).order_by("created_at")[:2])
    if len(matches) > 1:
        raise DomainError(
            _("Plusieurs clients s'appellent « %(name)s » : indiquez le SIREN pour choisir.") % {"name": legal_name},
            field="siren",
        )
    return matches[0] if matches else None


def _find_contact(client: Client, contact_fields: dict) -> Contact | None:
    email = contact_fields.get("email", "")
    if email:
        return Contact.objects.filter(client=client, email__iexact=email).first()
    return (
        Contact.objects.filter(
            client=client,
            email="",
            first_name__iexact=contact_fields.get("first_name", ""),
            last_name__iexact=contact_fields.get("last_name", ""),
        )
        .order_by("created_at")
        .first()
    )


def _changes(instance, fields: dict) -> dict:
    return {name: value for name, value in fields.items() if getattr(instance, name) != value}


def _apply_row(actor: Membership, line: int, client_fields: dict, contact_fields: dict, outcome: RowOutcome) -> None:
    """Write one row through the services (raises DomainError with the row's problems)."""
    client = _find_client(client_fields)
    if client is None:
        if not client_fields.get("legal_name"):
            raise DomainError(_("La raison sociale est obligatoire pour un nouveau client."), field="legal_name")
        client = services.client_create(actor=actor, **client_fields)
        outcome.client_action = "created"
    else:
        for name in ("legal_name", "trade_name"):
            if name in client_fields and client_fields[name] != getattr(client, name):
                raise DomainError(
                    _("Le client %(siren)s s'appelle « %(current)s » : un changement de nom se fait depuis la fiche client (« Changer de dénomination »).")
                    % {"siren": client.siren or "", "current": getattr(client, name)},
                    field=name,
                )
        changes = _changes(client, {k: v for k, v in client_fields.items() if k not in ("legal_name", "trade_name")})
        if changes:
            client = services.client_update(actor=actor, client=client, **changes)
            outcome.client_action = outcome.client_action or "updated"
        else:
            outcome.client_action = outcome.client_action or "unchanged"
    outcome.client_name = client.display_name
    if not contact_fields:
        return
    try:
        contact = _find_contact(client, contact_fields)
        if contact is None:
            services.contact_create(actor=actor, client=client, **contact_fields)
            outcome.contact_action = "created"
        else:
            changes = _changes(contact, contact_fields)
            if changes:
                services.contact_update(actor=actor, contact=contact, **changes)
                outcome.contact_action = "updated"
            else:
                outcome.contact_action = "unchanged"
    except DomainError as error:
        error.import_target = "contact"
        raise


def can_import(member: Membership) -> bool:
    return member.role in ("admin", "adv")


def import_run(*, actor: Membership, data: bytes, filename: str, commit: bool) -> ImportReport:
    """Validate (and with `commit`, write) a whole file. Nothing is kept unless every row is
    valid. Raises ImportFileError when the file itself cannot be read."""
    access.require(actor, can_import(actor))
    table = read_table(data, filename)
    mapping, header_warnings = map_headers(table.headers)
    report = ImportReport(filename=filename, warnings=table.warnings + header_warnings)
    members = {
        m.user.email.lower(): m for m in Membership.objects.select_related("user").filter(is_active=True)
    }
    first_line_of_client: dict[str, int] = {}
    with transaction.atomic():
        for line, raw_cells in table.rows:
            cells = {key: (raw_cells[i] if i < len(raw_cells) else "") for i, key in mapping.items()}
            client_fields, contact_fields, errors = _parse_row(line, cells, members)
            outcome = RowOutcome(
                line=line,
                client_name=client_fields.get("trade_name") or client_fields.get("legal_name", ""),
                siren=client_fields.get("siren", ""),
                contact_name=" ".join(filter(None, [contact_fields.get("first_name"), contact_fields.get("last_name")])),
            )
            report.rows.append(outcome)
            identity = client_fields.get("siren") or normalize_header(client_fields.get("legal_name", ""))
            if identity and identity in first_line_of_client:
                # A further row of a client already in the file: its contact, not a second client.
                outcome.client_action = "same"
            if errors:
                outcome.errors.extend(errors)
                continue
            try:
                with transaction.atomic():
                    _apply_row(actor, line, client_fields, contact_fields, outcome)
            except DomainError as error:
                target = getattr(error, "import_target", "client")
                provided = contact_fields if target == "contact" else client_fields
                outcome.errors.extend(_domain_errors(line, error, target, provided))
                if outcome.client_action in ("created", "updated", "unchanged"):
                    outcome.client_action = ""
                outcome.contact_action = ""
                continue
            if identity:
                first_line_of_client.setdefault(identity, line)
        if not commit or not report.is_valid:
            transaction.set_rollback(True)
        else:
            report.committed = True
    return report


# --- Template file -------------------------------------------------------------------------------

EXAMPLE_ROWS = [
    {c.key: c.example for c in COLUMNS},
    {
        "legal_name": "Exemple Industrie SAS", "siren": "812345676", "first_name": "Paul", "last_name": "Martin",
        "email": "paul.martin@exemple.fr", "job_title": "Chef de projet", "invoice_delivery": "non",
        "signs_timesheets": "oui", "signs_acceptance_reports": "oui",
    },
]


def template_csv() -> bytes:
    # The shared writer (adv/exports.py): its formula guard too, though the examples are ours.
    return csv_bytes([c.header for c in COLUMNS], [[row.get(c.key, "") for c in COLUMNS] for row in EXAMPLE_ROWS])


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Clients"
    sheet.append([c.header for c in COLUMNS])
    for row in EXAMPLE_ROWS:
        sheet.append([row.get(c.key, "") for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet[f"{letter}1"].font = Font(bold=True)
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 2)
        if column.kind in ("siren", "siret") or column.key in ("phone", "head_office_postal_code", "billing_postal_code"):
            for cell in sheet[letter][1:]:
                cell.number_format = "@"  # text: keeps leading zeros
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Aide")
    help_sheet.append(["Colonne", "Description"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append([column.header, str(column.help)])
    help_sheet.column_dimensions["A"].width = 36
    help_sheet.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
