"""What every benchmark shares: the dedicated database (created and migrated once, emptied before
and after), Django set up as in production (DEBUG off), the median timer, the `BENCH` line, and the
entry point of a benchmark module run on its own (`python -m benchmarks.cockpit_bench`)."""

from __future__ import annotations

import os
import platform
import statistics
import time

DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "adv_bench")


class Rollback(Exception):
    pass


# Tables kept by the flush: the migration history and what post_migrate created.
KEEP = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}


def owner_cursor():
    """A separate connection as the schema owner (ANALYZE and TRUNCATE need the owner)."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    params = connection.settings_dict
    conn = psycopg.connect(
        dbname=params["NAME"], user=settings.DATABASE_OWNER["USER"], password=settings.DATABASE_OWNER["PASSWORD"] or None,
        host=params.get("HOST") or None, port=params.get("PORT") or None, autocommit=True,
    )
    return conn


def analyze() -> None:
    with owner_cursor() as conn:
        conn.execute("ANALYZE")


def flush() -> None:
    """Empty the bench database (every table but the migration history and content types)."""
    with owner_cursor() as conn:
        tables = [
            row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            if row[0] not in KEEP
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "adv.settings")
    # DEBUG keeps every query in memory (connection.queries): measure as in production.
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()


def bench_database() -> None:
    """Create (once) and migrate the dedicated database, then connect to it as the app role."""
    from django.conf import settings
    from django.db import connection

    from adv.tenancy.db_roles import connect_as

    settings.DATABASES["default"]["TEST"] = {**settings.DATABASES["default"].get("TEST", {}), "NAME": DB_NAME}
    connect_as("owner")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    connect_as("app")


def timed(func, repeat: int = 1) -> tuple[float, object]:
    """Median wall time in milliseconds over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def bench_line(name: str, value: float, unit: str, floor: float) -> str:
    ratio = value / floor if floor else float("inf")
    return f"BENCH {name} {value:.1f} {unit} floor={floor:.1f} ratio={ratio:.1f}"


def in_savepoint(func):
    """Run `func` in a savepoint rolled back afterwards (each variant starts from the same state)."""
    from django.db import transaction

    def run():
        result = None
        try:
            with transaction.atomic():
                result = func()
                raise Rollback
        except Rollback:
            pass
        return result

    return run


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU {model}".strip()


def standalone(run) -> int:
    """Run one benchmark module's `run(scale, repeat)` on its own, with the machine line first."""
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    repeat = int(os.environ.get("BENCH_REPEAT", "5"))
    started = time.perf_counter()
    setup_django()
    bench_database()
    print(f"# scale={scale} repeat={repeat} machine: {machine()}, Python {platform.python_version()}", flush=True)
    for line in run(scale, repeat):
        print(line)
    print(f"# total {time.perf_counter() - started:.1f} s")
    return 0
