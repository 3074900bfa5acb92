"""`make test` and `make run` on a configured PostgreSQL that answers but lacks the database (a
fresh machine's server has only `postgres`): the database is created, not reported unreachable."""

import os
import uuid

import dj_database_url
import psycopg
import pytest
from psycopg import sql

from adv.embedded import check_database


def _server(cfg):
    return dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                password=cfg["PASSWORD"] or None)


def _exists(cfg, name):
    with psycopg.connect(dbname="postgres", **_server(cfg)) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def test_a_missing_database_on_a_configured_server_is_created():
    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = f"adv_fresh_{uuid.uuid4().hex[:8]}"
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    assert not _exists(cfg, name)
    try:
        check_database(url)
        assert _exists(cfg, name)
        check_database(url)  # a second start finds it and changes nothing
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **_server(cfg)) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_server_that_refuses_the_role_is_still_reported_with_how_to_fix_it():
    url = "postgresql://no_such_role_adv@" + os.environ["DATABASE_URL"].split("@", 1)[1]
    with pytest.raises(SystemExit, match="cannot reach PostgreSQL at DATABASE_URL"):
        check_database(url)
