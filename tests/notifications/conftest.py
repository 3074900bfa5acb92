"""Fixtures of the notifications tests.

- Celery runs tasks eagerly: a dispatch after commit (captured with
  `django_capture_on_commit_callbacks(execute=True)`) delivers the email in the test.
- Live pushes (Channels) are recorded instead of going to Redis; `test_live.py` uses an
  in-memory channel layer instead.
- `event`: a throw-away event registered for the test, like a feature would register its own.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from adv.celery import app as celery_app
from adv.tenancy.context import tenant_context
from notifications import defaults, live, services
from notifications.models import OutboxEmail

EVENT = "test.document_added"


@pytest.fixture(autouse=True)
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def broker_breaker():
    services.broker_breaker.reset()
    yield services.broker_breaker
    services.broker_breaker.reset()


@pytest.fixture(autouse=True)
def live_pushes(monkeypatch):
    """Overridden in test_live.py, which pushes for real through an in-memory layer."""
    pushed: list = []
    monkeypatch.setattr(live, "push_unread_counts", lambda tenant_id, user_ids: pushed.append((tenant_id, list(user_ids))))
    return pushed


@pytest.fixture
def event():
    defaults.register(
        EVENT,
        subject_fr="Nouveau document : {{ document_name }}",
        body_fr="Bonjour {{ recipient_name }},\n{{ actor_name }} a déposé {{ document_name }}.\n{{ url }}",
        subject_en="New document: {{ document_name }}",
        body_en="Hello {{ recipient_name }},\n{{ actor_name }} uploaded {{ document_name }}.\n{{ url }}",
        placeholders=["document_name", "recipient_name", "actor_name", "url", "tenant_name"],
        label="Document ajouté (test)",
    )
    yield EVENT
    defaults.unregister(EVENT)


def make_due(tenant, email: OutboxEmail) -> None:
    """Move an email's next attempt into the past (instead of waiting for the backoff)."""
    with tenant_context(tenant):
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
