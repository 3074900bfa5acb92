"""The billing benchmarks (issue 6, "Scale"), each beside its floor. Run by `python -m benchmarks`
after the timesheet ones, or alone: `python -m benchmarks.billing_bench` (same BENCH_* variables).

- billing_run: `billing.runs.run_now` over the month (every pre-invoice built, chunk by chunk, in
  this process); floor: the bare SQL aggregate of the month's approved day entries per timesheet
  line / assignment / T&M deal. Also billing_rerun: the same run again (idempotent update).
- issue_1500: `services.invoices_issue` for every ready pre-invoice of the month, one call (what
  the cockpit's "issue the selection" does); floor: a bare UPDATE setting number and status on the
  same rows (in a savepoint rolled back).
- invoice_render: `rendering.render_pdf_bytes` (PDF/A-3b + Factur-X XML, checked against the XSD)
  of one issued invoice with one consultant line and a 22-day annex; floor: WeasyPrint's
  `HTML(string=render_html(invoice)).write_pdf()` of the same HTML. Plus render_throughput: N
  invoices rendered by two processes, each with its own connection and tenant_context.
"""

from __future__ import annotations

import datetime
import logging
import multiprocessing
import sys
import time
from unittest import mock

from benchmarks.harness import Rollback, analyze, bench_line, flush, standalone, timed


def _floor_aggregate(tenant_id, month: datetime.date) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT l.id, a.id, d.id, a.daily_rate, e.is_extra, SUM(e.quantity)
            FROM timesheets_timesheetentry e
            JOIN timesheets_timesheetline l ON l.id = e.line_id
            JOIN timesheets_timesheet t ON t.id = l.timesheet_id
            JOIN deals_assignment a ON a.id = l.assignment_id
            JOIN deals_deal d ON d.id = a.deal_id
            WHERE t.tenant_id = %s AND t.month = %s AND t.status = 'approved' AND d.deal_type = 't_and_m'
            GROUP BY l.id, a.id, d.id, a.daily_rate, e.is_extra
            """,
            [tenant_id, month],
        )
        return cursor.fetchall()


def _floor_issue(ids: list) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE billing_invoice i SET number = 'F2026-' || lpad(n.rn::text, 5, '0'), status = 'issued', issue_date = current_date
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM billing_invoice WHERE id = ANY(%s::uuid[])) n
            WHERE i.id = n.id
            """,
            [ids],
        )
        return cursor.rowcount


def _render_worker(args) -> int:
    """One process of the throughput measure: its own connection, its own tenant context."""
    tenant_id, invoice_ids = args
    from django.db import connections

    from adv.tenancy.context import tenant_context
    from billing.models import Invoice
    from billing.rendering import render_pdf_bytes

    connections.close_all()  # never share the parent's socket
    done = 0
    with tenant_context(tenant_id):
        for pk in invoice_ids:
            pdf, _xml = render_pdf_bytes(Invoice.objects.get(pk=pk))
            done += bool(pdf)
    connections.close_all()
    return done


def run(scale: float, repeat: int) -> list[str]:
    """The three billing benchmarks on a fresh firm; returns the BENCH lines. The database is
    emptied before and after."""
    from django.db import connection, connections, transaction
    from django.db.models import Count
    from django.utils import timezone
    from weasyprint import HTML

    from adv.tenancy.context import tenant_context
    from benchmarks.billing_firm import billing_firm
    from billing import rendering, runs, services, tasks
    from billing.build import billed_month
    from billing.models import Invoice, InvoiceStatus, Readiness

    for name in ("weasyprint", "fontTools", "factur-x"):  # one line per render otherwise
        logging.getLogger(name).setLevel(logging.ERROR)
    lines: list[str] = []
    today = timezone.localdate()
    month = billed_month(today)
    flush()
    try:
        t0 = time.perf_counter()
        with transaction.atomic():
            tenant, admin, facts = billing_firm(scale, month)
        analyze()
        print(f"# billing firm created in {time.perf_counter() - t0:.1f} s: month={month:%Y-%m} {facts}", flush=True)

        # 1. The billing run, then the same run again. Celery dispatch is a no-op here: run_now
        # builds every chunk in this process (otherwise the chunks are also queued for workers).
        with tenant_context(tenant) as tenant_id, mock.patch.object(runs, "_dispatch", lambda run, ids: None):
            services.policy()
            run_ms, billing_run = timed(lambda: runs.run_now(actor=admin, month=month))
            assert billing_run.status == "done", billing_run.status
            floor_ms, rows = timed(lambda: _floor_aggregate(tenant_id, month), repeat)
            drafts = Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT).count()
            print(
                f"# run: {billing_run.chunk_count} chunks, {billing_run.created_count} pre-invoices created, "
                f"{len(rows)} aggregated rows in the floor",
                flush=True,
            )
        analyze()
        with tenant_context(tenant) as tenant_id, mock.patch.object(runs, "_dispatch", lambda run, ids: None):
            rerun_ms, rerun = timed(lambda: runs.run_now(actor=admin, month=month))
            print(
                f"# rerun: {rerun.created_count} created, {rerun.updated_count} updated, {rerun.removed_count} removed",
                flush=True,
            )
            assert Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT).count() == drafts
        lines.append(bench_line("billing_run", run_ms, "ms", floor_ms))
        lines.append(bench_line("billing_rerun", rerun_ms, "ms", floor_ms))

        # 2. Issuing every ready pre-invoice in one call.
        with tenant_context(tenant) as tenant_id:
            ready = [
                str(pk)
                for pk in Invoice.objects.filter(month=month, status=InvoiceStatus.DRAFT, readiness=Readiness.READY)
                .order_by("id")
                .values_list("pk", flat=True)
            ]
            assert len(ready) == drafts, (len(ready), drafts)

            def floor_issue():
                try:
                    with transaction.atomic():
                        _floor_issue(ready)
                        raise Rollback
                except Rollback:
                    pass

            floor_issue_ms, _ = timed(floor_issue, repeat)

        # Measured with the commit (the cockpit's request is one transaction). The PDFs are queued
        # after commit, one task per invoice: recorded, not sent to the broker (nobody would
        # consume them, and the firm is gone at the end).
        queued = []

        def issue():
            with tenant_context(tenant):
                return services.invoices_issue(actor=admin, invoice_ids=ready)

        with mock.patch.object(tasks.render_invoice, "delay", lambda *a: queued.append(a)):
            issue_ms, result = timed(issue)
        assert len(queued) == len(ready), len(queued)
        assert len(result.issued) == len(ready) and not result.refused, result.refused
        per_second = len(ready) / (issue_ms / 1000)
        print(f"# issued {len(ready)} invoices in {issue_ms / 1000:.2f} s: {per_second:.0f} invoices/s", flush=True)
        lines.append(bench_line(f"issue_{len(ready)}", issue_ms, "ms", floor_issue_ms))
        analyze()

        # 3. Rendering one typical invoice (one consultant line, 22 days in the annex).
        with tenant_context(tenant) as tenant_id:
            typical = (
                Invoice.objects.filter(month=month, status=InvoiceStatus.ISSUED, lines__kind="time")
                .annotate(n=Count("lines"))
                .filter(n=1)
                .order_by("number")
                .first()
            )
            render_ms, (pdf, _xml) = timed(
                lambda: rendering.render_pdf_bytes(Invoice.objects.get(pk=typical.pk)), repeat
            )
            html = rendering.render_html(typical)
            floor_render_ms, bare = timed(lambda: HTML(string=html).write_pdf(), repeat)
            print(f"# invoice {typical.number}: PDF {len(pdf) // 1024} KiB (bare {len(bare) // 1024} KiB)", flush=True)
            sample = [
                str(pk)
                for pk in Invoice.objects.filter(month=month, status=InvoiceStatus.ISSUED)
                .order_by("number")
                .values_list("pk", flat=True)[: max(8, round(60 * scale))]
            ]
        lines.append(bench_line("invoice_render", render_ms, "ms", floor_render_ms))

        # Throughput: two processes, each its own connection and tenant context.
        connections.close_all()
        halves = [(str(tenant.pk), sample[0::2]), (str(tenant.pk), sample[1::2])]
        start = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as pool:
            done = sum(pool.map(_render_worker, halves))
        elapsed = time.perf_counter() - start
        assert done == len(sample)
        per_minute = done / elapsed * 60
        # Floor: two bare WeasyPrint renders at a time, from the typical invoice's time.
        floor_per_minute = 2 * 60000 / floor_render_ms
        print(f"# {done} invoices rendered by 2 processes in {elapsed:.1f} s", flush=True)
        lines.append(
            f"BENCH render_throughput {per_minute:.1f} invoices/min floor={floor_per_minute:.1f} "
            f"ratio={floor_per_minute / per_minute:.1f}"
        )
        connection.ensure_connection()
    finally:
        flush()
    return lines


def main() -> int:
    return standalone(run)


if __name__ == "__main__":
    sys.exit(main())
