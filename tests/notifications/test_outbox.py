"""The email outbox: written in the caller's transaction, delivered once after commit,
retried with backoff, failed visibly after a bounded number of attempts."""

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from adv.tenancy.context import tenant_context
from adv.tenancy.services import invitation_create
from notifications import services, tasks
from notifications.errors import Conflict, DomainError
from notifications.models import OutboxEmail, OutboxStatus
from tests.factories import MessageTemplateFactory
from tests.notifications.conftest import make_due

pytestmark = pytest.mark.django_db

INVITATION_CONTEXT = {
    "tenant_name": "Alpha Conseil",
    "inviter_name": "Alice",
    "role": "Consultant",
    "link": "https://adv.test/invitation/abc",
    "expires_on": "31/01/2026",
}


def enqueue(tenant, **kwargs):
    with tenant_context(tenant):
        return services.email_enqueue(
            to=kwargs.pop("to", ["new@example.test"]), template_key="invitation", context=INVITATION_CONTEXT, **kwargs
        )


def reload(tenant, email):
    with tenant_context(tenant):
        return OutboxEmail.objects.get(pk=email.pk)


def smtp_down():
    return mock.patch.object(LocmemBackend, "send_messages", side_effect=smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))


def test_enqueued_email_is_delivered_after_commit(tenant_a, django_capture_on_commit_callbacks):
    # when an email is enqueued
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = enqueue(tenant_a)
    # then nothing is sent before the commit, the row waits
    assert mail.outbox == []
    assert reload(tenant_a, email).status == OutboxStatus.PENDING
    # and once committed, the dispatched task sends it
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.test"]
    assert message.subject == "Invitation à rejoindre Alpha Conseil"
    assert "https://adv.test/invitation/abc" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and 'href="https://adv.test/invitation/abc"' in html
    email = reload(tenant_a, email)
    assert email.status == OutboxStatus.SENT and email.sent_at is not None and email.attempts == 1


def test_delivering_the_same_email_twice_sends_one(tenant_a):
    # given an enqueued email (dispatch not run)
    email = enqueue(tenant_a)
    # when the delivery task runs twice (a duplicate message from the broker, the sweep…)
    first = tasks.deliver_email.run(str(tenant_a.id), str(email.id))
    second = tasks.deliver_email.run(str(tenant_a.id), str(email.id))
    # then exactly one email is sent
    assert (first, second) == ("sent", "sent")
    assert len(mail.outbox) == 1
    assert reload(tenant_a, email).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_email_at_once_send_one(tenant_a):
    # given an enqueued, committed email (its dispatch held back), and a worker stuck in the
    # middle of sending it
    with mock.patch.object(services.outbox, "_dispatch"):
        email = enqueue(tenant_a)
    sending, release = threading.Event(), threading.Event()
    real_send = LocmemBackend.send_messages

    def slow_send(self, messages):
        sending.set()
        release.wait(10)
        return real_send(self, messages)

    results = {}

    def worker():
        try:
            results["first"] = tasks.deliver_email.run(str(tenant_a.id), str(email.id))
        finally:
            connection.close()

    with mock.patch.object(LocmemBackend, "send_messages", slow_send):
        thread = threading.Thread(target=worker)
        thread.start()
        assert sending.wait(10)
        # when a second worker delivers the same email meanwhile
        results["second"] = tasks.deliver_email.run(str(tenant_a.id), str(email.id))
        release.set()
        thread.join(10)
    # then it finds the row already claimed (committed before sending), and one email is sent
    assert results == {"first": "sent", "second": OutboxStatus.SENDING}
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_dying_mid_send_never_leads_to_a_second_automatic_send(tenant_a):
    # given an email whose worker is killed while the SMTP server is taking the message
    with mock.patch.object(services.outbox, "_dispatch"):
        email = enqueue(tenant_a)

    class WorkerKilled(BaseException):  # not an Exception: nothing in the worker catches it
        pass

    with mock.patch.object(services.outbox, "_send", side_effect=WorkerKilled), pytest.raises(WorkerKilled):
        tasks.deliver_email.run(str(tenant_a.id), str(email.id))
    # then the claim was committed: the row says it was being sent
    assert reload(tenant_a, email).status == OutboxStatus.SENDING
    # when the broker redelivers the task (acks_late) and the sweep runs, nothing is sent again
    assert tasks.deliver_email.run(str(tenant_a.id), str(email.id)) == OutboxStatus.SENDING
    tasks.outbox_sweep.run()
    assert mail.outbox == []
    # and once the claim is stale, the sweep shows it as a failure a person can check and retry
    with tenant_context(tenant_a):
        OutboxEmail.objects.filter(pk=email.pk).update(updated_at=timezone.now() - services.STUCK_SENDING_AFTER)
    tasks.outbox_sweep.run()
    row = reload(tenant_a, email)
    assert row.status == OutboxStatus.FAILED and "interrompu" in row.last_error
    assert mail.outbox == []


def test_same_idempotency_key_returns_the_existing_email(tenant_a, django_capture_on_commit_callbacks):
    # given an email enqueued with an idempotency key, and sent
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue(tenant_a, idempotency_key="invitation:42")
    # when the same key is enqueued again (the caller retried)
    with django_capture_on_commit_callbacks(execute=True):
        second = enqueue(tenant_a, idempotency_key="invitation:42", to=["other@example.test"])
    # then the same row comes back and no second email leaves
    assert second.pk == first.pk
    assert len(mail.outbox) == 1
    with tenant_context(tenant_a):
        assert OutboxEmail.objects.count() == 1


def test_idempotency_keys_are_per_tenant(tenant_a, tenant_b):
    first = enqueue(tenant_a, idempotency_key="same")
    second = enqueue(tenant_b, idempotency_key="same")
    assert first.pk != second.pk


def test_failing_smtp_is_retried_with_backoff_then_marked_failed(tenant_a):
    # given an email and an SMTP server that keeps failing
    email = enqueue(tenant_a)
    delays = []
    with smtp_down():
        for attempt in range(1, services.MAX_ATTEMPTS + 1):
            before = timezone.now()
            # when the delivery runs each time the retry is due
            status = tasks.deliver_email.run(str(tenant_a.id), str(email.id))
            row = reload(tenant_a, email)
            assert row.attempts == attempt
            assert "SMTPServerDisconnected" in row.last_error
            if attempt < services.MAX_ATTEMPTS:
                # then it is pending again, with a later attempt scheduled
                assert status == OutboxStatus.PENDING
                delays.append((row.next_attempt_at - before).total_seconds())
                # and running before it is due does nothing
                assert tasks.deliver_email.run(str(tenant_a.id), str(email.id)) == "not_due"
                make_due(tenant_a, email)
        # then after the last attempt it is failed, for good
        assert status == OutboxStatus.FAILED
        assert tasks.deliver_email.run(str(tenant_a.id), str(email.id)) == OutboxStatus.FAILED
    row = reload(tenant_a, email)
    assert row.attempts == services.MAX_ATTEMPTS and row.next_attempt_at is None
    assert mail.outbox == []
    # the backoff grows (exponential, with at most ±20 % jitter)
    assert all(later > earlier for earlier, later in zip(delays, delays[1:], strict=False))
    assert delays[0] == pytest.approx(services.RETRY_BASE_SECONDS, rel=0.21)


def test_failed_email_is_sent_when_an_admin_retries_it_from_the_page(alice, django_capture_on_commit_callbacks):
    # given an email that failed every attempt
    email = enqueue(alice.tenant)
    with smtp_down():
        for _ in range(services.MAX_ATTEMPTS):
            make_due(alice.tenant, email)
            tasks.deliver_email.run(str(alice.tenant.id), str(email.id))
    assert reload(alice.tenant, email).status == OutboxStatus.FAILED
    client = alice.client()
    # then the admin page shows it with its error and a retry button
    page = client.get(alice.url("notifications/emails/"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "SMTPServerDisconnected" in content and f"emails/{email.pk}/retry/" in content
    # when alice retries it (the SMTP server is back)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(alice.url(f"notifications/emails/{email.pk}/retry/"))
    # then it is sent
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    row = reload(alice.tenant, email)
    assert row.status == OutboxStatus.SENT and row.last_error == ""


def test_a_sent_email_cannot_be_retried(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = enqueue(alice.tenant)
    with tenant_context(alice.tenant), pytest.raises(Conflict):
        services.outbox_email_retry(actor=alice.membership, email_id=email.pk)
    assert len(mail.outbox) == 1


def test_broker_outage_does_not_break_the_callers_transaction_and_the_sweep_sends_later(
    tenant_a, django_capture_on_commit_callbacks, broker_breaker
):
    # given Redis is down when the caller's transaction commits
    refused = OperationalError("Connection refused")
    with mock.patch.object(tasks.deliver_email, "apply_async", side_effect=refused) as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            email = enqueue(tenant_a)
            other = enqueue(tenant_a, to=["other@example.test"])
    # then the caller saw no error, and the emails wait in the outbox
    assert reload(tenant_a, email).status == reload(tenant_a, other).status == OutboxStatus.PENDING
    assert mail.outbox == []
    # and after the first failure the broker was not tried again for each email (each try stalls)
    assert apply_async.call_count == 1
    # when the broker is back and the sweep runs
    broker_breaker.reset()
    dispatched = tasks.outbox_sweep.run()
    # then the emails are sent
    assert dispatched == 2
    assert len(mail.outbox) == 2
    assert reload(tenant_a, email).status == OutboxStatus.SENT


def test_sweep_redispatches_only_due_pending_emails_of_every_tenant(tenant_a, tenant_b):
    # given a due email in each tenant, one scheduled later, and one already sent
    due_a, due_b = enqueue(tenant_a), enqueue(tenant_b)
    later = enqueue(tenant_a, to=["later@example.test"])
    with tenant_context(tenant_a):
        OutboxEmail.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    sent = enqueue(tenant_b, to=["sent@example.test"])
    tasks.deliver_email.run(str(tenant_b.id), str(sent.id))
    mail.outbox.clear()
    # when the sweep runs
    tasks.outbox_sweep.run()
    # then the due ones are sent, in their own tenant, and nothing else
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.test", "new@example.test"]
    assert reload(tenant_a, due_a).status == reload(tenant_b, due_b).status == OutboxStatus.SENT
    assert reload(tenant_a, later).status == OutboxStatus.PENDING


def test_enqueue_writes_in_the_callers_transaction(tenant_a, django_capture_on_commit_callbacks):
    # when the caller's transaction rolls back after enqueuing
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue(tenant_a)
            raise RuntimeError("the business action failed")
    # then no row is left and nothing is dispatched
    with tenant_context(tenant_a):
        assert not OutboxEmail.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_invitation_email_uses_the_tenants_template(alice, django_capture_on_commit_callbacks):
    # given alice's firm reworded the French invitation
    with tenant_context(alice.tenant):
        services.message_template_save(
            actor=alice.membership, key="invitation", language="fr",
            subject="{{ inviter_name }} vous attend chez {{ tenant_name }}", body="Cliquez : {{ link }}",
        )
    # when alice invites someone (the tenancy service calls email_enqueue)
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(alice.tenant):
            invitation, raw = invitation_create(actor=alice.membership, email="dave@example.test", role="consultant")
    # then the email uses the firm's wording
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"{alice.user} vous attend chez Alpha Conseil"
    assert raw in mail.outbox[0].body
    with tenant_context(alice.tenant):
        assert OutboxEmail.objects.get().idempotency_key == f"invitation:{invitation.id}"


def test_email_language_defaults_to_the_tenant_and_can_be_chosen(tenant_a):
    french = enqueue(tenant_a)
    english = enqueue(tenant_a, language="en")
    assert french.subject.startswith("Invitation à rejoindre")
    assert english.subject == "Invitation to join Alpha Conseil"
    with tenant_context(tenant_a):
        MessageTemplateFactory(key="invitation", language="en", subject="Join {{ tenant_name }}", body="{{ link }}")
    assert enqueue(tenant_a, language="en").subject == "Join Alpha Conseil"


def test_invalid_address_is_refused(tenant_a):
    with pytest.raises(DomainError) as raised:
        enqueue(tenant_a, to=["not-an-email"])
    assert raised.value.code == "invalid_email"
