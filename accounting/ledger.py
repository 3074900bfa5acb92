"""From the entries' rows to accounting lines: which account each row goes to (the firm's
mapping), the journal codes, the entry numbers and wordings, the lettering codes; and what the
mapping lacks for a range (the list shown instead of a half file). Shared by the FEC and the CSV
journal, so that both say exactly the same thing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from billing.models import VatRegime
from deals.models import DealType

from .entries import BANK, SALES, Needs, Row
from .models import AccountMapping, VatAccount

ZERO = Decimal("0.00")


@dataclass(slots=True)
class Line:
    journal_code: str
    journal_label: str
    entry_number: str
    date: datetime.date
    account: str
    account_label: str
    auxiliary: str
    auxiliary_label: str
    piece_ref: str
    piece_date: datetime.date
    label: str
    debit: Decimal
    credit: Decimal
    letter: str
    date_let: datetime.date | None
    valid_date: datetime.date
    journal: str  # SALES | BANK
    seq: int


def letter_code(rank: int) -> str:
    """1 → AAA, 2 → AAB, … (three letters, a fourth beyond 17,576 codes)."""
    value, letters = rank - 1, ""
    while True:
        value, digit = divmod(value, 26)
        letters = chr(ord("A") + digit) + letters
        if not value:
            break
    return letters.rjust(3, "A")


class Accounts:
    """The firm's mapping, resolved per row."""

    def __init__(self, mapping: AccountMapping, vat_accounts: Iterable[VatAccount]):
        self.mapping = mapping
        self.vat = {Decimal(v.rate).quantize(Decimal("0.01")): (v.account, v.label) for v in vat_accounts}

    def revenue(self, deal_type: str | None, regime: str | None) -> tuple[str, str, str]:
        """(field name, account, label) of the revenue of an invoice."""
        m = self.mapping
        if regime == VatRegime.REVERSE_CHARGE:
            return "revenue_eu_account", m.revenue_eu_account, m.revenue_eu_label
        if regime == VatRegime.EXPORT:
            return "revenue_export_account", m.revenue_export_account, m.revenue_export_label
        if m.revenue_per_deal_type and deal_type:
            name = {
                DealType.T_AND_M: "revenue_t_and_m",
                DealType.FIXED_PRICE: "revenue_fixed_price",
                DealType.SUBSCRIPTION: "revenue_subscription",
            }.get(deal_type)
            if name:
                return f"{name}_account", getattr(m, f"{name}_account"), getattr(m, f"{name}_label")
        return "revenue_account", m.revenue_account, m.revenue_account_label

    def missing(self, needs: Needs, siren: str) -> list[str]:
        """What the range needs and the mapping (or the firm) leaves blank, in words."""
        m = self.mapping
        field = AccountMapping._meta.get_field
        missing: list[str] = []

        def need(name: str) -> None:
            if not getattr(m, name):
                label = str(field(name).verbose_name)
                if label not in missing:
                    missing.append(label)

        if not siren:
            missing.append(_("le SIREN de la société (paramètres de la société)"))
        if needs.documents or needs.payments:
            need("client_account")
        if needs.documents:
            need("sales_journal_code")
            for regime in needs.regimes:
                for deal_type in needs.deal_types or {""}:
                    name, _account, _label = self.revenue(deal_type, regime)
                    need(name)
            for rate in sorted(needs.vat_rates):
                if not self.vat.get(rate, ("", ""))[0]:
                    missing.append(_("le compte de TVA collectée à %(rate)s %%") % {"rate": f"{rate.normalize():f}"})
        if needs.payments:
            need("bank_account")
            need("bank_journal_code")
        return missing

    def lines(self, rows: Iterable[Row]) -> Iterator[Line]:
        m = self.mapping
        journals = {
            SALES: (m.sales_journal_code, m.sales_journal_label or m.sales_journal_code),
            BANK: (m.bank_journal_code, m.bank_journal_label or m.bank_journal_code),
        }
        words = {
            "invoice": _("Facture %(piece)s %(client)s"),
            "credit_note": _("Avoir %(piece)s %(client)s"),
            "payment": _("Règlement %(piece)s %(client)s"),
        }
        for row in rows:
            code, journal_label = journals[row.journal]
            auxiliary = auxiliary_label = ""
            if row.account == "client":
                account, label = m.client_account, m.client_account_label
                auxiliary, auxiliary_label = row.auxiliary or "", row.client_name
            elif row.account == "revenue":
                _name, account, label = self.revenue(row.deal_type, row.regime)
            elif row.account == "vat":
                account, label = self.vat[Decimal(row.rate).quantize(Decimal("0.01"))]
            else:
                account, label = m.bank_account, m.bank_account_label
            amount = row.amount
            yield Line(
                journal_code=code,
                journal_label=journal_label,
                entry_number=f"{code}{row.seq:06d}",
                date=row.day,
                account=account,
                account_label=label or account,
                auxiliary=auxiliary,
                auxiliary_label=auxiliary_label,
                piece_ref=row.piece,
                piece_date=row.piece_date,
                label=words[row.doc] % {"piece": row.ref, "client": row.client_name},
                debit=amount if amount > 0 else ZERO,
                credit=-amount if amount < 0 else ZERO,
                letter=letter_code(row.letter) if row.letter else "",
                date_let=row.date_let if row.letter else None,
                valid_date=row.valid_date,
                journal=row.journal,
                seq=row.seq,
            )
