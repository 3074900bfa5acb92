"""Writes of the accounting export: the account mapping, the clients' auxiliary accounts, and the
exports themselves (FEC and CSV journal), each recorded with its file and SHA-256."""

from __future__ import annotations

import datetime
import hashlib
import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from adv.exports import spool
from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import Conflict, DomainError
from adv.tenancy.firm_settings import settings_read
from adv.tenancy.models import Membership, Tenant
from adv.ui.folding import fold
from clients.models import Client

from . import access, defaults, entries, fec, journal_csv
from .errors import AccountingErrorCode, InvalidRange, MappingIncomplete
from .ledger import Accounts
from .models import AccountingExport, AccountMapping, ClientAccount, ExportKind, VatAccount, auxiliary_number

MAX_YEARS = 5
MAPPING_FIELDS = frozenset(
    f.name for f in AccountMapping._meta.concrete_fields if f.name not in {"id", "tenant", "created_at", "updated_at"}
)


# --- Reading the mapping (never writes) ----------------------------------------------------------


def mapping() -> AccountMapping:
    return settings_read(AccountMapping)


def vat_accounts(current: AccountMapping | None = None) -> list[VatAccount]:
    """The firm's VAT accounts; the defaults (unsaved) while it never saved its mapping."""
    current = current or mapping()
    if not current._state.adding:  # saved (an unsaved row has its uuid already)
        return list(VatAccount.objects.order_by("-rate"))
    return [VatAccount(rate=rate, account=account, label=label) for rate, (account, label) in defaults.VAT_ACCOUNTS.items()]


def _mapping_for_update() -> AccountMapping:
    """The firm's mapping locked; created with the default VAT accounts the first time."""
    tenant_id = require_tenant_id()
    current, created = AccountMapping.objects.get_or_create(tenant_id=tenant_id)
    if created:
        VatAccount.objects.bulk_create(
            [VatAccount(tenant_id=tenant_id, rate=rate, account=account, label=label)
             for rate, (account, label) in defaults.VAT_ACCOUNTS.items()]
        )
    return AccountMapping.objects.select_for_update(of=("self",)).get(tenant_id=tenant_id)


def _clean(instance, exclude=("tenant",)) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        errors = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code=AccountingErrorCode.INVALID, errors=errors,
                          field=next(iter(errors))) from None


# --- The mapping ---------------------------------------------------------------------------------


@transaction.atomic
def mapping_update(*, actor: Membership, vat_accounts: list[dict] | None = None, **fields) -> AccountMapping:
    """Change the firm's accounts; `vat_accounts` ([{rate, account, label}]) replaces the VAT accounts."""
    access.require_configure(actor)
    unknown = set(fields) - MAPPING_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))}, code=AccountingErrorCode.INVALID)
    current = _mapping_for_update()
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    _clean(current)
    current.save()
    if vat_accounts is not None:
        rows, seen = [], set()
        for item in vat_accounts:
            try:
                rate = Decimal(str(item.get("rate", "")).replace(",", ".")).quantize(Decimal("0.01"))
            except ArithmeticError:
                raise DomainError(_("Taux de TVA invalide."), code=AccountingErrorCode.INVALID, field="vat_accounts") from None
            if rate in seen:
                raise DomainError(_("Le taux %(rate)s %% figure deux fois.") % {"rate": rate}, code=AccountingErrorCode.INVALID,
                                  field="vat_accounts")
            seen.add(rate)
            row = VatAccount(tenant_id=current.tenant_id, rate=rate, account=(item.get("account") or "").strip(),
                             label=(item.get("label") or "").strip())
            _clean(row)
            rows.append(row)
        VatAccount.objects.all().delete()
        VatAccount.objects.bulk_create(rows)
    return current


# --- Auxiliary accounts --------------------------------------------------------------------------


def _base(prefix: str, name: str) -> str:
    letters = re.sub(r"[^0-9A-Z]", "", fold(name or "").upper())[:8] or "CLIENT"
    return f"{prefix}{letters}"


def generate_numbers(clients: list[tuple], prefix: str, taken: set[str]) -> dict:
    """client id → a new auxiliary number: the prefix and the first letters of the name, a counter
    when the number is already taken (stable: computed once, then stored)."""
    numbers = {}
    for client_id, name in clients:
        base = _base(prefix, name)
        number, counter = base, 1
        while number.upper() in taken:
            counter += 1
            number = f"{base[: 17 - len(str(counter))]}{counter}"
        taken.add(number.upper())
        numbers[client_id] = number
    return numbers


def _generate(clients: list[tuple], prefix: str) -> int:
    if not clients:
        return 0
    taken = {n.upper() for n in ClientAccount.objects.values_list("number", flat=True)}
    numbers = generate_numbers(clients, prefix, taken)
    tenant_id = require_tenant_id()
    ClientAccount.objects.bulk_create(
        [ClientAccount(tenant_id=tenant_id, client_id=cid, number=number) for cid, number in numbers.items()],
        ignore_conflicts=False,
    )
    return len(numbers)


@transaction.atomic
def client_accounts_generate(*, actor: Membership) -> int:
    """An auxiliary account for every client (not prospect-only) that has none yet."""
    access.require_configure(actor)
    current = _mapping_for_update()
    clients = list(
        Client.objects.filter(accounting_account__isnull=True).order_by("legal_name", "id").values_list("id", "legal_name")
    )
    return _generate(clients, current.auxiliary_prefix)


@transaction.atomic
def client_account_set(*, actor: Membership, client: Client, number: str) -> ClientAccount:
    """A person gives the client's auxiliary account: unique in the firm, kept from then on."""
    access.require_configure(actor)
    _mapping_for_update()  # serialises with the generation
    number = (number or "").strip()
    try:
        auxiliary_number(number)
    except ValidationError as error:
        raise DomainError(error.messages[0], code=AccountingErrorCode.INVALID, field="number") from None
    if ClientAccount.objects.filter(number__iexact=number).exclude(client_id=client.pk).exists():
        raise Conflict(
            _("Le compte auxiliaire %(number)s est déjà celui d'un autre client.") % {"number": number},
            code=AccountingErrorCode.AUXILIARY_TAKEN,
        )
    account = ClientAccount.objects.select_for_update().filter(client_id=client.pk).first()
    if account is None:
        account = ClientAccount(client_id=client.pk)
    account.number, account.edited = number, True
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise Conflict(
            _("Le compte auxiliaire %(number)s est déjà celui d'un autre client.") % {"number": number},
            code=AccountingErrorCode.AUXILIARY_TAKEN,
        ) from None
    return account


# --- Exports -------------------------------------------------------------------------------------


def check_range(start: datetime.date | None, end: datetime.date | None) -> None:
    if start is None or end is None:
        raise InvalidRange(_("Indiquez la date de début et la date de fin."), field="start" if start is None else "end")
    if end < start:
        raise InvalidRange(_("La date de fin précède la date de début."), field="end")
    if end >= start + relativedelta(years=MAX_YEARS):
        raise InvalidRange(
            _("La période dépasse %(years)s ans : exportez-la en plusieurs fois.") % {"years": MAX_YEARS},
            code=AccountingErrorCode.RANGE_TOO_LONG, field="end",
        )


def _who(actor: Membership) -> str:
    user = actor.user
    return (user.get_full_name() or user.email)[:200]


@transaction.atomic
def export_run(
    *, actor: Membership, kind: str, start: datetime.date, end: datetime.date, separator: str = fec.PIPE
) -> AccountingExport:
    """Write the FEC (or the CSV journal) of [start, end] and record it. Nothing is written when the
    mapping lacks an account the range needs: the error lists them (never a half file)."""
    access.require_export(actor)
    if kind not in ExportKind.values:
        raise DomainError(_("Type d'export inconnu."), code=AccountingErrorCode.INVALID, field="kind")
    check_range(start, end)
    tenant_id = require_tenant_id()
    tenant = Tenant.objects.only("siren", "time_zone").get(pk=tenant_id)
    current = _mapping_for_update()
    accounts = Accounts(current, VatAccount.objects.all())
    needs = entries.needs(tenant_id, start, end)
    missing = accounts.missing(needs, tenant.siren if kind == ExportKind.FEC else "-")
    if missing:
        raise MappingIncomplete(missing)
    foreign = sorted(needs.currencies - {"EUR"})
    if foreign:
        raise Conflict(
            _("Des factures de la période sont en devise (%(currencies)s) : la comptabilité est tenue en euros, "
              "passez-les à la main.") % {"currencies": ", ".join(foreign)},
            code=AccountingErrorCode.INVALID,
        )
    if needs.clients_without_account:
        _generate(entries.clients_without_account(tenant_id, start, end), current.auxiliary_prefix)

    lines = accounts.lines(entries.rows(tenant_id, start, end, tenant.time_zone))
    counted = _Counter(lines)
    digest = hashlib.sha256()
    size = 0
    if kind == ExportKind.FEC:
        file = spool()
        for chunk in fec.encoded(counted, separator):  # hashed as written
            digest.update(chunk)
            size += len(chunk)
            file.write(chunk)
        name = fec.filename(tenant.siren, end)
    else:
        file = journal_csv.spooled(counted)
        name = f"journal-ventes-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        for block in iter(lambda: file.read(1 << 16), b""):
            digest.update(block)
            size += len(block)
    counted.check()
    file.seek(0)
    export = AccountingExport(
        kind=kind, start=start, end=end, run_by=actor, run_by_name=_who(actor), filename=name,
        sha256=digest.hexdigest(), size=size, entry_count=counted.entries, line_count=counted.lines,
        total_debit=counted.debit,
    )
    export.file.save(f"{tenant_id}/{export.id}/{name}", File(file, name=name), save=False)
    export.save()
    return export


class _Counter:
    """Counts the lines as they are written and checks every entry balances (a bug would stop the
    export instead of handing out an unbalanced file)."""

    def __init__(self, lines):
        self._lines = lines
        self.entries = self.lines = 0
        self.debit = Decimal("0.00")
        self.unbalanced: list[str] = []

    def __iter__(self):
        current, balance = None, Decimal("0.00")
        for line in self._lines:
            key = (line.journal, line.seq)
            if key != current:
                if current is not None and balance:
                    self.unbalanced.append(str(current))
                current, balance = key, Decimal("0.00")
                self.entries += 1
            balance += line.debit - line.credit
            self.lines += 1
            self.debit += line.debit
            yield line
        if current is not None and balance:
            self.unbalanced.append(str(current))

    def check(self) -> None:
        if self.unbalanced:
            raise RuntimeError(f"unbalanced accounting entries: {self.unbalanced[:10]}")
