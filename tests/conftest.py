"""Shared fixtures: the database roles, and the personas on two tenants.

The test database is created and migrated as the schema owner; every test then runs as the
restricted application role, so row-level security applies exactly as in production.

Personas (DESIGN.md section 9): alice (admin, tenant A), bob (consultant, tenant A, reports to
alice), carol (admin, tenant B).

The day the tests run on: a test whose outcome depends on the date is marked `@pytest.mark.today`
and must pass on any day of the year. It runs on the real day by default; with
`ADV_TEST_TODAY=YYYY-MM-DD` (or an ISO date-time, local to Paris) it runs as if on that day, the
clock travelling there and ticking on (time-machine: every `datetime`/`time` call of this process,
the in-process live server's thread included; not the child processes, nor PostgreSQL's `now()`,
nor the browser's JavaScript clock). CI runs the marked tests on a few chosen days:
    ADV_TEST_TODAY=2027-02-28 pytest -m today
A test written for one fixed day travels there itself (the `time_machine` fixture), whatever the
variable says.
"""

import datetime
import os
import time
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from django.conf import settings
from django.core.management.commands import flush
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.utils import translation

from adv.demo_logins import DEMO_TENANT_SLUG
from adv.tenancy.context import tenant_context
from adv.tenancy.db_roles import connect_as
from adv.tenancy.models import Tenant
from tests.demo_database import DemoDatabase, LiveDemoDatabase, media_settings
from tests.factories import MembershipFactory, TenantFactory, UserFactory

PASSWORD = "correct-horse-battery-staple"

TODAY_VARIABLE = "ADV_TEST_TODAY"


def chosen_moment(value: str | None = None) -> datetime.datetime | None:
    """The moment ADV_TEST_TODAY names (a date: 10:00 that day in Paris), or None when unset."""
    value = (os.environ.get(TODAY_VARIABLE, "") if value is None else value).strip()
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"{TODAY_VARIABLE}={value!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if len(value) <= 10:  # a date alone: mid-morning, an ordinary working moment
        moment = moment.replace(hour=10)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    return moment


def pytest_report_header(config):
    moment = chosen_moment()
    if moment is not None:
        return f"{TODAY_VARIABLE}: the tests marked `today` run as if on {moment.isoformat()}"


@pytest.fixture(autouse=True)
def _run_on_the_chosen_day(request):
    """Autouse, so it travels before any other function fixture builds dated data."""
    moment = chosen_moment() if request.node.get_closest_marker("today") else None
    if moment is None:
        yield
        return
    # tick: the clock goes on from there (timeouts, live servers and browsers wait on it). Cookies
    # last for the browser's session: dated from a day in the past, their expiry would already be
    # over for a browser living on the real day, and it would drop them (no login).
    with time_machine.travel(moment, tick=True), override_settings(SESSION_EXPIRE_AT_BROWSER_CLOSE=True, CSRF_COOKIE_AGE=None):
        yield


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request of a user with another language activates it for the thread (adv/users/middleware.py)
    and nothing deactivates it: without this, a later test on the same worker would render in it,
    depending on how the parallel runner happened to spread the tests."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    connect_as("owner")


_demo_database: DemoDatabase | None = None  # this process's copy of the test database for the demo firm
_live_demo_database: LiveDemoDatabase | None = None  # the demo firm's template for live-server tests


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request, tmp_path_factory):
    global _demo_database, _live_demo_database
    with django_db_blocker.unblock():
        connect_as("owner")
        with connection.cursor() as cursor:
            # Transactional tests empty the tables between tests with TRUNCATE.
            cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{settings.DATABASE_APP["USER"]}"')
        if any("demo_tenant" in getattr(item, "fixturenames", ()) for item in request.session.items):
            # copied now, while nothing else is connected to the test database (the e2e product is)
            _demo_database = DemoDatabase(connection.settings_dict["NAME"], tmp_path_factory.mktemp("demo") / "media")
            _demo_database.create()
        if any("live_demo" in getattr(item, "fixturenames", ()) for item in request.session.items):
            _live_demo_database = LiveDemoDatabase(
                connection.settings_dict["NAME"], tmp_path_factory.mktemp("livedemo") / "media"
            )
            _live_demo_database.create()
        connect_as("app")
    yield
    with django_db_blocker.unblock():
        connect_as("owner")  # the owner drops the test database
        if _demo_database is not None:
            _demo_database.drop()
        if _live_demo_database is not None:
            _live_demo_database.drop()


@pytest.fixture(autouse=True)
def _on_the_demo_database(request):
    """A test using `demo_tenant` runs on the demo database (tests/demo_database.py), seeded once per
    process, on the day the test runs on when it is marked `today`. Autouse, so it switches before
    any fixture opens the test's transaction."""
    if "demo_tenant" not in request.fixturenames:
        yield
        return
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        raise pytest.UsageError("demo_tenant is for tests in a rolled-back transaction (a flush would empty it)")
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    dated = request.node.get_closest_marker("today") is not None
    with blocker.unblock():
        _demo_database.activate()
        try:
            _demo_database.ensure_seeded(chosen_moment(), any_day=not dated)
        except BaseException:
            _demo_database.deactivate()
            raise
    yield
    with blocker.unblock():
        _demo_database.deactivate()


@pytest.fixture
def demo_tenant(db, settings, tmp_path) -> Tenant:
    """The demo firm as `seed_demo` loads it, every feature's demo data included. Seeded once per
    process: the test runs in a rolled-back transaction on it, with a copy of its files."""
    for name, value in media_settings(_demo_database.copy_media(tmp_path / "demo-media")).items():
        setattr(settings, name, value)
    return Tenant.objects.get(slug=DEMO_TENANT_SLUG)


@pytest.fixture
def live_demo(transactional_db, settings, tmp_path) -> Tenant:
    """The demo firm for a live-server (browser) test: a private copy of the demo seeded once per
    process (tests/demo_database.py `LiveDemoDatabase`), with a copy of its files. What the test
    and the browser write goes to that copy, dropped after the test."""
    for name, value in _live_demo_database.activate_copy(chosen_moment(), tmp_path / "demo-media").items():
        setattr(settings, name, value)
    try:
        yield Tenant.objects.get(slug=DEMO_TENANT_SLUG)
    finally:
        _live_demo_database.deactivate_copy()


@dataclass
class Persona:
    user: object
    membership: object
    tenant: object

    def client(self) -> Client:
        client = Client()
        client.force_login(self.user)
        return client

    def url(self, path: str = "") -> str:
        return f"/t/{self.tenant.slug}/{path.lstrip('/')}"


@pytest.fixture
def tenant_a(db):
    return TenantFactory(slug="alpha", name="Alpha Conseil")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(slug="bravo", name="Bravo Services")


@pytest.fixture
def alice(tenant_a) -> Persona:
    user = UserFactory(email="alice@alpha.test", first_name="Alice", password=PASSWORD)
    with tenant_context(tenant_a):
        membership = MembershipFactory(user=user, role="admin", clearance_level=4)
    return Persona(user, membership, tenant_a)


@pytest.fixture
def bob(tenant_a, alice) -> Persona:
    user = UserFactory(email="bob@alpha.test", first_name="Bob", password=PASSWORD)
    with tenant_context(tenant_a):
        membership = MembershipFactory(user=user, role="consultant", reports_to=alice.membership)
    return Persona(user, membership, tenant_a)


@pytest.fixture
def carol(tenant_b) -> Persona:
    user = UserFactory(email="carol@bravo.test", first_name="Carol", password=PASSWORD)
    with tenant_context(tenant_b):
        membership = MembershipFactory(user=user, role="admin", clearance_level=4)
    return Persona(user, membership, tenant_b)


@pytest.fixture
def personas(alice, bob, carol):
    return {"alice": alice, "bob": bob, "carol": carol}


@pytest.fixture(scope="session", autouse=True)
def _flush_survives_the_products_tasks():
    """Something else may still be reading the test database when a transactional test's flush
    runs: the running product's worker and beat (a periodic task), or the live server answering a
    page's last poll (the bell) while the browser closes. PostgreSQL then aborts one of the two
    (deadlock). The flush is one transaction, rolled back when it is the one aborted: try again."""
    original = flush.Command.handle

    def handle(self, *args, **options):
        for attempt in range(5):
            try:
                return original(self, *args, **options)
            except Exception as error:  # flush wraps the database error in a CommandError
                cause = error.__cause__ or error
                if attempt == 4 or not isinstance(cause, OperationalError) or "deadlock" not in str(cause):
                    raise
                time.sleep(0.5 * (attempt + 1))

    flush.Command.handle = handle
    yield
    flush.Command.handle = original
