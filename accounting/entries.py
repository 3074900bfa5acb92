"""The accounting entries of a date range, straight from the database: one SQL statement for the
needs (which accounts the range uses), one for the entries, read through a server-side cursor so
that a year of a large firm is never held in memory.

Sales journal (from the issued invoices' frozen data; a credit note is the same entry reversed):
    411 client (auxiliary account)   debit  total with VAT
    706 revenue (deal type / regime) credit total net
    44571 VAT collected, per rate    credit the VAT of that rate (French VAT only)
Bank journal (payments):
    512 bank                         debit  amount
    411 client (auxiliary account)   credit amount

The VAT of a rate is recomputed as the invoice did (EN 16931 BR-CO-17: the sum of the rate's line
nets × rate, rounded half away from zero, which is `round()` on numeric), so that the rates add up
to the invoice's frozen VAT total and every entry balances.

Entries are numbered per journal without gap, in date order (then number): `row_number()` over the
range. Lettering (EcritureLet) is given when it is certain inside the file: an invoice of the range
settled exactly by its payments and credit notes, all of them inside the range; its 411 lines, its
credit notes' and its payments' share one code, dated (DateLet) by the last of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

SALES = "sales"
BANK = "bank"


@dataclass(frozen=True)
class Needs:
    """What the range uses, to check the mapping before anything is written."""

    regimes: frozenset[str]
    deal_types: frozenset[str]  # "" for invoices without a deal
    vat_rates: frozenset[Decimal]
    currencies: frozenset[str]
    payments: int
    documents: int
    clients_without_account: int


NEEDS_SQL = """
WITH docs AS (
    SELECT i.id, i.vat_regime, i.currency, i.client_id, COALESCE(d.deal_type, '') AS deal_type
    FROM billing_invoice i LEFT JOIN deals_deal d ON d.id = i.deal_id
    WHERE i.tenant_id = %(tenant)s AND i.number IS NOT NULL AND i.issue_date BETWEEN %(start)s AND %(end)s
      AND (i.total_gross <> 0 OR i.total_net <> 0)
), pays AS (
    SELECT p.id, i.client_id
    FROM billing_payment p JOIN billing_invoice i ON i.id = p.invoice_id
    WHERE p.tenant_id = %(tenant)s AND p.paid_on BETWEEN %(start)s AND %(end)s
)
SELECT
    (SELECT array_agg(DISTINCT vat_regime) FROM docs),
    (SELECT array_agg(DISTINCT deal_type) FROM docs),
    (SELECT array_agg(DISTINCT l.vat_rate) FROM billing_invoiceline l JOIN docs ON docs.id = l.invoice_id
      WHERE docs.vat_regime = 'standard' AND l.vat_rate > 0),
    (SELECT array_agg(DISTINCT currency) FROM docs),
    (SELECT count(*) FROM pays),
    (SELECT count(*) FROM docs),
    (SELECT count(*) FROM (SELECT client_id FROM docs UNION SELECT client_id FROM pays) c
      WHERE NOT EXISTS (SELECT 1 FROM accounting_clientaccount a WHERE a.client_id = c.client_id))
"""

CLIENTS_WITHOUT_ACCOUNT_SQL = """
SELECT c.id, c.legal_name FROM clients_client c
WHERE c.tenant_id = %(tenant)s AND c.id IN (
    SELECT i.client_id FROM billing_invoice i
    WHERE i.tenant_id = %(tenant)s AND i.number IS NOT NULL AND i.issue_date BETWEEN %(start)s AND %(end)s
    UNION
    SELECT i.client_id FROM billing_payment p JOIN billing_invoice i ON i.id = p.invoice_id
    WHERE p.tenant_id = %(tenant)s AND p.paid_on BETWEEN %(start)s AND %(end)s
) AND NOT EXISTS (SELECT 1 FROM accounting_clientaccount a WHERE a.client_id = c.id)
ORDER BY c.legal_name, c.id
"""

# One statement: the lines of both journals, in file order. `amount` is signed: debit > 0, credit < 0.
ENTRIES_SQL = """
WITH docs AS (
    SELECT i.id, i.kind, i.number, i.issue_date, i.client_id, i.vat_regime, i.total_net, i.total_gross,
           i.credited_invoice_id, i.amount_paid, i.amount_credited, d.deal_type,
           CASE WHEN i.kind = 'credit_note' THEN -1 ELSE 1 END AS sign,
           row_number() OVER (ORDER BY i.issue_date, i.number, i.id) AS seq
    FROM billing_invoice i LEFT JOIN deals_deal d ON d.id = i.deal_id
    WHERE i.tenant_id = %(tenant)s AND i.number IS NOT NULL AND i.issue_date BETWEEN %(start)s AND %(end)s
      AND (i.total_gross <> 0 OR i.total_net <> 0)
), pays AS (
    SELECT p.id, p.invoice_id, p.paid_on, p.amount, p.reference, p.created_at, i.number, i.client_id,
           row_number() OVER (ORDER BY p.paid_on, i.number, p.created_at, p.id) AS seq
    FROM billing_payment p JOIN billing_invoice i ON i.id = p.invoice_id
    WHERE p.tenant_id = %(tenant)s AND p.paid_on BETWEEN %(start)s AND %(end)s
), lettered AS (
    SELECT docs.id, row_number() OVER (ORDER BY docs.seq) AS letter,
           GREATEST(
               (SELECT max(p.paid_on) FROM billing_payment p WHERE p.invoice_id = docs.id),
               (SELECT max(c.issue_date) FROM billing_invoice c WHERE c.credited_invoice_id = docs.id AND c.number IS NOT NULL)
           ) AS date_let
    FROM docs
    WHERE docs.kind = 'invoice' AND docs.total_gross > 0
      AND docs.amount_paid + docs.amount_credited = docs.total_gross
      AND NOT EXISTS (SELECT 1 FROM billing_payment p WHERE p.invoice_id = docs.id
                      AND (p.paid_on < %(start)s OR p.paid_on > %(end)s))
      AND NOT EXISTS (SELECT 1 FROM billing_invoice c WHERE c.credited_invoice_id = docs.id AND c.number IS NOT NULL
                      AND c.issue_date > %(end)s)
), vat AS (
    SELECT l.invoice_id, l.vat_rate, round(sum(l.net_amount) * l.vat_rate / 100, 2) AS vat
    FROM billing_invoiceline l JOIN docs ON docs.id = l.invoice_id
    WHERE docs.vat_regime = 'standard' AND l.vat_rate > 0
    GROUP BY l.invoice_id, l.vat_rate
), lines AS (
    SELECT 0 AS journal, docs.seq, docs.issue_date AS day, 0 AS pos, 'client' AS account, docs.deal_type,
           docs.vat_regime AS regime, NULL::numeric AS rate, docs.client_id, docs.kind AS doc, docs.number AS piece,
           docs.issue_date AS piece_date, docs.sign * docs.total_gross AS amount, l.letter, l.date_let,
           docs.issue_date AS valid_date, docs.number AS ref
    FROM docs LEFT JOIN lettered l ON l.id = COALESCE(docs.credited_invoice_id, docs.id)
    UNION ALL
    SELECT 0, docs.seq, docs.issue_date, 1, 'revenue', docs.deal_type, docs.vat_regime, NULL, docs.client_id,
           docs.kind, docs.number, docs.issue_date, -docs.sign * docs.total_net, NULL, NULL, docs.issue_date,
           docs.number
    FROM docs WHERE docs.total_net <> 0
    UNION ALL
    SELECT 0, docs.seq, docs.issue_date, 2, 'vat', docs.deal_type, docs.vat_regime, vat.vat_rate, docs.client_id,
           docs.kind, docs.number, docs.issue_date, -docs.sign * vat.vat, NULL, NULL, docs.issue_date,
           docs.number
    FROM docs JOIN vat ON vat.invoice_id = docs.id WHERE vat.vat <> 0
    UNION ALL
    SELECT 1, pays.seq, pays.paid_on, 0, 'bank', NULL, NULL, NULL, pays.client_id, 'payment',
           COALESCE(NULLIF(pays.reference, ''), pays.number), pays.paid_on, pays.amount, NULL, NULL,
           GREATEST(pays.paid_on, (pays.created_at AT TIME ZONE %(zone)s)::date), pays.number
    FROM pays
    UNION ALL
    SELECT 1, pays.seq, pays.paid_on, 1, 'client', NULL, NULL, NULL, pays.client_id, 'payment',
           COALESCE(NULLIF(pays.reference, ''), pays.number), pays.paid_on, -pays.amount, l.letter, l.date_let,
           GREATEST(pays.paid_on, (pays.created_at AT TIME ZONE %(zone)s)::date), pays.number
    FROM pays LEFT JOIN lettered l ON l.id = pays.invoice_id
)
SELECT lines.journal, lines.seq, lines.day, lines.pos, lines.account, lines.deal_type, lines.regime, lines.rate,
       a.number AS auxiliary, c.legal_name, lines.doc, lines.piece, lines.piece_date, lines.amount, lines.letter,
       lines.date_let, lines.valid_date, lines.ref
FROM lines
JOIN clients_client c ON c.id = lines.client_id
LEFT JOIN accounting_clientaccount a ON a.client_id = lines.client_id
ORDER BY lines.journal, lines.seq, lines.pos, lines.rate DESC
"""


@dataclass(slots=True)
class Row:
    journal: str  # SALES | BANK
    seq: int  # the entry's number in its journal, from 1, without gap
    day: datetime.date
    account: str  # client | revenue | vat | bank
    deal_type: str | None
    regime: str | None
    rate: Decimal | None
    auxiliary: str | None
    client_name: str
    doc: str  # invoice | credit_note | payment
    piece: str
    piece_date: datetime.date
    amount: Decimal  # debit > 0, credit < 0
    letter: int | None
    date_let: datetime.date | None
    valid_date: datetime.date
    ref: str  # the invoice or credit note's number (a payment's: the invoice it pays)


def params(tenant_id, start: datetime.date, end: datetime.date, zone: str = "Europe/Paris") -> dict:
    return {"tenant": tenant_id, "start": start, "end": end, "zone": zone}


def needs(tenant_id, start: datetime.date, end: datetime.date) -> Needs:
    with connection.cursor() as cursor:
        cursor.execute(NEEDS_SQL, params(tenant_id, start, end))
        regimes, deal_types, rates, currencies, payments, documents, without = cursor.fetchone()
    return Needs(
        regimes=frozenset(regimes or ()),
        deal_types=frozenset(deal_types or ()),
        vat_rates=frozenset(Decimal(rate).quantize(Decimal("0.01")) for rate in rates or ()),
        currencies=frozenset(currencies or ()),
        payments=payments,
        documents=documents,
        clients_without_account=without,
    )


def clients_without_account(tenant_id, start: datetime.date, end: datetime.date) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(CLIENTS_WITHOUT_ACCOUNT_SQL, params(tenant_id, start, end))
        return cursor.fetchall()


def rows(tenant_id, start: datetime.date, end: datetime.date, zone: str, chunk: int = 2000) -> Iterator[Row]:
    """The lines of the range in file order, read `chunk` at a time (a server-side cursor inside the
    caller's transaction)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(ENTRIES_SQL, params(tenant_id, start, end, zone))
        while True:
            batch = cursor.fetchmany(chunk)
            if not batch:
                return
            for record in batch:
                yield Row(
                    journal=SALES if record[0] == 0 else BANK,
                    seq=record[1],
                    day=record[2],
                    account=record[4],
                    deal_type=record[5],
                    regime=record[6],
                    rate=record[7],
                    auxiliary=record[8],
                    client_name=record[9],
                    doc=record[10],
                    piece=record[11],
                    piece_date=record[12],
                    amount=record[13],
                    letter=record[14],
                    date_let=record[15],
                    valid_date=record[16],
                    ref=record[17],
                )
