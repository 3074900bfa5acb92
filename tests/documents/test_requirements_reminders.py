"""Chasing the people who owe documents: one notification per person with what they owe, never
twice for the same schedule step (a client and a day for a chase, an ISO week for the digest),
even when two chases run at once."""

from __future__ import annotations

import threading
import time

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import PermissionDenied
from adv.tenancy.models import Membership
from documents import reminders, services, tasks
from documents.requirements import checklist_clients
from notifications.models import Notification, ReminderSent
from tests.documents import test_requirements_support as support
from tests.documents.test_requirements_support import TODAY, World, days

pytestmark = pytest.mark.django_db
media = support.media
world = support.world


def sent(world, event=reminders.CHASE_EVENT) -> list[Notification]:
    with tenant_context(world.tenant):
        return list(Notification.objects.filter(event=event).select_related("recipient").order_by("created_at"))


def chase(world, client, actor=None, today=TODAY):
    with tenant_context(world.tenant):
        return reminders.client_documents_chase(
            actor=(actor or world.alice).membership, client=checklist_clients().get(pk=client.pk), today=today
        )


def test_a_chase_tells_each_responsible_once_what_they_owe(world):
    # given a client missing its K-bis and contract (owed by sam) and its RIB (owed by ada)
    client = world.client(name="Helios Énergies SA")
    # when alice clicks "Relancer"
    result = chase(world, client)
    # then sam gets one notification listing both documents, ada one listing the RIB
    notifications = {n.recipient.email: n for n in sent(world)}
    assert set(notifications) == {"sam@alpha.test", "ada@alpha.test"}
    assert "2 document(s)" in notifications["sam@alpha.test"].title
    assert "K-bis (manquant)" in notifications["sam@alpha.test"].body
    assert "Contrat cadre (manquant)" in notifications["sam@alpha.test"].body
    assert "RIB (manquant)" in notifications["ada@alpha.test"].body
    assert "K-bis" not in notifications["ada@alpha.test"].body
    assert sorted(count for _person, count in result.notified) == [1, 2]


def test_an_expired_document_is_chased_with_its_expiry_date(world):
    # given a framework agreement that expired yesterday
    client = world.client()
    world.document(client, "contrat-cadre", signed_on=days(-400), valid_until=days(-1))
    # when alice chases
    chase(world, client)
    # then sam's notification says since when it expired
    body = next(n.body for n in sent(world) if n.recipient.email == "sam@alpha.test")
    assert f"Contrat cadre (expiré le {days(-1):%d/%m/%Y})" in body


def test_clicking_twice_the_same_day_sends_one_notification_per_person(world):
    # given a client missing documents, chased once today
    client = world.client()
    chase(world, client)
    # when alice (then ada) clicks again the same day
    second = chase(world, client)
    chase(world, client, actor=world.ada)
    # then nobody got a second notification, and the click says they were already chased
    assert len(sent(world)) == 2
    assert not second.notified
    assert {m.pk for m in second.already_chased} == {world.sam.membership.pk, world.ada.membership.pk}
    # and the next day the chase goes out again
    chase(world, client, today=days(1))
    assert len(sent(world)) == 4


def test_the_actor_is_not_chased_for_what_they_owe_themselves(world):
    # given a client whose sales owner is sam
    client = world.client()
    # when sam clicks "Relancer"
    result = chase(world, client, actor=world.sam)
    # then only ada is notified; sam is told he owes two documents himself
    assert [n.recipient.email for n in sent(world)] == ["ada@alpha.test"]
    assert result.own_items == 2
    level, text = reminders.chase_summary(result)
    assert level == "success" and "vous-même responsable de 2 document(s)" in text


def test_nothing_is_sent_for_documents_nobody_is_responsible_for(world):
    # given a client without owner nor ADV
    client = world.client(owner=None, adv_owner=None)
    # when alice chases
    result = chase(world, client)
    # then nobody is notified and the click says why
    assert sent(world) == []
    assert result.unassigned == 3
    assert "sans responsable" in reminders.chase_summary(result)[1]


def test_a_concurrent_chase_that_recorded_the_step_first_wins(world):
    # given a chase of this client for sam, recorded today by a concurrent request
    client = world.client()
    with tenant_context(world.tenant):
        ReminderSent.objects.create(
            recipient=world.sam.membership, kind="clients.chase", subject=str(client.pk), step=TODAY.isoformat(),
            sent_by=world.ada.membership,
        )
    # when alice's chase inserts the same step (the unique constraint answers)
    result = chase(world, client)
    # then sam is not notified a second time; ada (another person) is
    assert [n.recipient.email for n in sent(world)] == ["ada@alpha.test"]
    assert [m.pk for m in result.already_chased] == [world.sam.membership.pk]


def test_a_consultant_cannot_chase(world, bob):
    client = world.client()
    with tenant_context(world.tenant), pytest.raises(PermissionDenied):
        reminders.client_documents_chase(actor=bob.membership, client=client, today=TODAY)
    assert sent(world) == []


def test_the_grouped_chase_sends_one_notification_per_person_across_clients(world):
    # given two clients owned by sam, each missing documents
    first, second = world.client(name="Alpha SAS"), world.client(name="Beta SAS")
    with tenant_context(world.tenant):
        from documents.requirements import missing_documents

        rows = missing_documents(today=TODAY)
        keys = [row.key for row in rows if row.document_type.code == "kbis"]
        # when alice chases the selected K-bis rows of both clients
        result = reminders.missing_documents_chase(actor=world.alice.membership, row_keys=keys, today=TODAY)
        # and clicks again
        again = reminders.missing_documents_chase(actor=world.alice.membership, row_keys=keys, today=TODAY)
    # then sam got one notification listing both clients' K-bis, once
    notifications = sent(world)
    assert [n.recipient.email for n in notifications] == ["sam@alpha.test"]
    assert "Alpha SAS : K-bis" in notifications[0].body and "Beta SAS : K-bis" in notifications[0].body
    assert "Contrat cadre" not in notifications[0].body
    assert result.notified[0][1] == 2 and not again.notified
    assert first.pk and second.pk


def test_the_grouped_chase_ignores_forged_row_keys(world):
    with tenant_context(world.tenant):
        result = reminders.missing_documents_chase(
            actor=world.alice.membership, row_keys=["nope", "1:2", "00000000-0000-0000-0000-000000000000:x"], today=TODAY
        )
    assert not result.notified and sent(world) == []


# --- Weekly digest -------------------------------------------------------------------------------


def test_the_weekly_digest_task_run_twice_in_a_week_sends_once(world, monkeypatch):
    # given sam owing documents on two clients and ada a RIB
    world.client(name="Alpha SAS")
    world.client(name="Beta SAS")
    monkeypatch.setattr(tasks, "tenant_today", lambda tenant: TODAY)
    # when the digest task runs twice in the same week
    first = tasks.missing_documents_weekly_digest(str(world.tenant.pk))
    monkeypatch.setattr(tasks, "tenant_today", lambda tenant: days(4))  # Sunday of the same ISO week
    second = tasks.missing_documents_weekly_digest(str(world.tenant.pk))
    # then each person got one digest with everything they owe
    digests = {n.recipient.email: n for n in sent(world, reminders.DIGEST_EVENT)}
    assert (first, second) == (2, 0)
    assert set(digests) == {"sam@alpha.test", "ada@alpha.test"}
    assert "4 en attente (semaine 2026-W48)" in digests["sam@alpha.test"].title
    assert "Alpha SAS : K-bis" in digests["sam@alpha.test"].body
    # and the next week it goes out again
    monkeypatch.setattr(tasks, "tenant_today", lambda tenant: days(5))
    assert tasks.missing_documents_weekly_digest(str(world.tenant.pk)) == 2


def test_the_weekly_digest_skips_people_who_owe_nothing(world, monkeypatch):
    # given a client with every document present
    client = world.client()
    world.document(client, "kbis", signed_on=days(-5))
    world.document(client, "contrat-cadre", signed_on=days(-5), valid_until=days(300))
    world.document(client, "rib", signed_on=days(-5))
    monkeypatch.setattr(tasks, "tenant_today", lambda tenant: TODAY)
    # when the digest runs, then nobody is notified
    assert tasks.missing_documents_weekly_digest(str(world.tenant.pk)) == 0
    assert sent(world, reminders.DIGEST_EVENT) == []


def test_the_beat_sends_the_digest_every_monday_at_7_for_each_active_tenant(world, carol, monkeypatch):
    # the schedule: Mondays 07:00, Europe/Paris
    entry = settings.CELERY_BEAT_SCHEDULE["clients-missing-documents-weekly-digest"]
    assert entry["task"] == "documents.tasks.missing_documents_weekly_digest_all"
    assert entry["schedule"] == crontab(minute=0, hour=7, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "Europe/Paris"
    # the fan-out: one task per active tenant, each with its id
    dispatched = []
    monkeypatch.setattr(tasks.missing_documents_weekly_digest, "delay", lambda tenant_id: dispatched.append(tenant_id))
    assert tasks.missing_documents_weekly_digest_all() == 2
    assert set(dispatched) == {str(world.tenant.pk), str(carol.tenant.pk)}


# --- A real race ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_chases_notify_once(alice, tmp_path, settings, monkeypatch):
    # given a client missing documents (committed data, two database connections)
    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_context(alice.tenant):
        services.document_types_seed_defaults()
    world = World(alice=alice, sam=None, ada=None)
    world.sam = world.member("sales", "sam@alpha.test")
    world.ada = world.member("adv", "ada@alpha.test")
    client = world.client(adv_owner=None)
    # and a notify() slow enough that the second chase starts while the first one holds its step
    original_notify = reminders.notify
    first_inside = threading.Event()

    def slow_notify(**kwargs):
        first_inside.set()
        time.sleep(0.5)
        return original_notify(**kwargs)

    monkeypatch.setattr(reminders, "notify", slow_notify)
    results = {}

    def run(name, delay):
        time.sleep(delay)
        try:
            with tenant_context(alice.tenant):
                actor = Membership.objects.get(pk=alice.membership.pk)
                results[name] = reminders.client_documents_chase(
                    actor=actor, client=checklist_clients().get(pk=client.pk), today=TODAY
                )
        finally:
            connection.close()

    # when two chases of the same client run at the same time
    first = threading.Thread(target=run, args=("first", 0))
    second = threading.Thread(target=run, args=("second", 0))
    first.start()
    first_inside.wait(5)
    second.start()
    first.join(10)
    second.join(10)
    # then sam was notified once: the second chase waited for the first, then skipped
    assert len(sent(world)) == 1
    assert sorted(bool(r.notified) for r in results.values()) == [False, True]
