"""`python -m benchmarks`: the month-end close of a firm at scale, beside its floor.

A firm of 2,000 consultants (× BENCH_SCALE, default 1.0) with managers, a client, deals and
assignments is created in a dedicated database (`adv_bench`, created and migrated on the first
run, kept for the next ones; never the development database), as the restricted application
role (row-level security applies, as in production). The data is committed step by step so
that the schema owner can ANALYZE it, as autovacuum would in production (without statistics
PostgreSQL plans nested loops over "empty" tables); the database is emptied before and after.

Measured (median of BENCH_REPEAT runs, default 5; opening runs once per variant, each from an
empty month in a savepoint rolled back):

- open_month_each: `services.timesheet_open` for each consultant (what the CRA page does)
- open_month_bulk: `closing.services.timesheets_open_month` (everyone at once)
  floor: INSERT … SELECT of the timesheets, then of their lines (assignments, absence types)
- completion: `closing_selectors.completion` (figures per manager) + the first page of
  `closing_selectors.completion_people` (what the completion dashboard runs)
  floor: one aggregate over the consultants and their timesheets
- late_report: `closing_selectors.lateness_by_person` over 12 months of history (first page)
  floor: one aggregate of the late months per person over the same rows

Each prints one line: BENCH <name> <value> <unit> floor=<value> ratio=<value>
"""

from __future__ import annotations

import datetime
import os
import platform
import random
import sys
import time
import uuid
from decimal import Decimal

from benchmarks.harness import (
    analyze,
    bench_database,
    bench_line,
    flush,
    in_savepoint,
    machine,
    setup_django,
    timed,
)

# --- The firm ----------------------------------------------------------------------------------


def consultancy_firm(consultants: int):
    """A tenant with `consultants` consultants (one manager per 20), an admin, a client, ten
    deals, and an assignment for four consultants out of five."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from adv.tenancy.context import tenant_context
    from adv.tenancy.models import Membership, Role, Tenant
    from clients import services as client_services
    from deals import services as deal_services
    from deals.models import Assignment
    from timesheets.services import absence_types_seed_defaults

    user_model = get_user_model()
    run_id = uuid.uuid4().hex[:8]
    tenant = Tenant.objects.create(slug=f"bench-{run_id}", name="Bench Conseil", legal_name="Bench Conseil SAS")
    unusable = make_password(None)
    managers_count = max(1, consultants // 20)
    users = [
        user_model(email=f"p{i}-{run_id}@bench.test", first_name=f"Prénom{i}", last_name=f"Nom{i:05d}", password=unusable)
        for i in range(consultants + managers_count + 1)
    ]
    user_model.objects.bulk_create(users, batch_size=2000)
    with tenant_context(tenant) as tenant_id:
        absence_types_seed_defaults()
        admin = Membership.objects.create(user=users[0], role=Role.ADMIN, clearance_level=4)
        managers = [
            Membership(tenant_id=tenant_id, user=users[1 + i], role=Role.MANAGER, clearance_level=2)
            for i in range(managers_count)
        ]
        Membership.objects.bulk_create(managers, batch_size=2000)
        people = [
            Membership(tenant_id=tenant_id, user=users[1 + managers_count + i], role=Role.CONSULTANT, clearance_level=1,
                       reports_to=managers[i % managers_count], is_contractor=i % 7 == 0)
            for i in range(consultants)
        ]
        Membership.objects.bulk_create(people, batch_size=2000)
        client = client_services.client_create(actor=admin, legal_name="Client Bench SA", status="client")
        today = datetime.date.today()
        deals = []
        for i in range(10):
            deal = deal_services.deal_create(
                actor=admin, client=client, deal_type="t_and_m", title=f"Régie {i}",
                start_date=today - datetime.timedelta(days=400), end_date=today + datetime.timedelta(days=400),
            )
            deal = deal_services.deal_sign(actor=admin, deal=deal, signed_on=today - datetime.timedelta(days=400),
                                           override_reason="Bench")
            deals.append(deal_services.deal_activate(actor=admin, deal=deal))
        Assignment.objects.bulk_create(
            [
                Assignment(tenant_id=tenant_id, deal=deals[i % 10], consultant=person, daily_rate=Decimal("650.00"),
                           start_date=today - datetime.timedelta(days=400), end_date=today + datetime.timedelta(days=400))
                for i, person in enumerate(people) if i % 5
            ],
            batch_size=2000,
        )
    return tenant, admin, people


# --- Floors: the bare SQL ------------------------------------------------------------------------


def _floor_open(tenant_id, month: datetime.date) -> None:
    from django.db import connection

    from timesheets import calendar as cal

    last = cal.next_month(month) - datetime.timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO timesheets_timesheet (id, tenant_id, created_at, updated_at, consultant_id, month, status, version, rejection_reason)
            SELECT gen_random_uuid(), m.tenant_id, now(), now(), m.id, %s, 'draft', 1, ''
            FROM tenancy_membership m
            WHERE m.tenant_id = %s AND m.role = 'consultant' AND m.is_active
            ON CONFLICT DO NOTHING
            """,
            [month, tenant_id],
        )
        cursor.execute(
            """
            INSERT INTO timesheets_timesheetline (id, tenant_id, created_at, updated_at, timesheet_id, assignment_id, comment, reception_number)
            SELECT gen_random_uuid(), t.tenant_id, now(), now(), t.id, a.id, '', ''
            FROM timesheets_timesheet t
            JOIN deals_assignment a ON a.tenant_id = t.tenant_id AND a.consultant_id = t.consultant_id
            JOIN deals_deal d ON d.id = a.deal_id AND d.status IN ('provisional', 'signed', 'active')
            WHERE t.tenant_id = %s AND t.month = %s AND a.is_active AND a.start_date <= %s AND (a.end_date IS NULL OR a.end_date >= %s)
            ON CONFLICT DO NOTHING
            """,
            [tenant_id, month, last, month],
        )
        cursor.execute(
            """
            INSERT INTO timesheets_timesheetline (id, tenant_id, created_at, updated_at, timesheet_id, absence_type_id, comment, reception_number)
            SELECT gen_random_uuid(), t.tenant_id, now(), now(), t.id, ab.id, '', ''
            FROM timesheets_timesheet t CROSS JOIN timesheets_absencetype ab
            WHERE t.tenant_id = %s AND t.month = %s AND ab.tenant_id = %s AND ab.is_active
            ON CONFLICT DO NOTHING
            """,
            [tenant_id, month, tenant_id],
        )


def _floor_completion(tenant_id, month: datetime.date) -> tuple:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE t.status IN ('submitted', 'approved')), count(*) FILTER (WHERE t.status = 'approved')
            FROM tenancy_membership m
            LEFT JOIN timesheets_timesheet t ON t.tenant_id = m.tenant_id AND t.consultant_id = m.id AND t.month = %s
            WHERE m.tenant_id = %s AND m.role = 'consultant' AND m.is_active
            """,
            [month, tenant_id],
        )
        return cursor.fetchone()


def _floor_late(tenant_id, months: list[datetime.date], deadlines: dict) -> list:
    from django.db import connection

    values = ", ".join(["(%s::date, %s::date)"] * len(months))
    params: list = []
    for month in months:
        params += [month, deadlines[month]]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH mo(month, deadline) AS (VALUES {values})
            SELECT t.consultant_id, count(*) FILTER (WHERE (t.first_submitted_at AT TIME ZONE 'Europe/Paris')::date > mo.deadline)
            FROM timesheets_timesheet t JOIN mo ON mo.month = t.month
            WHERE t.tenant_id = %s
            GROUP BY t.consultant_id
            """,
            [*params, tenant_id],
        )
        return cursor.fetchall()


# --- States --------------------------------------------------------------------------------------


def _spread_statuses(month: datetime.date, deadline: datetime.date, seed: int = 7) -> None:
    """60 % submitted (two thirds of them approved), a fifth of those late."""
    from django.db import connection

    from adv.tenancy.context import require_tenant_id

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM timesheets_timesheet WHERE tenant_id = %s AND month = %s ORDER BY id", [require_tenant_id(), month])
        ids = [row[0] for row in cursor.fetchall()]
        submitted, approved = [], []
        for pk in ids:
            if rng.random() < 0.6:
                (approved if rng.random() < 2 / 3 else submitted).append(pk)
        for status, chosen in (("submitted", submitted), ("approved", approved)):
            if chosen:
                cursor.execute(
                    """
                    UPDATE timesheets_timesheet
                    SET status = %s,
                        submitted_at = (%s::date + ((random() * 4)::int - 2) * interval '1 day' + interval '10 hours') AT TIME ZONE 'Europe/Paris',
                        first_submitted_at = (%s::date + ((random() * 4)::int - 2) * interval '1 day' + interval '10 hours') AT TIME ZONE 'Europe/Paris',
                        approved_at = CASE WHEN %s = 'approved' THEN now() END
                    WHERE id = ANY(%s::uuid[])
                    """,
                    [status, deadline, deadline, status, chosen],
                )


def _history(tenant_id, months: list[datetime.date], deadlines: dict) -> int:
    """Approved timesheets for every consultant over past months, a random share submitted late."""
    from django.db import connection

    total = 0
    with connection.cursor() as cursor:
        for month in months:
            cursor.execute(
                """
                INSERT INTO timesheets_timesheet (id, tenant_id, created_at, updated_at, consultant_id, month, status, version,
                                                  rejection_reason, submitted_at, first_submitted_at, approved_at)
                SELECT gen_random_uuid(), m.tenant_id, now(), now(), m.id, %s, 'approved', 1, '',
                       s.at, s.at, s.at + interval '1 day'
                FROM tenancy_membership m,
                     LATERAL (SELECT (%s::date + (CASE WHEN random() < 0.2 THEN (random() * 6)::int ELSE -1 END) * interval '1 day'
                                      + interval '15 hours') AT TIME ZONE 'Europe/Paris' AS at) s
                WHERE m.tenant_id = %s AND m.role = 'consultant'
                ON CONFLICT DO NOTHING
                """,
                [month, deadlines[month], tenant_id],
            )
            total += cursor.rowcount
    return total


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    consultants = max(10, round(2000 * scale))
    started = time.perf_counter()
    setup_django()
    bench_database()

    from django.db import connection, transaction
    from django.utils import timezone

    from adv.tenancy.context import tenant_context
    from timesheets import services
    from timesheets.closing import selectors as closing_selectors
    from timesheets.closing.services import timesheets_open_month
    from timesheets.models import Timesheet

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    print(f"# scale={scale} consultants={consultants} repeat={repeat} database={connection.settings_dict['NAME']} "
          f"role={connection.settings_dict['USER']} postgresql={pg_version}")
    print(f"# machine: {machine()}, Python {platform.python_version()}")
    lines = []
    flush()
    try:
        t0 = time.perf_counter()
        with transaction.atomic():
            tenant, admin, people = consultancy_firm(consultants)
        analyze()
        print(f"# firm created in {time.perf_counter() - t0:.1f} s")
        month = timezone.localdate().replace(day=1)
        with tenant_context(tenant) as tenant_id:
            # Opening the month: per consultant, in bulk, and the bare SQL (each from an empty month).
            def each():
                for person in people:
                    services.timesheet_open(actor=admin, consultant=person, month=month)

            each_ms, _ = timed(in_savepoint(each))
            bulk_ms, _ = timed(in_savepoint(lambda: timesheets_open_month(month=month, actor=admin)))
            floor_open_ms, _ = timed(in_savepoint(lambda: _floor_open(tenant_id, month)))
        lines.append(bench_line("open_month_each", each_ms, "ms", floor_open_ms))
        lines.append(bench_line("open_month_bulk", bulk_ms, "ms", floor_open_ms))

        # The month's completion, on an opened month with statuses spread.
        with tenant_context(tenant) as tenant_id:
            timesheets_open_month(month=month, actor=admin)
            deadline = closing_selectors.calendar_for(month).submission_deadline
            _spread_statuses(month, deadline)
        analyze()
        with tenant_context(tenant) as tenant_id:
            assert Timesheet.objects.filter(month=month).count() == consultants
            zone = closing_selectors.tenant_zone()

            def completion():
                figures = closing_selectors.completion(month=month, zone=zone)
                page = list(closing_selectors.completion_people(month=month, show="missing", zone=zone)[:50])
                return figures, page

            completion_ms, (figures, _page) = timed(completion, repeat)
            floor_completion_ms, floor_figures = timed(lambda: _floor_completion(tenant_id, month), repeat)
            assert (figures.total.expected, figures.total.submitted, figures.total.approved) == tuple(floor_figures)
        lines.append(bench_line("completion", completion_ms, "ms", floor_completion_ms))

        # The late report over 12 months of history.
        today = timezone.localdate()
        with tenant_context(tenant) as tenant_id:
            policy = closing_selectors.rules()
            months = closing_selectors.history_months(today, policy, closing_selectors.HISTORY_MONTHS)
            deadlines = {m: c.submission_deadline for m, c in closing_selectors.calendars_for(months, policy).items()}
            _history(tenant_id, [m for m in months if m != month], deadlines)
        analyze()
        with tenant_context(tenant) as tenant_id:
            late_ms, _ = timed(lambda: closing_selectors.lateness_by_person(today=today, zone=zone, policy=policy), repeat)
            floor_late_ms, _ = timed(lambda: _floor_late(tenant_id, months, deadlines), repeat)
        lines.append(bench_line("late_report", late_ms, "ms", floor_late_ms))
    finally:
        flush()
    # The billing benchmarks (issue 6), on a firm of their own: benchmarks/billing_bench.py.
    from benchmarks import billing_bench

    lines += billing_bench.run(scale, repeat)
    # The cockpit and FAE pages (issue 12): benchmarks/cockpit_bench.py.
    from benchmarks import cockpit_bench

    lines += cockpit_bench.run(scale, repeat)
    # The reporting benchmarks (issue 15): benchmarks/reporting_bench.py.
    from benchmarks import reporting_bench

    lines += reporting_bench.run(scale, repeat)
    # A year of FEC (issue 15): benchmarks/fec_bench.py.
    from benchmarks import fec_bench

    lines += fec_bench.run(scale, repeat)
    # The product as it runs, over HTTP and through its workers (issue 12): benchmarks/product_bench.py.
    from benchmarks import product_bench

    lines += product_bench.run(scale, repeat)
    # The chat's history and conversation list (issue 14): benchmarks/chat_bench.py.
    from benchmarks import chat_bench

    lines += chat_bench.run(scale, repeat)
    # The chat's live fan-out through the product's ASGI server (issue 14): benchmarks/chat_fanout_bench.py.
    from benchmarks import chat_fanout_bench

    lines += chat_fanout_bench.run(scale, repeat)
    for line in lines:
        print(line)
    print(f"# total {time.perf_counter() - started:.1f} s (the bench database is emptied again)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
