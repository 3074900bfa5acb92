"""One invoice issued from its page (issue 12, item 4: "single-invoice issue answers in ≤ 300 ms,
the PDF following"). Run alone: `python -m benchmarks.issue_bench` (BENCH_SCALE, BENCH_REPEAT).

On the billing firm after its month's run, `services.invoice_issue` of one ready pre-invoice, each
in a savepoint rolled back (the render is queued after commit, so never here): the median wall
time and the query count, and beside it the part spent refreshing the deal's drafts first
(`build.build_deals`, what a fingerprint of the sources would let the issue skip when nothing
changed). Floor: the same `build_deals` alone is not a floor; the line's floor is the issue's own
UPDATE of the invoice (number, status, date), bare, in a savepoint.
"""

from __future__ import annotations

import statistics
import sys
import time
from unittest import mock

from benchmarks.harness import Rollback, analyze, bench_line, flush, standalone


def run(scale: float, repeat: int) -> list[str]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from adv.tenancy.context import tenant_context
    from benchmarks.billing_firm import billing_firm
    from billing import build, runs, services
    from billing.build import billed_month
    from billing.models import Invoice

    month = billed_month(timezone.localdate())
    flush()
    try:
        with transaction.atomic():
            tenant, admin, _facts = billing_firm(scale, month)
        analyze()
        no_commit_hooks = mock.patch("django.db.transaction.on_commit", lambda func, using=None, robust=False: None)
        with tenant_context(tenant), mock.patch.object(runs, "_dispatch", lambda run, ids: None), no_commit_hooks:
            services.policy()
            runs.run_now(actor=admin, month=month)
        analyze()
        times, builds, floors, queries = [], [], [], 0
        spent = {"build": 0.0}
        real_build = build.build_deals

        def timed_build(*args, **kwargs):
            start = time.perf_counter()
            try:
                return real_build(*args, **kwargs)
            finally:
                spent["build"] += time.perf_counter() - start

        with tenant_context(tenant):
            ids = list(
                Invoice.objects.filter(month=month, status="draft", readiness="ready")
                .order_by("id")
                .values_list("pk", flat=True)[: max(3, repeat)]
            )
            for pk in ids:
                spent["build"] = 0.0
                try:
                    with transaction.atomic(), no_commit_hooks, mock.patch.object(
                        services.issuing, "build_deals", timed_build
                    ), CaptureQueriesContext(connection) as captured:
                        invoice = Invoice.objects.get(pk=pk)
                        start = time.perf_counter()
                        services.invoice_issue(actor=admin, invoice=invoice)
                        times.append((time.perf_counter() - start) * 1000)
                        raise Rollback
                except Rollback:
                    pass
                queries = len(captured.captured_queries) - 1  # without the test's own get()
                builds.append(spent["build"] * 1000)
                try:
                    with transaction.atomic():
                        start = time.perf_counter()
                        Invoice.objects.filter(pk=pk).update(number="BENCH-1", status="issued", issue_date=timezone.localdate())
                        floors.append((time.perf_counter() - start) * 1000)
                        raise Rollback
                except Rollback:
                    pass
        median = statistics.median(times)
        print(
            f"# invoice_issue_one: {len(times)} invoices, {queries} queries, median {median:.1f} ms "
            f"(refreshing the deal's drafts: median {statistics.median(builds):.1f} ms)",
            flush=True,
        )
        return [bench_line("invoice_issue_one", median, "ms", statistics.median(floors))]
    finally:
        flush()


def main() -> int:
    return standalone(run)


if __name__ == "__main__":
    sys.exit(main())
