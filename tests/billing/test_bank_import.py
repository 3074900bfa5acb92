"""Bank statement import: payments matched by invoice number, idempotent, bad files refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from adv.tenancy.context import tenant_context
from billing import bank_import
from billing.models import Invoice, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(billing_firm):
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)])
    by_client = {i.client_id: i for i in result.issued}
    return by_client[billing_firm.helios.pk], by_client[billing_firm.nova.pk]


def run(firm, content: str | bytes):
    data = content.encode("utf-8") if isinstance(content, str) else content
    with tenant_context(firm.tenant):
        return bank_import.import_statement(actor=firm.adv.membership, file_bytes=data)


def test_rows_are_matched_by_exact_invoice_number_and_reported(billing_firm, issued):
    helios, nova = issued
    statement = (
        "Date;Libellé;Montant\n"
        f"20/11/2026;VIR HELIOS ENERGIES {helios.number} OCT;10 000,00\n"
        f"2026-11-21;VIR NOVA {nova.number};1500,00\n"
        f"21/11/2026;VIR NOVA {nova.number}9;1,00\n"  # not the exact number: no match
        "22/11/2026;FRAIS BANCAIRES;-12,00\n"
        f"23/11/2026;VIR NOVA {nova.number} bis;99999,00\n"
        "pas une date;VIR;12\n"
    )
    report = run(billing_firm, statement)
    assert [(r.invoice_number, r.amount) for r in report.matched] == [
        (helios.number, Decimal("10000.00")),
        (nova.number, Decimal("1500.00")),
    ]
    assert len(report.unmatched) == 3  # the near-number, the bank fee, the paid invoice
    assert "soldée" in report.unmatched[2].message
    assert [r.line for r in report.unreadable] == [7]
    with tenant_context(billing_firm.tenant):
        helios = Invoice.objects.get(pk=helios.pk)
        nova = Invoice.objects.get(pk=nova.pk)
        assert Payment.objects.count() == 2
    assert (helios.status, helios.amount_paid) == ("partially_paid", Decimal("10000.00"))
    assert nova.status == "paid"


def test_amount_above_the_balance_is_reported_not_recorded(billing_firm, issued):
    helios, _nova = issued
    report = run(billing_firm, f"date,amount,label\n2026-11-20,40000.00,{helios.number}\n")
    assert len(report.exceeding) == 1 and report.exceeding[0].invoice_number == helios.number
    with tenant_context(billing_firm.tenant):
        assert Payment.objects.count() == 0


def test_importing_the_same_statement_twice_pays_nothing_twice(billing_firm, issued):
    helios, _nova = issued
    statement = f"date;montant;libelle\n20/11/2026;1 000,50;REGLEMENT {helios.number}\n"
    assert len(run(billing_firm, statement).matched) == 1
    again = run(billing_firm, statement)
    assert again.matched == [] and len(again.already_imported) == 1
    with tenant_context(billing_firm.tenant):
        assert Payment.objects.count() == 1
        assert Invoice.objects.get(pk=helios.pk).amount_paid == Decimal("1000.50")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\x00\x01\x02", "pas un CSV"),
        ("date;montant\n20/11/2026;12,00\n", "Colonnes manquantes"),
        (b"", "vide"),
    ],
)
def test_a_bad_file_is_refused_and_records_nothing(billing_firm, issued, content, message):
    with pytest.raises(bank_import.BadStatement, match=message):
        run(billing_firm, content)
    with tenant_context(billing_firm.tenant):
        assert Payment.objects.count() == 0


def test_a_file_over_2_mb_is_refused(billing_firm, issued):
    with pytest.raises(bank_import.BadStatement, match="2 Mo"):
        run(billing_firm, b"date;montant;libelle\n" + b"x" * (2 * 1024 * 1024))


def test_the_page_records_and_shows_the_report_and_refuses_a_bad_file(billing_firm, issued):
    helios, _nova = issued
    client = billing_firm.adv.client()
    path = f"/t/{billing_firm.tenant.slug}/billing/invoices/bank-import/"
    upload = SimpleUploadedFile("releve.csv", f"date;montant;libelle\n20/11/2026;500,00;{helios.number}\n".encode())
    response = client.post(path, {"statement": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="matched"' in html and helios.number in html
    bad = client.post(path, {"statement": SimpleUploadedFile("x.csv", b"foo;bar\n1;2\n")})
    assert bad.status_code == 400 and "Colonnes manquantes" in bad.content.decode()
    with tenant_context(billing_firm.tenant):
        assert Payment.objects.count() == 1
