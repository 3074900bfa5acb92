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
