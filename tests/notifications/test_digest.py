"""The daily digest: once per user per (tenant-local) day, whatever the number of runs."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from adv.tenancy.context import tenant_context
from notifications import services, tasks
from notifications.models import DailyDigest, Notification, NotificationPreference

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def digest_only(persona):
    with tenant_context(persona.tenant):
        NotificationPreference.objects.create(user=persona.user, in_app=True, email=False, daily_digest=True)


def notify_bob(alice, bob, event, name="Kbis.pdf"):
    with tenant_context(alice.tenant):
        services.notify(recipients=[bob.membership], event=event, context={"document_name": name}, actor=alice.membership, url="/t/alpha/x/")


def run_digest(tenant, now):
    with tenant_context(tenant):
        return services.digest_send_due(now=now)


def test_digest_is_sent_once_per_day_even_when_the_task_runs_twice(
    alice, bob, event, django_capture_on_commit_callbacks, monkeypatch
):
    # given it is past the digest hour, bob chose the digest and two things happened
    monkeypatch.setattr(services.digest, "DIGEST_HOUR", 0)
    digest_only(bob)
    notify_bob(alice, bob, event, "Kbis.pdf")
    notify_bob(alice, bob, event, "Contrat.pdf")
    assert mail.outbox == []  # no immediate email
    # when the hourly task runs twice (fan-out per tenant, eager here)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.daily_digest_all.run()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.daily_digest_all.run()
    # then bob got one email listing both items
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [bob.user.email]
    assert "(2)" in message.subject
    assert "Nouveau document : Kbis.pdf" in message.body and "Nouveau document : Contrat.pdf" in message.body
    with tenant_context(alice.tenant):
        digest = DailyDigest.objects.get()
        assert digest.item_count == 2 and digest.email.status == "sent"
        assert not Notification.objects.filter(in_digest=True, digest__isnull=True).exists()


def test_next_days_items_go_into_the_next_days_digest(alice, bob, event):
    digest_only(bob)
    day_one = datetime(2026, 3, 2, 8, 0, tzinfo=PARIS)
    notify_bob(alice, bob, event, "Kbis.pdf")
    assert run_digest(alice.tenant, day_one) == 1
    # the same day, a later run does nothing even with a new item
    notify_bob(alice, bob, event, "Contrat.pdf")
    assert run_digest(alice.tenant, day_one + timedelta(hours=3)) == 0
    # the next day, the new item goes out
    assert run_digest(alice.tenant, day_one + timedelta(days=1)) == 1
    with tenant_context(alice.tenant):
        assert list(DailyDigest.objects.order_by("day").values_list("item_count", flat=True)) == [1, 1]


def test_digest_waits_for_the_morning_in_the_tenants_time_zone(alice, bob, event):
    digest_only(bob)
    notify_bob(alice, bob, event)
    early = datetime(2026, 3, 2, services.DIGEST_HOUR - 1, 59, tzinfo=PARIS)
    assert run_digest(alice.tenant, early) == 0
    assert run_digest(alice.tenant, early + timedelta(minutes=1)) == 1


def test_users_without_digest_items_get_no_digest(alice, bob, event):
    # bob keeps the default (in-app + email): nothing waits for a digest
    notify_bob(alice, bob, event)
    assert run_digest(alice.tenant, datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)) == 0
    with tenant_context(alice.tenant):
        assert not DailyDigest.objects.exists()
