from unittest import mock

import pytest


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    # given a reachable database and Redis but no Celery worker answering
    with mock.patch("adv.ui.health._check_redis", return_value=None), mock.patch(
        "adv.ui.health._check_worker", return_value="no Celery worker answered within 1 s"
    ):
        response = client.get("/readyz")
    # then the probe is not ready and says which part is missing
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {"database": "ok", "redis": "ok", "worker": "no Celery worker answered within 1 s"}


@pytest.mark.django_db
def test_readyz_is_ready_when_everything_answers(client):
    with mock.patch("adv.ui.health._check_redis", return_value=None), mock.patch(
        "adv.ui.health._check_worker", return_value=None
    ):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_does_not_ask_a_worker_when_redis_is_down(client):
    with mock.patch("adv.ui.health._check_redis", return_value="Connection refused"), mock.patch(
        "adv.ui.health._check_worker"
    ) as worker:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "redis unreachable"
    worker.assert_not_called()


def test_readyz_redis_check_pings_the_configured_server(settings):
    from adv.ui.health import _check_redis

    # the test environment's Redis answers; a server that is not there is named as unreachable
    assert _check_redis() is None
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert "refused" in _check_redis().lower()


def test_readyz_worker_check_gets_an_answer_from_a_running_worker():
    from celery.contrib.testing.worker import start_worker

    from adv.celery import app
    from adv.ui.health import _check_worker

    # given a real worker on the test broker (its own queue: it must not run anybody's tasks)
    with start_worker(app, pool="solo", perform_ping_check=False, queues=["readyz-probe"], shutdown_timeout=10):
        # then the readiness probe gets its answer
        assert _check_worker() is None


# --- Start-up with a server missing: a message, not a traceback --------------------------------

def _run(*args: str, **env: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    environment = {**os.environ, "ADV_ENV": "development", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=Path(__file__).resolve().parent.parent, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_manage_py_names_an_unreachable_database_and_how_to_fix_it():
    result = _run("manage.py", "migrate", DATABASE_URL="postgresql://adv:s3cret@127.0.0.1:1/adv")
    assert result.returncode == 1
    assert "cannot reach PostgreSQL" in result.stderr and "Start that PostgreSQL server" in result.stderr
    assert "Traceback" not in result.stderr
    assert "s3cret" not in result.stderr  # the password is not printed


def test_manage_py_names_an_unreachable_redis_and_how_to_fix_it():
    result = _run(
        "manage.py", "shell", "-c", "from django.core.cache import cache; cache.get('probe')",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 1
    assert "cannot reach Redis" in result.stderr and "REDIS_URL=redis://127.0.0.1:1/0" in result.stderr
    assert "Traceback" not in result.stderr


def test_make_run_names_an_unreachable_database_before_starting_anything():
    result = _run("-m", "adv.embedded", "run", DATABASE_URL="postgresql://adv@127.0.0.1:1/adv")
    assert result.returncode == 1
    assert "cannot reach PostgreSQL at DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_on_an_ip_over_http_in_production(client, settings, path):
    # given production host checking and HTTPS redirection
    settings.ALLOWED_HOSTS = ["adv.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    # when the container healthcheck asks on 127.0.0.1 over plain HTTP
    with mock.patch("adv.ui.health._check_redis", return_value=None), mock.patch(
        "adv.ui.health._check_worker", return_value=None
    ):
        response = client.get(path, HTTP_HOST="127.0.0.1:8000")
    # then it gets the probe's answer, not a 400 or a redirect
    assert response.status_code == 200
    # while every other page still refuses an unknown host
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
