"""The billing cockpit and FAE pages at month-end size (issue 12), each beside its floor. Run by
`python -m benchmarks` after the billing ones, or alone: `python -m benchmarks.cockpit_bench`
(same BENCH_* variables, plus BENCH_REQUESTS, default 20; BENCH_PROFILE=1 prints a profile).

On the billing firm (`benchmarks/billing_firm.py`) after its month's run (1,500 pre-invoices at
scale 1.0, all ready), the admin requests each page BENCH_REQUESTS times through Django's test
`Client` (the whole middleware stack, session, tenant resolution, template rendering, in this
process; no socket, no ASGI server): median and p95 of the wall time, the response's size and its
query count.

- cockpit_page_inprocess: `GET /t/<firm>/billing/?month=…` (figures, run, filters, the table's first page).
- fae_page: `GET /t/<firm>/billing/invoices/month/?month=…` (figures, the FAE list's first page).
- month_expected: `billing.figures.expected_compute` (what every view recomputed before, now
  stored); floor: the bare SQL of its time part.
- floor: the page's own SQL: every statement the request ran (captured once), run again bare on
  the same connection, summed (median of BENCH_REPEAT).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from unittest import mock

from benchmarks.harness import analyze, bench_line, flush, standalone, timed


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _floor_expected(tenant_id, month):
    """The month's approved T&M time × rate, bare SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COALESCE(SUM(e.quantity * a.daily_rate), 0)
            FROM timesheets_timesheet t
            JOIN timesheets_timesheetline l ON l.timesheet_id = t.id
            JOIN deals_assignment a ON a.id = l.assignment_id
            JOIN deals_deal d ON d.id = a.deal_id
            JOIN timesheets_timesheetentry e ON e.line_id = l.id
            WHERE t.tenant_id = %s AND t.month = %s AND t.status = 'approved' AND d.deal_type = 't_and_m'
            """,
            [tenant_id, month],
        )
        return cursor.fetchone()[0]


def _sql_floor(statements: list[str], tenant_id, repeat: int) -> float:
    """The captured statements run again bare, in one transaction with the firm set (RLS applies)."""
    from django.db import connection, transaction

    times = []
    for _ in range(repeat):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
                start = time.perf_counter()
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _measure(name: str, client, url: str, tenant_id, requests: int, repeat: int) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, secure=True)  # warm: templates compiled, stored figures computed
    assert response.status_code == 200, (name, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url, secure=True)
    # Only the statements that read (the session's and the tenant's set_config are bound, not replayed).
    queries = captured.captured_queries  # read now: the property reads the connection's log lazily
    statements = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    floor = _sql_floor(statements, tenant_id, repeat)
    if os.environ.get("BENCH_PROFILE"):  # where one request's time goes (cumulative, top 30)
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(client.get, url, secure=True)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    median = statistics.median(times)
    print(
        f"# {name}: {len(response.content) // 1024} KiB, {len(queries)} queries, "
        f"median {median:.1f} ms, p95 {_p95(times):.1f} ms over {requests} requests",
        flush=True,
    )
    return f"BENCH {name} {median:.1f} ms floor={floor:.1f} ratio={median / floor if floor else float('inf'):.1f}"


def run(scale: float, repeat: int) -> list[str]:
    """Both pages on a fresh billing firm; returns the BENCH lines. The database is emptied before and after."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from adv.tenancy.context import tenant_context
    from benchmarks.billing_firm import billing_firm
    from billing import figures, runs, services
    from billing.build import billed_month
    from billing.models import Invoice

    requests = int(os.environ.get("BENCH_REQUESTS", "20"))
    # The in-process client: its host, plain static files (no collected manifest here).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    month = billed_month(timezone.localdate())
    lines: list[str] = []
    flush()
    try:
        t0 = time.perf_counter()
        with transaction.atomic():
            tenant, admin, facts = billing_firm(scale, month)
        analyze()  # as autovacuum would: without statistics the run plans nested loops over "empty" tables
        with tenant_context(tenant), mock.patch.object(runs, "_dispatch", lambda run, ids: None), mock.patch(
            "django.db.transaction.on_commit", lambda func, using=None, robust=False: None
        ):
            services.policy()
            runs.run_now(actor=admin, month=month)
            drafts = Invoice.objects.filter(month=month, status="draft").count()
        analyze()
        print(f"# cockpit firm ready in {time.perf_counter() - t0:.1f} s: {drafts} pre-invoices for {month:%Y-%m}", flush=True)
        # The month's expected figures, recomputed (what a view did every time before issue 12):
        # the application's queries beside the bare SQL of the time part, which dominates.
        with tenant_context(tenant) as tenant_id:
            expected_ms, expected = timed(lambda: figures.expected_compute(month), repeat)
            floor_expected_ms, bare = timed(lambda: _floor_expected(tenant_id, month), repeat)
            assert expected["expected_time"] == bare, (expected["expected_time"], bare)
        lines.append(bench_line("month_expected", expected_ms, "ms", floor_expected_ms))
        client = Client()
        client.force_login(admin.user)
        base = f"/t/{tenant.slug}/billing/"
        with mock.patch("django.db.transaction.on_commit", lambda func, using=None, robust=False: None):
            lines.append(_measure("cockpit_page_inprocess", client, f"{base}?month={month:%Y-%m}", tenant.pk, requests, repeat))
            lines.append(
                _measure("fae_page", client, f"{base}invoices/month/?month={month:%Y-%m}", tenant.pk, requests, repeat)
            )
    finally:
        flush()
    return lines


def main() -> int:
    return standalone(run)


if __name__ == "__main__":
    sys.exit(main())
