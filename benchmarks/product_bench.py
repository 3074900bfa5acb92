"""The product as it runs (issue 12, item 5): the processes `make run` starts (uvicorn with one
worker per core unless WEB_WORKERS says otherwise, a Celery worker with two processes, beat;
`adv.embedded.product_commands`), on the bench database and the bench's Redis (a queue and cache
prefix of their own), measured over HTTP. Run by `python -m benchmarks`, or alone:
`python -m benchmarks.product_bench` (BENCH_SCALE, BENCH_REPEAT; BENCH_REQUESTS, default 20;
BENCH_USERS, default 50; BENCH_USERS_SECONDS, default 60; BENCH_RENDERS, default 40).

- billing_run_workers: `POST /api/v1/billing-runs/` to `done` (polled every 0.2 s), the chunks built
  by the worker processes. Floor: one `INSERT … SELECT` writing the same drafts (one per deal) and
  lines (one per approved timesheet line) from the approved entries, rolled back.
- cockpit_page, clients_page, api_timesheets (`?page_size=200`): median and p95 of BENCH_REQUESTS
  sequential requests over HTTP; the query count and the floor (the page's own SQL, captured once
  in this process and replayed bare) as cockpit_bench does.
- cockpit_50_users: BENCH_USERS sessions requesting the cockpit in a loop for BENCH_USERS_SECONDS;
  p95 (and throughput in the comment line) beside the same loop with one user (floor = its p95).
- render_workers: BENCH_RENDERS invoices issued here, their renders queued to the product's workers;
  invoices per minute until every PDF is stored, beside two processes of this machine rendering
  the same number in-process at the same time (floor: their rate; ratio = floor / value, ≤ 1.3 wanted).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from unittest import mock

from benchmarks.harness import analyze, bench_line, flush, standalone


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- The product ------------------------------------------------------------------------------------


class Product:
    def __init__(self, var_dir: Path):
        from django.conf import settings
        from django.db import connection

        from adv import embedded
        from tests.e2e.product import free_port

        self.var_dir = var_dir
        self.port = free_port()
        self.queue = f"adv-bench-{uuid.uuid4().hex[:10]}"
        db, owner = connection.settings_dict, settings.DATABASE_OWNER
        password = f":{owner['PASSWORD']}" if owner["PASSWORD"] else ""
        host = db["HOST"] or "127.0.0.1"
        port = f":{db['PORT']}" if db["PORT"] else ""
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("SITE_URL", "CELERY_TASK_ALWAYS_EAGER")},
            "DJANGO_SETTINGS_MODULE": "adv.settings",
            "ADV_ENV": "development",
            "DEBUG": "false",
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "DATABASE_URL": f"postgresql://{owner['USER']}{password}@{host}{port}/{db['NAME']}",
            "DATABASE_APP_USER": settings.DATABASE_APP["USER"],
            "DATABASE_APP_PASSWORD": settings.DATABASE_APP["PASSWORD"],
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "CACHE_KEY_PREFIX": self.queue,
            "ADV_VAR_DIR": str(var_dir),
            "PYTHONPATH": str(settings.BASE_DIR),
            "PYTHONUNBUFFERED": "1",
        }
        self.url = embedded.configure_site_url(self.env)
        self.processes: list[subprocess.Popen] = []
        for name, command in embedded.product_commands(str(self.port), var_dir=var_dir, worker_name=self.queue):
            with open(var_dir / f"{name}.log", "w") as log:
                self.processes.append(
                    subprocess.Popen(
                        command, cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5) as response:
                    if response.status == 200 and " ready." in (var_dir / "worker.log").read_text(errors="replace"):
                        return
            except OSError:
                pass
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("the product did not start:\n" + (var_dir / "web.log").read_text()[-2000:])

    def stop(self) -> None:
        import signal

        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def _session_cookie(user) -> str:
    """A logged-in session (stored in the database the product reads)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _get(url: str, *, cookie: str = "", token: str = "") -> tuple[float, int, int]:
    headers = {"Accept": "application/json" if token else "text/html"}
    if cookie:
        headers["Cookie"] = f"sessionid={cookie}"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
        status = response.status
    return (time.perf_counter() - start) * 1000, status, len(body)


# --- billing_run_workers ------------------------------------------------------------------------------


def _not_null_fillers(cursor, table: str, given: set[str]) -> dict[str, str]:
    """SQL values for the NOT NULL columns without a database default that the floor does not set."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    values = {
        "text": "''", "character varying": "''", "integer": "0", "smallint": "0", "bigint": "0", "numeric": "0",
        "boolean": "false", "jsonb": "'[]'::jsonb", "date": "%(month)s", "timestamp with time zone": "now()",
    }  # fmt: skip
    return {name: values.get(kind, "NULL") for name, kind in cursor.fetchall() if name not in given}


def _floor_run(tenant_id, month) -> float:
    """One INSERT … SELECT of the drafts (per deal) and one of their lines (per approved timesheet line),
    in a transaction rolled back; milliseconds."""
    from django.db import connection, transaction

    from benchmarks.harness import Rollback

    start = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
            invoice_given = {
                "id", "created_at", "updated_at", "tenant_id", "kind", "status", "month", "group_key", "client_id",
                "deal_id", "readiness", "total_net", "total_vat", "total_gross",
            }  # fmt: skip
            line_given = {
                "id", "created_at", "updated_at", "tenant_id", "invoice_id", "kind", "label", "quantity",
                "unit_price", "vat_rate", "net_amount", "timesheet_id", "timesheet_line_id", "unit", "assignment_id",
            }  # fmt: skip
            inv_fill = _not_null_fillers(cursor, "billing_invoice", invoice_given)
            line_fill = _not_null_fillers(cursor, "billing_invoiceline", line_given)
            approved = """
                FROM timesheets_timesheet t
                JOIN timesheets_timesheetline l ON l.timesheet_id = t.id
                JOIN deals_assignment a ON a.id = l.assignment_id
                JOIN deals_deal d ON d.id = a.deal_id
                JOIN (SELECT line_id, SUM(quantity) AS days FROM timesheets_timesheetentry GROUP BY line_id) e
                  ON e.line_id = l.id
                WHERE t.tenant_id = %(tenant)s AND t.month = %(month)s AND t.status = 'approved'
            """
            start = time.perf_counter()
            cursor.execute(
                f"""
                INSERT INTO billing_invoice (id, created_at, updated_at, tenant_id, kind, status, month, group_key,
                    client_id, deal_id, readiness, total_net, total_vat, total_gross
                    {"".join(", " + c for c in inv_fill)})
                SELECT gen_random_uuid(), now(), now(), %(tenant)s, 'invoice', 'draft', %(month)s,
                    'floor:' || d.id::text, d.client_id, d.id, 'ready', SUM(e.days * a.daily_rate),
                    ROUND(SUM(e.days * a.daily_rate) * 0.2, 2), ROUND(SUM(e.days * a.daily_rate) * 1.2, 2)
                    {"".join(", " + v for v in inv_fill.values())}
                {approved}
                GROUP BY d.id, d.client_id
                """,
                {"tenant": str(tenant_id), "month": month},
            )
            cursor.execute(
                f"""
                INSERT INTO billing_invoiceline (id, created_at, updated_at, tenant_id, invoice_id, kind, label,
                    quantity, unit_price, vat_rate, net_amount, timesheet_id, timesheet_line_id, unit, assignment_id
                    {"".join(", " + c for c in line_fill)})
                SELECT gen_random_uuid(), now(), now(), %(tenant)s, i.id, 'time', 'Prestation', e.days, a.daily_rate,
                    20, ROUND(e.days * a.daily_rate, 2), t.id, l.id, 'DAY', a.id
                    {"".join(", " + v for v in line_fill.values())}
                {approved}
                """.replace(
                    "WHERE t.tenant_id", "JOIN billing_invoice i ON i.group_key = 'floor:' || d.id::text "
                    "AND i.tenant_id = t.tenant_id AND i.month = t.month WHERE t.tenant_id"
                ),
                {"tenant": str(tenant_id), "month": month},
            )
            elapsed = (time.perf_counter() - start) * 1000
            raise Rollback
    except Rollback:
        pass
    return elapsed


def _billing_run(product: Product, token: str, month, tenant_id, repeat: int) -> str:
    from django.db import transaction

    from adv.tenancy.context import tenant_context
    from billing.models import BillingRun, Invoice

    times = []
    for _ in range(repeat):
        with tenant_context(tenant_id), transaction.atomic():
            Invoice.objects.filter(month=month, status="draft").delete()
            BillingRun.objects.filter(month=month).delete()
        analyze()
        body = json.dumps({"month": f"{month:%Y-%m}"}).encode()
        request = urllib.request.Request(
            f"{product.url}/api/v1/billing-runs/",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        start = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:
            run = json.loads(response.read())
        status = run["status"]
        while status == "running" and time.perf_counter() - start < 900:
            time.sleep(0.2)
            request = urllib.request.Request(
                f"{product.url}/api/v1/billing-runs/{run['id']}/", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                status = json.loads(response.read())["status"]
        times.append((time.perf_counter() - start) * 1000)
        assert status == "done", status
    with tenant_context(tenant_id):
        drafts = Invoice.objects.filter(month=month, status="draft").count()
    floor = statistics.median(_floor_run(tenant_id, month) for _ in range(max(1, repeat)))
    value = statistics.median(times)
    print(f"# billing_run_workers: {drafts} pre-invoices, runs {[round(t) for t in times]} ms", flush=True)
    return bench_line("billing_run_workers", value, "ms", floor)


# --- Pages over HTTP ----------------------------------------------------------------------------------


def _page(name: str, url: str, path: str, *, cookie="", token="", in_process, tenant_id, requests, repeat) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.cockpit_bench import _sql_floor

    _get(url, cookie=cookie, token=token)  # warm
    times, size = [], 0
    for _ in range(requests):
        elapsed, status, size = _get(url, cookie=cookie, token=token)
        assert status == 200, (name, status)
        times.append(elapsed)
    with CaptureQueriesContext(connection) as captured:
        response = in_process(path)
        assert response.status_code == 200, (name, response.status_code)
    queries = captured.captured_queries
    statements = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]
    floor = _sql_floor(statements, tenant_id, repeat)
    median, p95 = statistics.median(times), _p95(times)
    print(
        f"# {name}: {size // 1024} KiB, {len(queries)} queries, median {median:.1f} ms, p95 {p95:.1f} ms "
        f"over {requests} HTTP requests",
        flush=True,
    )
    return f"BENCH {name} {p95:.1f} ms_p95 floor={floor:.1f} ratio={p95 / floor if floor else float('inf'):.1f}"


def _web_rss_mb(product: Product) -> list[float]:
    """Resident memory (MiB) of each process of the web server's group (uvicorn's master and workers)."""
    web = product.processes[0].pid
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp != web:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sorted(sizes, reverse=True)


def _users(url: str, cookies: list[str], seconds: float) -> tuple[list[float], float]:
    """Each cookie a session requesting `url` in a loop for `seconds`; (latencies, requests per second)."""
    times: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user(cookie):
        while time.perf_counter() < stop_at:
            try:
                elapsed, _status, _size = _get(url, cookie=cookie)
            except OSError:
                continue
            with lock:
                times.append(elapsed)

    threads = [threading.Thread(target=user, args=(c,), daemon=True) for c in cookies]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 180)
    return times, len(times) / (time.perf_counter() - started)


# --- render_workers -----------------------------------------------------------------------------------

RENDER_CHILD = """
import sys, django
django.setup()
from adv.tenancy.context import tenant_context
from billing.models import Invoice
from billing.rendering import render_pdf_bytes
with tenant_context(sys.argv[1]):
    for invoice in Invoice.objects.filter(pk__in=sys.argv[2:]).select_related("tenant", "deal", "credited_invoice"):
        render_pdf_bytes(invoice)
"""


def _render(product: Product, admin, tenant_id, month, count: int) -> str:
    from django.db import transaction

    from adv.tenancy.context import tenant_context
    from billing import services
    from billing.models import Invoice
    from billing.tasks import render_invoice

    with tenant_context(tenant_id):
        ids = list(
            Invoice.objects.filter(month=month, status="draft", readiness="ready")
            .order_by("client__legal_name", "id")
            .values_list("pk", flat=True)[: count * 2]
        )
        with mock.patch.object(services.issuing, "renders_schedule", lambda ids: None), transaction.atomic():
            issued = [str(i.pk) for i in services.invoices_issue(actor=admin, invoice_ids=ids).issued]
    workers, local = issued[:count], issued[count : count * 2]
    # In-process: two processes of this machine, each rendering half, at the same time.
    start = time.perf_counter()
    children = [
        subprocess.Popen([sys.executable, "-c", RENDER_CHILD, str(tenant_id), *half], env=product.env)
        for half in (local[::2], local[1::2])
    ]
    for child in children:
        assert child.wait(600) == 0
    local_rate = len(local) / (time.perf_counter() - start) * 60
    # Through the workers: the tasks queued on the product's queue, done when every PDF is stored.
    start = time.perf_counter()
    for pk in workers:
        render_invoice.apply_async(args=[str(tenant_id), pk], queue=product.queue)
    with tenant_context(tenant_id):
        while time.perf_counter() - start < 900:
            if Invoice.objects.filter(pk__in=workers, render_status="done").count() == len(workers):
                break
            time.sleep(0.2)
    worker_rate = len(workers) / (time.perf_counter() - start) * 60
    print(
        f"# render_workers: {len(workers)} through the workers {worker_rate:.0f}/min; "
        f"{len(local)} in two processes {local_rate:.0f}/min",
        flush=True,
    )
    ratio = local_rate / worker_rate if worker_rate else float("inf")
    return f"BENCH render_workers {worker_rate:.1f} invoices_per_min floor={local_rate:.1f} ratio={ratio:.2f}"


# --- Entry point ----------------------------------------------------------------------------------------


def run(scale: float, repeat: int) -> list[str]:
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from adv.api.services import api_token_create
    from adv.tenancy.context import tenant_context
    from benchmarks.billing_firm import billing_firm
    from billing import services
    from billing.build import billed_month

    requests = int(os.environ.get("BENCH_REQUESTS", "20"))
    users = int(os.environ.get("BENCH_USERS", "50"))
    seconds = float(os.environ.get("BENCH_USERS_SECONDS", "60"))
    renders = int(os.environ.get("BENCH_RENDERS", "40"))
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    month = billed_month(timezone.localdate())
    lines: list[str] = []
    flush()
    product = None
    try:
        t0 = time.perf_counter()
        with transaction.atomic():
            tenant, admin, facts = billing_firm(scale, month)
        with tenant_context(tenant):
            services.policy()
            _token, token = api_token_create(actor=admin, name="bench")
        analyze()
        print(f"# product firm ready in {time.perf_counter() - t0:.1f} s: {facts}", flush=True)
        product = Product(Path(tempfile.mkdtemp(prefix="adv-bench-product-")))
        print(f"# product started: {product.url}, web workers {product.env.get('WEB_WORKERS') or os.cpu_count()}")
        lines.append(_billing_run(product, token, month, tenant.pk, max(1, min(repeat, 3))))
        analyze()
        client = Client()
        client.force_login(admin.user)
        cookie = _session_cookie(admin.user)
        base = f"/t/{tenant.slug}"

        def page(path):
            return client.get(path, secure=True)

        def api(path):
            return client.get(path, secure=True, HTTP_AUTHORIZATION=f"Bearer {token}")

        common = {"tenant_id": tenant.pk, "requests": requests, "repeat": repeat}
        with mock.patch("django.db.transaction.on_commit", lambda func, using=None, robust=False: None):
            cockpit = f"{base}/billing/?month={month:%Y-%m}"
            lines.append(_page("cockpit_page", product.url + cockpit, cockpit, cookie=cookie, in_process=page, **common))
            clients = f"{base}/clients/"
            lines.append(_page("clients_page", product.url + clients, clients, cookie=cookie, in_process=page, **common))
            timesheets = f"/api/v1/timesheets/?page_size=200&month={month:%Y-%m}"
            lines.append(
                _page("api_timesheets", product.url + timesheets, timesheets, token=token, in_process=api, **common)
            )
        one, one_rate = _users(product.url + cockpit, [cookie], seconds)
        rss_before = _web_rss_mb(product)
        many, many_rate = _users(product.url + cockpit, [_session_cookie(admin.user) for _ in range(users)], seconds)
        rss_after = _web_rss_mb(product)
        print(
            f"# web processes RSS (MiB, master and workers): before {users} users {[round(m) for m in rss_before]}, "
            f"after {[round(m) for m in rss_after]}; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print(
            f"# cockpit_{users}_users: {len(many)} requests in {seconds:.0f} s, {many_rate:.2f}/s, "
            f"median {statistics.median(many):.0f} ms, p95 {_p95(many):.0f} ms; 1 user: {one_rate:.2f}/s, "
            f"median {statistics.median(one):.0f} ms, p95 {_p95(one):.0f} ms",
            flush=True,
        )
        lines.append(bench_line(f"cockpit_{users}_users", _p95(many), "ms_p95", _p95(one)))
        lines.append(_render(product, admin, tenant.pk, month, renders))
    finally:
        if product is not None:
            product.stop()
        flush()
    return lines


def main() -> int:
    return standalone(run)


if __name__ == "__main__":
    sys.exit(main())
