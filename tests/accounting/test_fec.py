"""The FEC, checked column by column against article A47 A-1 of the LPF, and read back."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest

from accounting import services
from accounting.errors import MappingIncomplete
from accounting.models import AccountingExport, ClientAccount
from adv.tenancy.context import tenant_context
from tests.accounting.support import (
    CREDIT_DATE,
    HELIOS_PAID,
    NOVEMBER_END,
    ORION_PAID,
    entries_of,
    parse_date,
    read_fec,
)
from tests.billing.support import ISSUE_DATE

NOVEMBER = datetime.date(2026, 11, 1)
pytestmark = pytest.mark.django_db


def run_fec(firm, start=NOVEMBER, end=NOVEMBER_END, actor=None, **kwargs):
    with tenant_context(firm.tenant):
        export = services.export_run(actor=actor or firm.accountant.membership, kind="fec", start=start, end=end, **kwargs)
        with export.file.open("rb") as handle:
            return export, handle.read()


def test_fec_file_name_header_and_formats(issued_month):
    # given October issued on 2 November, a credit note and two payments in November
    firm = issued_month.firm
    # when the accountant exports November
    export, data = run_fec(firm)
    # then the file is SIREN + FEC + closing date, its SHA-256 recorded, every line well formed
    assert export.filename == "732829320FEC20261130.txt"
    assert export.sha256 == hashlib.sha256(data).hexdigest()
    assert export.run_by_id == firm.accountant.membership.pk
    lines = read_fec(data)
    assert export.line_count == len(lines)
    assert {line["JournalCode"] for line in lines} == {"VE", "BQ"}
    assert all(NOVEMBER <= parse_date(line["EcritureDate"]) <= NOVEMBER_END for line in lines)


def test_every_entry_is_balanced_and_numbered_without_gap_in_date_order(issued_month):
    _export, data = run_fec(issued_month.firm)
    lines = read_fec(data)
    entries = entries_of(lines)
    for key, entry in entries.items():
        assert sum(line.debit for line in entry) == sum(line.credit for line in entry), key
        assert len({line["EcritureDate"] for line in entry}) == 1
        assert len({line["PieceRef"] for line in entry}) == 1
        assert len({line["EcritureLib"] for line in entry}) == 1
    for journal in ("VE", "BQ"):
        numbers = [num for (code, num) in entries if code == journal]
        assert numbers == [f"{journal}{n:06d}" for n in range(1, len(numbers) + 1)]
        dates = [entries[(journal, num)][0]["EcritureDate"] for num in numbers]
        assert dates == sorted(dates)
    # 4 invoices and 1 credit note; 2 payments
    assert len([k for k in entries if k[0] == "VE"]) == 5
    assert len([k for k in entries if k[0] == "BQ"]) == 2


def _entry(lines, piece):
    found = [line for line in lines if line["PieceRef"] == piece and line["JournalCode"] == "VE"]
    assert found, piece
    return found


def test_french_invoice_goes_to_client_revenue_per_deal_type_and_vat_per_rate(issued_month):
    helios = issued_month.helios
    _export, data = run_fec(issued_month.firm)
    entry = _entry(read_fec(data), helios.number)
    by_account = {line["CompteNum"]: line for line in entry}
    # 411 with the client's auxiliary account, debit of the total with VAT
    with tenant_context(issued_month.firm.tenant):
        auxiliary = ClientAccount.objects.get(client=issued_month.firm.helios).number
    client = by_account["411000"]
    assert (client["CompAuxNum"], client["CompAuxLib"]) == (auxiliary, "Helios Énergies SA")
    assert client.debit == helios.total_gross == Decimal("32252.00")
    # revenue on the T&M account; VAT at 20 % and at 10 % on their own accounts
    assert by_account["706100"].credit == helios.total_net == Decimal("26960.00")
    assert by_account["445712"].credit == Decimal("5192.00")
    assert by_account["445711"].credit == Decimal("100.00")
    assert by_account["706100"]["CompAuxNum"] == ""
    assert parse_date(client["EcritureDate"]) == ISSUE_DATE == parse_date(client["PieceDate"])
    assert client["EcritureLib"] == f"Facture {helios.number} Helios Énergies SA"


def test_fixed_price_invoice_on_its_account(issued_month):
    _export, data = run_fec(issued_month.firm)
    entry = {line["CompteNum"]: line for line in _entry(read_fec(data), issued_month.orion.number)}
    assert entry["706200"].credit == Decimal("30000.00")
    assert entry["445712"].credit == Decimal("6000.00")
    assert entry["411000"].debit == Decimal("36000.00")


def test_eu_reverse_charge_and_non_eu_export_on_their_own_accounts_without_vat(issued_month):
    _export, data = run_fec(issued_month.firm)
    lines = read_fec(data)
    nova = {line["CompteNum"]: line for line in _entry(lines, issued_month.nova.number)}
    acme = {line["CompteNum"]: line for line in _entry(lines, issued_month.acme.number)}
    assert set(nova) == {"411000", "706400"}
    assert nova["706400"].credit == nova["411000"].debit == Decimal("1500.00")
    assert set(acme) == {"411000", "706500"}
    assert acme["706500"].credit == acme["411000"].debit == Decimal("2000.00")


def test_credit_note_is_the_invoice_reversed(issued_month):
    note = issued_month.credit_note
    _export, data = run_fec(issued_month.firm)
    entry = {line["CompteNum"]: line for line in _entry(read_fec(data), note.number)}
    assert entry["411000"].credit == Decimal("600.00")
    assert entry["706100"].debit == Decimal("500.00")
    assert entry["445712"].debit == Decimal("100.00")
    assert parse_date(entry["411000"]["EcritureDate"]) == CREDIT_DATE
    assert entry["411000"]["EcritureLib"].startswith("Avoir ")


def test_payments_in_the_bank_journal_and_lettering_of_the_settled_invoice(issued_month):
    orion, helios = issued_month.orion, issued_month.helios
    _export, data = run_fec(issued_month.firm)
    lines = read_fec(data)
    bank = [line for line in lines if line["JournalCode"] == "BQ"]
    first, second = entries_of(bank).values()
    # Orion's payment (15 Nov) first: 512 debit, 411 credit with Orion's auxiliary account
    assert [line["CompteNum"] for line in first] == ["512000", "411000"]
    assert first[0].debit == first[1].credit == Decimal("36000.00")
    assert first[0]["PieceRef"] == "VIR ORION 123"
    assert parse_date(first[0]["EcritureDate"]) == ORION_PAID
    assert first[1]["PieceRef"] == "VIR ORION 123"
    assert first[1]["EcritureLib"] == f"Règlement {orion.number} Orion Industrie SAS"
    assert first[1]["CompAuxLib"] == "Orion Industrie SAS"
    assert parse_date(second[0]["EcritureDate"]) == HELIOS_PAID and second[0].debit == Decimal("10000.00")
    # Orion is settled inside the file: its invoice and its payment share a lettering code
    invoice_line = next(line for line in _entry(lines, orion.number) if line["CompteNum"] == "411000")
    assert invoice_line["EcritureLet"] == first[1]["EcritureLet"] == "AAA"
    assert parse_date(invoice_line["DateLet"]) == ORION_PAID
    # Helios is only partly paid: nothing lettered
    assert all(line["EcritureLet"] == "" for line in _entry(lines, helios.number))
    assert second[1]["EcritureLet"] == ""


def test_payment_outside_the_range_prevents_lettering(issued_month):
    # October and November together still letter Orion; the invoices' days only: no payment, no letter
    _export, data = run_fec(issued_month.firm, start=ISSUE_DATE, end=ISSUE_DATE)
    lines = read_fec(data)
    assert {line["JournalCode"] for line in lines} == {"VE"}
    assert all(line["EcritureLet"] == "" for line in lines)


def test_tab_separator(issued_month):
    _export, data = run_fec(issued_month.firm, separator="\t")
    assert len(read_fec(data, separator="\t")) > 10


def test_auxiliary_accounts_are_generated_once_and_stable(issued_month):
    firm = issued_month.firm
    run_fec(firm)
    with tenant_context(firm.tenant):
        first = dict(ClientAccount.objects.values_list("client_id", "number"))
    run_fec(firm)
    with tenant_context(firm.tenant):
        assert dict(ClientAccount.objects.values_list("client_id", "number")) == first
    assert first[firm.helios.pk] == "CHELIOSEN"
    assert len(set(first.values())) == len(first)


def test_edited_auxiliary_account_is_used_and_unique(issued_month):
    firm = issued_month.firm
    with tenant_context(firm.tenant):
        services.client_account_set(actor=firm.adv.membership, client=firm.helios, number="411HEL")
        with pytest.raises(Exception) as error:
            services.client_account_set(actor=firm.adv.membership, client=firm.orion, number="411hel")
        assert getattr(error.value, "code", "") == "auxiliary_account_taken"
    _export, data = run_fec(firm)
    entry = _entry(read_fec(data), issued_month.helios.number)
    assert entry[0]["CompAuxNum"] == "411HEL"


def test_missing_account_blocks_the_fec_with_the_list(issued_month):
    firm = issued_month.firm
    with tenant_context(firm.tenant):
        services.mapping_update(
            actor=firm.adv.membership, revenue_eu_account="",
            vat_accounts=[{"rate": "20", "account": "445712", "label": "TVA 20"}],
        )
        with pytest.raises(MappingIncomplete) as error:
            services.export_run(actor=firm.accountant.membership, kind="fec", start=NOVEMBER, end=NOVEMBER_END)
        assert AccountingExport.objects.count() == 0
    missing = error.value.missing
    assert "prestations UE (autoliquidation)" in missing
    assert "le compte de TVA collectée à 10 %" in missing
    assert error.value.problem_extensions() == {"missing": missing}


def test_firm_without_siren_cannot_export_a_fec(issued_month):
    from adv.tenancy.models import Tenant

    firm = issued_month.firm
    Tenant.objects.filter(pk=firm.tenant.pk).update(siren="")
    with tenant_context(firm.tenant), pytest.raises(MappingIncomplete) as error:
        services.export_run(actor=firm.accountant.membership, kind="fec", start=NOVEMBER, end=NOVEMBER_END)
    assert any("SIREN" in item for item in error.value.missing)


def test_one_revenue_account_for_the_firm(issued_month):
    firm = issued_month.firm
    with tenant_context(firm.tenant):
        services.mapping_update(actor=firm.adv.membership, revenue_per_deal_type=False)
    _export, data = run_fec(firm)
    accounts = {line["CompteNum"] for line in read_fec(data) if line["CompteNum"].startswith("706")}
    assert accounts == {"706000", "706400", "706500"}


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (datetime.date(2026, 11, 30), datetime.date(2026, 11, 1), "invalid_range"),
        (datetime.date(2021, 1, 1), datetime.date(2025, 12, 31), None),
        (datetime.date(2021, 1, 1), datetime.date(2026, 1, 1), "range_too_long"),
    ],
)
def test_inverted_or_over_five_years_range_is_refused(start, end, code):
    from adv.tenancy.errors import DomainError

    if code is None:
        services.check_range(start, end)
        return
    with pytest.raises(DomainError) as error:
        services.check_range(start, end)
    assert error.value.code == code


def test_sales_journal_csv_has_the_same_lines(issued_month):
    firm = issued_month.firm
    fec_export, data = run_fec(firm)
    with tenant_context(firm.tenant):
        export = services.export_run(actor=firm.accountant.membership, kind="csv", start=NOVEMBER, end=NOVEMBER_END)
        with export.file.open("rb") as handle:
            text = handle.read().decode("utf-8-sig")
    rows = [row.split(";") for row in text.strip().split("\r\n")]
    assert rows[0][:4] == ["Journal", "N° d'écriture", "Date", "Compte"]
    assert len(rows) - 1 == fec_export.line_count
    helios_client = next(r for r in rows if r[7] == issued_month.helios.number and r[3] == "411000")
    assert helios_client[2] == "02/11/2026" and helios_client[10] == "32252,00"
    assert export.filename == "journal-ventes-20261101-20261130.csv"
