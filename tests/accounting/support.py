"""The month every accounting test reads (no test here), and a small FEC reader.

On the billing firm (tests/billing/support.py), October 2026 is issued on 2 November:
- Helios Énergies (France, time and materials): 20 d × 650 + 18 d × 720 = 25,960 € at 20 %, plus a
  manual line of 1,000 € at 10 % → VAT 5,192 + 100; partly paid (10,000 € on 20 November), partly
  credited (a 500 € + 20 % credit note on 10 November);
- Orion Industrie (France, fixed price): 12,000 + 18,000 = 30,000 € at 20 % → 36,000 € paid in
  full on 15 November: lettered;
- Nova GmbH (Germany, subscription): 1,500 € under reverse charge, no VAT;
- Acme Corp (United States): a manual invoice of 2,000 €, outside the scope of French VAT.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from adv.tenancy.context import tenant_context
from billing import services
from billing.models import Invoice
from tests.billing.support import ISSUE_DATE, OCTOBER, _client

FEC_COLUMNS = [
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
    "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
    "ValidDate", "Montantdevise", "Idevise",
]
NOVEMBER_END = datetime.date(2026, 11, 30)
CREDIT_DATE = datetime.date(2026, 11, 10)
ORION_PAID = datetime.date(2026, 11, 15)
HELIOS_PAID = datetime.date(2026, 11, 20)


@dataclass
class IssuedMonth:
    firm: object
    helios: Invoice
    orion: Invoice
    nova: Invoice
    acme: Invoice
    credit_note: Invoice


def issue_month(firm, *, extra_clients: int = 0) -> IssuedMonth:
    """Issue October (and `extra_clients` more manual invoices), credit and pay as described above."""
    actor = firm.adv.membership
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC), tick=False):
        firm.attach_missing_pv()
        firm.build()
        with tenant_context(firm.tenant):
            acme = _client(firm.alice.membership, "Acme Corp", country="US", contact_email="ap@acme.example")
            manual = [Invoice.objects.create(client=acme, month=OCTOBER, group_key="manual:acme")]
            services.line_add(actor=actor, invoice=manual[0], label="Audit", quantity="1", unit_price="2000",
                              vat_rate="20")
            for n in range(extra_clients):
                other = _client(firm.alice.membership, f"Client {n:03d}", siren="", contact_email=f"c{n}@x.example")
                draft = Invoice.objects.create(client=other, month=OCTOBER, group_key=f"manual:{n}")
                services.line_add(actor=actor, invoice=draft, label="Conseil", quantity="2", unit_price="500",
                                  vat_rate="20")
                manual.append(draft)
            helios_draft = Invoice.objects.get(month=OCTOBER, status="draft", client=firm.helios)
            services.line_add(actor=actor, invoice=helios_draft, label="Formation", quantity="1",
                              unit_price="1000", vat_rate="10")
            # a manual pre-invoice has no deal to rebuild its totals from: the issue freezes them anyway
            Invoice.objects.filter(pk__in=[i.pk for i in manual]).update(total_net=1, total_gross=1)
        result = firm.issue([*firm.drafts(), *manual], issue_date=ISSUE_DATE)
        assert not result.refused, result.refused
        with tenant_context(firm.tenant):
            issued = {i.client_id: i for i in Invoice.objects.filter(kind="invoice", number__isnull=False)}
            helios, orion, nova = issued[firm.helios.pk], issued[firm.orion.pk], issued[firm.nova.pk]
            note = services.credit_note_create(actor=actor, invoice=helios, reason="Geste commercial", amount="500",
                                               vat_rate="20", issue_date=CREDIT_DATE)
            services.payment_record(actor=actor, invoice=orion, amount=orion.total_gross, paid_on=ORION_PAID,
                                    reference="VIR ORION 123")
            services.payment_record(actor=actor, invoice=helios, amount="10000", paid_on=HELIOS_PAID)
            return IssuedMonth(firm, *(Invoice.objects.get(pk=i.pk) for i in (helios, orion, nova, issued[acme.pk], note)))


@pytest.fixture
def issued_month(billing_firm) -> IssuedMonth:
    return issue_month(billing_firm)


# --- A small FEC reader (the test's own, from the text of A47 A-1) --------------------------------

DATE = re.compile(r"^\d{8}$")
AMOUNT = re.compile(r"^\d+,\d{2}$")


@dataclass
class FecLine:
    values: dict

    def __getitem__(self, key):
        return self.values[key]

    @property
    def debit(self) -> Decimal:
        return Decimal(self.values["Debit"].replace(",", "."))

    @property
    def credit(self) -> Decimal:
        return Decimal(self.values["Credit"].replace(",", "."))


def parse_date(text: str) -> datetime.date:
    assert DATE.match(text), text
    return datetime.datetime.strptime(text, "%Y%m%d").date()


def read_fec(data: bytes, separator: str = "|") -> list[FecLine]:
    """Parse and check the format: 18 named columns in order, CR LF records, dates AAAAMMJJ,
    amounts with a decimal comma, mandatory fields filled; returns the lines."""
    text = data.decode("iso8859_15")
    assert text.endswith("\r\n")
    records = text[:-2].split("\r\n")
    header = records[0].split(separator)
    assert header == FEC_COLUMNS
    lines = []
    for record in records[1:]:
        fields = record.split(separator)
        assert len(fields) == 18, record
        values = dict(zip(FEC_COLUMNS, fields, strict=True))
        for name in ("JournalCode", "JournalLib", "EcritureNum", "CompteNum", "CompteLib", "PieceRef", "EcritureLib"):
            assert values[name], (name, record)
        assert re.match(r"^\d{3}", values["CompteNum"]), values["CompteNum"]
        for name in ("EcritureDate", "PieceDate", "ValidDate"):
            parse_date(values[name])
        if values["DateLet"]:
            parse_date(values["DateLet"])
            assert values["EcritureLet"]
        assert AMOUNT.match(values["Debit"]) and AMOUNT.match(values["Credit"]), record
        assert (values["Debit"] == "0,00") != (values["Credit"] == "0,00"), record  # one side only
        assert values["Montantdevise"] == "" and values["Idevise"] == ""
        lines.append(FecLine(values))
    return lines


def entries_of(lines: list[FecLine]) -> dict[tuple[str, str], list[FecLine]]:
    grouped: dict[tuple[str, str], list[FecLine]] = {}
    for line in lines:
        grouped.setdefault((line["JournalCode"], line["EcritureNum"]), []).append(line)
    return grouped
