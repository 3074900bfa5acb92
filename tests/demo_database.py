"""The demo firm, seeded once per test process into a database of its own, for the tests that only
read it (the `demo_tenant` fixture, tests/conftest.py).

`seed_demo` costs seconds; a dozen tests used to run it each. Here it runs once per pytest worker,
into a copy of the freshly migrated test database (`CREATE DATABASE ... TEMPLATE`), and each
demo test runs in a rolled-back transaction on that copy, exactly as the `db` fixture does on the
main test database. A database of its own, rather than the seed committed in the main one: the
other tests keep the empty database they expect (cross-tenant tasks, counts), and the flushes of
the transactional tests do not erase the demo.

The seed is made as in a test: on the application role, its `on_commit` callbacks dropped (a test
transaction never commits, so they never ran), its files in a media directory that each test
gets a copy of, and on the day the tests run on (ADV_TEST_TODAY's moment, the clock stopped
there, so nothing is dated after the moment a test starts at).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from adv.tenancy.db_roles import connect_as


def media_settings(root: Path) -> dict:
    """Documents stored under `root`, no antivirus (as the tests' `media` fixtures)."""
    return {
        "MEDIA_ROOT": str(root),
        "STORAGES": {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}},
        "CLAMAV_ADDRESS": "",
    }


class DemoDatabase:
    def __init__(self, main_name: str, media_root: Path):
        self.main_name = main_name
        self.name = f"{main_name}_demo"
        self.media_root = media_root
        self.seeded_for = None  # the day (or chosen moment) the seed was made on

    # -- the database ------------------------------------------------------------------------

    def create(self) -> None:
        """Copy the migrated, still empty test database. Run as the owner, before anything else
        connects to the test database (PostgreSQL copies only a database nobody is using)."""
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{self.main_name}"')

    def drop(self) -> None:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _point_at(self, name: str) -> None:
        if connection.in_atomic_block:
            raise RuntimeError(
                "demo_tenant: a transaction is already open on the test database; the test must not "
                "carry the django_db marker (demo_tenant opens its own rolled-back transaction)"
            )
        connection.close()
        connection.settings_dict["NAME"] = name

    def activate(self) -> None:
        self._point_at(self.name)

    def deactivate(self) -> None:
        self._point_at(self.main_name)

    # -- the seed ----------------------------------------------------------------------------

    def ensure_seeded(self, moment, *, any_day: bool = False) -> None:
        """Seed the demo firm if not yet done for this day (`moment`: ADV_TEST_TODAY's, or None for
        the real clock), or at all for a test that does not depend on the day (`any_day`).
        Called with the connection on the demo database, outside any transaction."""
        key = moment if moment is not None else timezone.localdate()
        if self.seeded_for == key or (any_day and self.seeded_for is not None):
            return
        if self.seeded_for is not None:
            # another day (the real clock passed midnight): start again from an empty database
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
            shutil.rmtree(self.media_root, ignore_errors=True)
        self.media_root.mkdir(parents=True, exist_ok=True)
        with override_settings(**media_settings(self.media_root)):
            if moment is not None:
                with time_machine.travel(moment, tick=False):
                    self._seed()
            else:
                self._seed()
        self.seeded_for = key

    @staticmethod
    def _seed() -> None:
        connect_as("app")
        with transaction.atomic():
            with open(os.devnull, "w") as devnull:
                call_command("seed_demo", stdout=devnull)
            # as in a test transaction, which never commits: no task enqueued, no email sent
            connection.run_on_commit.clear()

    def copy_media(self, target: Path) -> Path:
        """A private copy of the demo's files, for a test free to add or change some."""
        shutil.copytree(self.media_root, target)
        return target


class LiveDemoDatabase(DemoDatabase):
    """The demo firm for the browser tests that drive the live server (transactional: what the
    browser does is committed), seeded once per test process and copied for each test.

    `seed_demo` runs as a transactional test ran it before (committed, on the application role,
    its on-commit callbacks run) into a template database made from the freshly migrated test
    database; each test then works on its own copy (`CREATE DATABASE ... TEMPLATE`, about a second
    where the seed takes many), with a copy of the seed's files, and the copy is dropped after.
    The live server's request threads connect afresh on each request, reading the same settings
    dictionary, so they follow the connection to the copy. Tests that start the product's own
    processes (`product`) keep the seed in the main test database, which those processes use."""

    def __init__(self, main_name: str, media_root: Path):
        super().__init__(main_name, media_root)
        self.name = f"{main_name}_livedemo"
        self.copy_name = f"{main_name}_livedemo_copy"

    def _as_owner(self, *statements: str) -> None:
        connection.close()
        connect_as("owner")
        try:
            with connection._nodb_cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            connect_as("app")

    def drop(self) -> None:
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{self.copy_name}" WITH (FORCE)')
        super().drop()

    def _ensure_seeded(self, moment) -> None:
        key = moment if moment is not None else timezone.localdate()
        if self.seeded_for == key:
            return
        self._point_at(self.name)
        try:
            if self.seeded_for is not None:
                call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
                shutil.rmtree(self.media_root, ignore_errors=True)
            self.media_root.mkdir(parents=True, exist_ok=True)
            with override_settings(**media_settings(self.media_root)), open(os.devnull, "w") as devnull:
                connect_as("app")
                # the test's own clock (a `today` test's chosen day) is already set around this call
                call_command("seed_demo", stdout=devnull)
            self.seeded_for = key
        finally:
            self._point_at(self.main_name)

    def activate_copy(self, moment, media_target: Path) -> dict:
        """Point the connection at a fresh copy of the seeded demo; return the media settings of a
        private copy of its files."""
        self._ensure_seeded(moment)
        self._as_owner(
            f'DROP DATABASE IF EXISTS "{self.copy_name}" WITH (FORCE)',
            f'CREATE DATABASE "{self.copy_name}" TEMPLATE "{self.name}"',
        )
        self._point_at(self.copy_name)
        return media_settings(self.copy_media(media_target))

    def deactivate_copy(self) -> None:
        self._point_at(self.main_name)
        self._as_owner(f'DROP DATABASE IF EXISTS "{self.copy_name}" WITH (FORCE)')
