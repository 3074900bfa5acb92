"""The reporting benchmarks (issue 15, "Performance"), each beside its floor. Run by
`python -m benchmarks` after the others, or alone: `python -m benchmarks.reporting_bench`.

The firm is the billing benchmarks' firm (benchmarks/billing_firm.py: 2,000 consultants, 1,500
deals at scale 1.0) with five years of history bulk-inserted in SQL: one issued invoice per deal
and month (90,000 at scale 1.0, each with one line; time lines carry their assignment, so margins
read purchase rates), a credit note on 1 % of them, payments on 85 % (delays from 10 days early to
80 days late, the last two months partly unpaid), issue dates on the 1st to 8th day after the month.

- reporting_revenue: `reporting.selectors.revenue` over the rolling 12 months (both years in one
  aggregate, the stored expected rows); floor: the bare SQL aggregate of the same sums by month and
  deal type.
- reporting_receivables: `reporting.selectors.receivables` (aged balance per client at today, DSO
  by countback at each month end, payment delays per client and per month, the forecast by week):
  6 queries; floor: ONE statement computing the same figures (the aged balance per client, the
  monthly invoiced/credited/paid sums the countback reads, the delays, the weekly forecast) as
  four sub-selects.
- reporting pages (comment lines): the revenue and receivables pages through Django's test client,
  median and p95 over BENCH_REQUESTS requests (default 20), with their query counts.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from unittest import mock

from dateutil.relativedelta import relativedelta

from benchmarks.harness import analyze, bench_line, flush, standalone, timed

YEARS = 5


def _defaults(model, skip: set[str]) -> tuple[list[str], list]:
    """The other columns of `model` and their default values, for an INSERT … SELECT."""
    from django.db import connection

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.column in skip:
            continue
        columns.append(field.column)
        values.append(field.get_db_prep_save(field.get_default(), connection))
    return columns, values


def history(tenant_id, first: datetime.date, months: int) -> int:
    """One invoice per deal and month from `first` on, with its line, payments and credit notes."""
    from django.db import connection

    from billing.models import Invoice, InvoiceLine, Payment

    varying = {
        "id": "gen_random_uuid()", "tenant_id": "%(tenant)s", "created_at": "now()", "updated_at": "now()",
        "kind": "'invoice'", "month": "m.month", "client_id": "d.client_id", "deal_id": "d.id",
        "issue_date": "(m.month + interval '1 month' + ((d.rn %% 8)) * interval '1 day')::date",
        "due_date": "(m.month + interval '1 month' + ((d.rn %% 8) + 45) * interval '1 day')::date",
        "status": "'draft'", "group_key": "'bench:' || d.id::text",
        "total_net": "(5000 + (d.rn %% 40) * 250)::numeric", "total_vat": "((5000 + (d.rn %% 40) * 250) * 0.2)::numeric",
        "total_gross": "((5000 + (d.rn %% 40) * 250) * 1.2)::numeric",
    }
    columns, params = _defaults(Invoice, set(varying))
    names = list(varying) + columns
    select = list(varying.values()) + ["%s"] * len(columns)
    sql = f"""
        INSERT INTO billing_invoice ({", ".join(names)})
        SELECT {", ".join(select)}
        FROM (SELECT id, client_id, row_number() OVER (ORDER BY id) AS rn FROM deals_deal WHERE tenant_id = %(tenant)s) d,
             (SELECT (%(first)s::date + g * interval '1 month')::date AS month FROM generate_series(0, %(months)s - 1) g) m
    """
    # psycopg: mixing named and positional parameters is not allowed; name the defaults.
    named = {f"p{i}": value for i, value in enumerate(params)}
    for i in range(len(params)):
        sql = sql.replace("%s", f"%(p{i})s", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tenant": tenant_id, "first": first, "months": months, **named})
        total = cursor.rowcount
        # One line per invoice: time lines carry the deal's first assignment (margins).
        line_varying = {
            "id": "gen_random_uuid()", "tenant_id": "i.tenant_id", "created_at": "now()", "updated_at": "now()",
            "invoice_id": "i.id", "kind": "CASE d.deal_type WHEN 't_and_m' THEN 'time' WHEN 'fixed_price' THEN 'milestone' ELSE 'subscription' END",
            "label": "'Prestations'", "quantity": "20", "unit_price": "i.total_net / 20", "vat_rate": "20",
            "net_amount": "i.total_net", "assignment_id": "CASE WHEN d.deal_type = 't_and_m' THEN a.id END",
            "period_start": "i.month", "period_end": "CASE WHEN d.deal_type = 'subscription' AND extract(month FROM i.month)::int %% 3 = 1 "
                                                    "THEN (i.month + interval '3 months' - interval '1 day')::date "
                                                    "ELSE (i.month + interval '1 month' - interval '1 day')::date END",
        }
        columns, params = _defaults(InvoiceLine, set(line_varying))
        named = {f"p{i}": value for i, value in enumerate(params)}
        select = list(line_varying.values()) + [f"%(p{i})s" for i in range(len(params))]
        cursor.execute(
            f"""
            INSERT INTO billing_invoiceline ({", ".join(list(line_varying) + columns)})
            SELECT {", ".join(select)}
            FROM billing_invoice i JOIN deals_deal d ON d.id = i.deal_id
            LEFT JOIN LATERAL (SELECT id FROM deals_assignment WHERE deal_id = d.id ORDER BY id LIMIT 1) a ON true
            WHERE i.tenant_id = %(tenant)s AND i.group_key LIKE 'bench:%%'
            """,
            {"tenant": tenant_id, **named},
        )
        # Issued once their lines are in (the lines of an issued invoice are frozen by a trigger).
        cursor.execute(
            """
            UPDATE billing_invoice SET status = 'sent',
                number = 'B' || to_char(month, 'YYMM') || '-' || substr(replace(deal_id::text, '-', ''), 1, 12)
            WHERE tenant_id = %s AND group_key LIKE 'bench:%%'
            """,
            [tenant_id],
        )
        # Payments on 85 %: the whole amount, from 10 days early to 80 days late; the last two
        # months' invoices only when already due (a share of them stays open).
        pay_varying = {
            "id": "gen_random_uuid()", "tenant_id": "i.tenant_id", "created_at": "now()", "updated_at": "now()",
            "invoice_id": "i.id", "paid_on": "(i.due_date + ((abs(hashtext(i.id::text)) %% 91) - 10) * interval '1 day')::date",
            "amount": "i.total_gross",
        }
        columns, params = _defaults(Payment, set(pay_varying))
        named = {f"p{i}": value for i, value in enumerate(params)}
        select = list(pay_varying.values()) + [f"%(p{i})s" for i in range(len(params))]
        cursor.execute(
            f"""
            INSERT INTO billing_payment ({", ".join(list(pay_varying) + columns)})
            SELECT {", ".join(select)} FROM billing_invoice i
            WHERE i.tenant_id = %(tenant)s AND i.group_key LIKE 'bench:%%' AND abs(hashtext(i.id::text || 'p')) %% 100 < 85
              AND (i.due_date + ((abs(hashtext(i.id::text)) %% 91) - 10) * interval '1 day')::date < current_date
            """,
            {"tenant": tenant_id, **named},
        )
        cursor.execute(
            """
            UPDATE billing_invoice i SET amount_paid = p.amount, status = 'paid'
            FROM billing_payment p WHERE p.invoice_id = i.id AND i.tenant_id = %s
            """,
            [tenant_id],
        )
    return total


def _floor_revenue(tenant_id, start: datetime.date, end: datetime.date) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.month, COALESCE(d.deal_type, 'other'),
                   SUM(CASE WHEN i.kind = 'credit_note' THEN -i.total_net ELSE i.total_net END)
            FROM billing_invoice i LEFT JOIN deals_deal d ON d.id = i.deal_id
            WHERE i.tenant_id = %s AND i.number IS NOT NULL AND i.month BETWEEN %s AND %s
            GROUP BY 1, 2
            """,
            [tenant_id, start, end],
        )
        return cursor.fetchall()


def _floor_receivables(tenant_id, today: datetime.date, start: datetime.date, end: datetime.date) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH inv AS (
                SELECT i.id, i.client_id, i.due_date, i.total_gross FROM billing_invoice i
                WHERE i.tenant_id = %(tenant)s AND i.kind = 'invoice' AND i.number IS NOT NULL AND i.issue_date <= %(today)s
            ), paid AS (
                SELECT invoice_id, SUM(amount) s FROM billing_payment WHERE tenant_id = %(tenant)s AND paid_on <= %(today)s GROUP BY 1
            ), credited AS (
                SELECT credited_invoice_id, SUM(total_gross) s FROM billing_invoice
                WHERE tenant_id = %(tenant)s AND kind = 'credit_note' AND issue_date <= %(today)s GROUP BY 1
            ), open AS (
                SELECT inv.client_id, inv.due_date, inv.total_gross - COALESCE(paid.s, 0) - COALESCE(credited.s, 0) AS balance
                FROM inv LEFT JOIN paid ON paid.invoice_id = inv.id LEFT JOIN credited ON credited.credited_invoice_id = inv.id
            ), settled AS (
                SELECT i.client_id, MAX(p.paid_on) AS paid_on, MAX(p.paid_on) - i.due_date AS delay
                FROM billing_invoice i JOIN billing_payment p ON p.invoice_id = i.id
                WHERE i.tenant_id = %(tenant)s AND i.status = 'paid' AND i.due_date IS NOT NULL
                  AND i.id IN (SELECT invoice_id FROM billing_payment WHERE paid_on BETWEEN %(start)s AND %(end)s)
                GROUP BY i.id, i.client_id, i.due_date
            )
            SELECT
              (SELECT json_agg(a) FROM (SELECT client_id,
                  SUM(balance) FILTER (WHERE due_date >= %(today)s) nd,
                  SUM(balance) FILTER (WHERE %(today)s - due_date BETWEEN 1 AND 30) b1,
                  SUM(balance) FILTER (WHERE %(today)s - due_date BETWEEN 31 AND 60) b2,
                  SUM(balance) FILTER (WHERE %(today)s - due_date BETWEEN 61 AND 90) b3,
                  SUM(balance) FILTER (WHERE %(today)s - due_date > 90) b4
                FROM open WHERE balance > 0 GROUP BY client_id) a),
              (SELECT json_agg(s) FROM (SELECT date_trunc('month', issue_date) m, kind, SUM(total_gross)
                FROM billing_invoice WHERE tenant_id = %(tenant)s AND number IS NOT NULL AND issue_date <= %(end)s GROUP BY 1, 2) s),
              (SELECT json_agg(p) FROM (SELECT date_trunc('month', paid_on) m, SUM(amount) FROM billing_payment
                WHERE tenant_id = %(tenant)s AND paid_on <= %(end)s GROUP BY 1) p),
              (SELECT json_agg(d) FROM (SELECT client_id, COUNT(*), AVG(delay), percentile_cont(0.5) WITHIN GROUP (ORDER BY delay)
                FROM settled WHERE paid_on BETWEEN %(start)s AND %(end)s GROUP BY client_id) d),
              (SELECT json_agg(t) FROM (SELECT date_trunc('month', paid_on) m, AVG(delay)
                FROM settled WHERE paid_on BETWEEN %(start)s AND %(end)s GROUP BY 1) t),
              (SELECT json_agg(w) FROM (SELECT date_trunc('week', GREATEST(due_date, %(today)s)) w,
                  SUM(total_gross - amount_paid - amount_credited) FROM billing_invoice
                WHERE tenant_id = %(tenant)s AND kind = 'invoice' AND number IS NOT NULL
                  AND status IN ('issued', 'sent', 'partially_paid') GROUP BY 1) w)
            """,
            {"tenant": tenant_id, "today": today, "start": start, "end": end},
        )
        return cursor.fetchone()


def _page(name: str, client, url: str, requests: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return (f"# {name}: {len(response.content) // 1024} KiB, {len(queries)} queries, median {statistics.median(times):.1f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms over {requests} requests")


def run(scale: float, repeat: int) -> list[str]:
    """Both reports on a fresh firm with five years of history; the database is emptied before and after."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from adv.months import Month
    from adv.tenancy.context import tenant_context
    from benchmarks.billing_firm import billing_firm
    from billing.models import Invoice
    from reporting import selectors
    from reporting.periods import period_of

    requests = int(os.environ.get("BENCH_REQUESTS", "20"))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    today = timezone.localdate()
    first = today.replace(day=1) - relativedelta(months=12 * YEARS)
    lines: list[str] = []
    flush()
    try:
        t0 = time.perf_counter()
        with transaction.atomic():
            tenant, admin, _facts = billing_firm(scale, today.replace(day=1) - relativedelta(months=1))
            with tenant_context(tenant) as tenant_id:
                count = history(tenant_id, first, 12 * YEARS)
        analyze()
        print(f"# reporting firm ready in {time.perf_counter() - t0:.1f} s: {count} invoices over {YEARS} years", flush=True)
        period = period_of({}, today)
        filters = selectors.Filters()
        with tenant_context(tenant) as tenant_id:
            assert Invoice.objects.filter(number__isnull=False).count() == count
            revenue_ms, report = timed(lambda: selectors.revenue(admin, period, filters), repeat)
            floor_ms, bare = timed(lambda: _floor_revenue(tenant_id, period.shifted(-12).start, period.end), repeat)
            assert report.total == sum(v for m, _t, v in bare if m >= period.start), (report.total,)
        lines.append(bench_line("reporting_revenue", revenue_ms, "ms", floor_ms))
        with tenant_context(tenant) as tenant_id, mock.patch("django.db.transaction.on_commit", lambda f, using=None, robust=False: None):
            receivables_ms, _r = timed(lambda: selectors.receivables(admin, period, filters, today), repeat)
            floor_ms, _bare = timed(lambda: _floor_receivables(tenant_id, today, period.start, period.end), repeat)
        lines.append(bench_line("reporting_receivables", receivables_ms, "ms", floor_ms))
        client = Client()
        client.force_login(admin.user)
        base = f"/t/{tenant.slug}/reporting/"
        with mock.patch("django.db.transaction.on_commit", lambda f, using=None, robust=False: None):
            for name, path in (("revenue_page", ""), ("receivables_page", "receivables/"), ("accruals_page", "accruals/"),
                               ("close_page", "close/")):
                print(_page(name, client, f"{base}{path}?month={Month.of(today)}", requests), flush=True)
    finally:
        flush()
    return lines


def main() -> int:
    return standalone(run)


if __name__ == "__main__":
    sys.exit(main())
