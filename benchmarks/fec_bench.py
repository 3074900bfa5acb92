"""The accounting export benchmark (issue 15): `fec_year`, a year of FEC on the benchmark firm.

The firm of benchmarks/billing_firm.py (600 clients, 1,500 deals at scale 1.0) gets a year of
issued history, bulk-inserted: every deal invoiced every month of last year (18,000 invoices at
scale 1.0, one or two lines: 20 % VAT, and 10 % on one invoice out of five), a tenth of the
clients under EU reverse charge and one in twenty-five outside the EU, a credit note on one invoice
in fifty, a payment on nine invoices out of ten 30 to 50 days after issue.

Measured (median of BENCH_REPEAT runs, each in a savepoint rolled back):
- fec_year: `accounting.services.export_run(kind="fec")` over the year: the needs, the mapping
  checks, the entries streamed through a server-side cursor, formatted, hashed, stored, logged;
  floor: the single SQL statement that computes the same lines (`accounting.entries.ENTRIES_SQL`),
  all rows fetched.
"""

from __future__ import annotations

import datetime
import random
import sys
import time
from decimal import Decimal
from unittest import mock

from benchmarks.harness import analyze, bench_line, flush, in_savepoint, standalone, timed

CENT = Decimal("0.01")


def _history(tenant_id, year: int, seed: int = 15) -> dict:
    """A year of issued invoices, credit notes and payments (drafts inserted, then numbered)."""
    from django.db import connection

    from billing.models import Invoice, InvoiceLine, Payment
    from deals.models import Deal

    rng = random.Random(seed)
    deals = list(Deal.objects.values_list("id", "client_id").order_by("reference"))
    clients = sorted({c for _d, c in deals}, key=str)
    regime = {c: ("reverse_charge" if i % 10 == 3 else "export" if i % 25 == 7 else "standard") for i, c in enumerate(clients)}
    invoices, lines, payments, notes, note_lines = [], [], [], [], []
    for month in range(1, 13):
        first = datetime.date(year, month, 1)
        for deal_id, client_id in deals:
            issue = first + datetime.timedelta(days=rng.randrange(0, 10))
            parts = [(Decimal(rng.randrange(2000, 30000)), Decimal("20.00"))]
            if rng.random() < 0.2:
                parts.append((Decimal(rng.randrange(100, 2000)), Decimal("10.00")))
            standard = regime[client_id] == "standard"
            net = sum(p for p, _r in parts)
            vat = sum(((p * r / 100).quantize(CENT) for p, r in parts), Decimal("0")) if standard else Decimal("0")
            invoice = Invoice(
                tenant_id=tenant_id, month=first, client_id=client_id, deal_id=deal_id, status="draft",
                issue_date=issue, due_date=issue + datetime.timedelta(days=30), vat_regime=regime[client_id],
                total_net=net, total_vat=vat, total_gross=net + vat,
            )
            invoices.append(invoice)
            for position, (amount, rate) in enumerate(parts):
                lines.append(InvoiceLine(tenant_id=tenant_id, invoice=invoice, position=position, label="Prestations",
                                         quantity=Decimal("1"), unit_price=amount, vat_rate=rate, net_amount=amount))
            roll = rng.random()
            if roll < 0.02:
                note = Invoice(
                    tenant_id=tenant_id, kind="credit_note", month=first, client_id=client_id, deal_id=deal_id,
                    status="draft", credited_invoice=invoice, issue_date=issue + datetime.timedelta(days=5),
                    vat_regime=invoice.vat_regime, total_net=net, total_vat=vat, total_gross=net + vat,
                )
                notes.append(note)
                note_lines += [InvoiceLine(tenant_id=tenant_id, invoice=note, position=line.position, label=line.label,
                                           quantity=line.quantity, unit_price=line.unit_price, vat_rate=line.vat_rate,
                                           net_amount=line.net_amount) for line in lines[-len(parts):]]
                invoice.amount_credited = invoice.total_gross
            elif roll < 0.92:
                payments.append(Payment(tenant_id=tenant_id, invoice=invoice, amount=invoice.total_gross,
                                        paid_on=issue + datetime.timedelta(days=rng.randrange(30, 51))))
                invoice.amount_paid = invoice.total_gross
    Invoice.objects.bulk_create(invoices, batch_size=2000)
    Invoice.objects.bulk_create(notes, batch_size=2000)
    InvoiceLine.objects.bulk_create(lines + note_lines, batch_size=5000)
    Payment.objects.bulk_create(payments, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_invoice i
            SET number = CASE WHEN i.kind = 'invoice' THEN 'F' ELSE 'AV' END || %s || '-' || lpad(n.rn::text, 6, '0'),
                status = CASE WHEN i.kind = 'credit_note' THEN 'issued' WHEN i.amount_paid > 0 THEN 'paid'
                              WHEN i.amount_credited > 0 THEN 'credited' ELSE 'sent' END
            FROM (SELECT id, row_number() OVER (PARTITION BY kind ORDER BY issue_date, id) AS rn
                  FROM billing_invoice WHERE tenant_id = %s) n
            WHERE i.id = n.id
            """,
            [str(year), tenant_id],
        )
    return {"invoices": len(invoices), "credit_notes": len(notes), "payments": len(payments), "lines": len(lines)}


def _floor(tenant_id, start, end) -> int:
    from django.db import connection

    from accounting.entries import ENTRIES_SQL, params

    with connection.cursor() as cursor:
        cursor.execute(ENTRIES_SQL, params(tenant_id, start, end))
        return len(cursor.fetchall())


def run(scale: float, repeat: int) -> list[str]:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from accounting import services
    from adv.tenancy.context import tenant_context
    from benchmarks.billing_firm import billing_firm

    # Files in memory: each measured run is rolled back, its file must not stay on disk.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    year = timezone.localdate().year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    lines: list[str] = []
    flush()
    try:
        t0 = time.perf_counter()
        with transaction.atomic():
            tenant, admin, _facts = billing_firm(scale, datetime.date(year + 1, 1, 1))
            with tenant_context(tenant) as tenant_id, mock.patch(
                "django.db.transaction.on_commit", lambda func, using=None, robust=False: None
            ):
                made = _history(tenant_id, year)
                services.mapping_update(actor=admin)
                services.client_accounts_generate(actor=admin)
        analyze()
        print(f"# fec firm ready in {time.perf_counter() - t0:.1f} s: {made}", flush=True)
        with tenant_context(tenant) as tenant_id:
            fec_ms, export = timed(in_savepoint(
                lambda: services.export_run(actor=admin, kind="fec", start=start, end=end)), repeat)
            floor_ms, rows = timed(lambda: _floor(tenant_id, start, end), repeat)
            assert export.line_count == rows, (export.line_count, rows)
        print(f"# fec_year: {export.entry_count} entries, {rows} lines, {export.size / 1e6:.1f} MB", flush=True)
        lines.append(bench_line("fec_year", fec_ms, "ms", floor_ms))
    finally:
        flush()
    return lines


def main() -> int:
    return standalone(run)


if __name__ == "__main__":
    sys.exit(main())
