"""Delivery: signed per Standard Webhooks (checked with the reference implementation), bounded
in time, retried with exponential backoff for 24 hours on a frozen clock, the endpoint disabled
after a day of failures with its admins told; replay; at-least-once with a stable webhook-id."""

from __future__ import annotations

import datetime
import json
import time
from unittest import mock

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from adv.tenancy.context import tenant_context
from notifications.models import Notification
from tests.webhooks.conftest import make_endpoint
from webhooks import services
from webhooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_targets")]

START = datetime.datetime(2026, 11, 5, 9, 0, tzinfo=datetime.UTC)
PAYLOAD = {"id": "inv-1", "number": "F2026-0001"}


@pytest.fixture(autouse=True)
def no_broker():
    """Retries queued with a countdown go to the broker: recorded here instead."""
    with mock.patch.object(services, "_dispatch_later") as dispatch:
        yield dispatch


def record(persona, event_type="invoice.issued", payload=None) -> Delivery:
    with tenant_context(persona.tenant):
        event = services.events_record(event_type, [payload or PAYLOAD])[0]
        return Delivery.objects.select_related("event").get(event=event)


def attempt(persona, delivery) -> str:
    return services.delivery_attempt(tenant_id=persona.tenant.pk, delivery_id=delivery.pk)


def reload(persona, obj):
    with tenant_context(persona.tenant):
        return type(obj).objects.get(pk=obj.pk)


def test_a_delivery_is_signed_as_the_reference_implementation_verifies(alice, receiver):
    endpoint, secret = make_endpoint(alice, receiver.url)
    delivery = record(alice)
    assert attempt(alice, delivery) == "succeeded"
    [request] = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload == {
        "id": str(delivery.event_id), "type": "invoice.issued", "data": PAYLOAD,
        "timestamp": delivery.event.created_at.isoformat(),
    }  # fmt: skip
    assert request.headers["webhook-id"] == str(delivery.event_id)
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)
    stored = reload(alice, delivery)
    assert (stored.response_status, stored.attempts, stored.error) == (204, 1, "")
    assert stored.duration_ms is not None


def test_the_secret_is_stored_encrypted(alice, receiver):
    endpoint, secret = make_endpoint(alice, receiver.url)
    with tenant_context(alice.tenant):
        stored = Endpoint.objects.values_list("secret_encrypted", flat=True).get(pk=endpoint.pk)
    assert secret.startswith("whsec_") and secret not in stored and secret[6:] not in stored


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(alice, receiver):
    endpoint, old = make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        with tenant_context(alice.tenant):
            _, new = services.endpoint_rotate_secret(actor=alice.membership, endpoint_id=endpoint.pk)
        attempt(alice, record(alice))
        request = receiver.requests[-1]
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        Webhook(old).verify(request.body, request.headers)
        Webhook(new).verify(request.body, request.headers)
    with time_machine.travel(START + datetime.timedelta(hours=24, seconds=1), tick=False):
        attempt(alice, record(alice))
        request = receiver.requests[-1]
        Webhook(new).verify(request.body, request.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(request.body, request.headers)


# Offsets from the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h after each failure, the
# last exactly 24 hours after the first.
SCHEDULE = [
    datetime.timedelta(0),
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5, seconds=5),
    datetime.timedelta(minutes=35, seconds=5),
    datetime.timedelta(hours=2, minutes=35, seconds=5),
    datetime.timedelta(hours=7, minutes=35, seconds=5),
    datetime.timedelta(hours=17, minutes=35, seconds=5),
    datetime.timedelta(hours=24),
]


def test_failures_are_retried_with_exponential_backoff_for_24_hours_then_the_endpoint_is_disabled(alice, receiver, no_broker):
    receiver.status = 500
    receiver.body = b'{"error": "database down"}'
    endpoint, secret = make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        delivery = record(alice)
    for number, offset in enumerate(SCHEDULE, start=1):
        if offset:
            with time_machine.travel(START + offset - datetime.timedelta(seconds=1), tick=False):
                assert attempt(alice, delivery) == "not_due"  # one second early: nothing sent
        with time_machine.travel(START + offset, tick=False):
            status = attempt(alice, delivery)
        stored = reload(alice, delivery)
        assert stored.attempts == number
        assert len(receiver.requests) == number
        if number < len(SCHEDULE):
            assert status == "pending"
            assert stored.next_attempt_at == START + SCHEDULE[number]
        else:
            assert status == "failed" and stored.next_attempt_at is None
    assert (stored.response_status, stored.response_body) == (500, '{"error": "database down"}')
    assert "500" in stored.error
    # every attempt is the same message: one webhook-id, fresh timestamps, each signed
    assert {r.headers["webhook-id"] for r in receiver.requests} == {str(delivery.event_id)}
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) == len(SCHEDULE)
    endpoint = reload(alice, endpoint)
    assert (endpoint.is_enabled, endpoint.disabled_reason) == (False, "failing")
    with tenant_context(alice.tenant):
        notice = Notification.objects.get(event="webhooks.endpoint_disabled")
    assert notice.recipient_id == alice.user.pk and endpoint.url in notice.title


def test_a_retry_due_soon_is_queued_with_its_countdown_a_later_one_left_to_the_sweep(
    alice, receiver, no_broker, django_capture_on_commit_callbacks
):
    receiver.status = 503
    make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        delivery = record(alice)
    for offset in SCHEDULE[:4]:
        with time_machine.travel(START + offset, tick=False), django_capture_on_commit_callbacks(execute=True):
            attempt(alice, delivery)
    # after the 1st and 2nd failures (5 s, 5 min); the 30 min and 2 h retries wait for the sweep
    assert [(c.args[1], c.args[2]) for c in no_broker.call_args_list] == [(delivery.pk, 5.0), (delivery.pk, 300.0)]


def test_an_endpoint_that_succeeded_within_the_last_day_is_not_disabled(alice, receiver):
    receiver.status = 500
    endpoint, _ = make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        failing = record(alice)
    for offset in SCHEDULE[:-1]:
        with time_machine.travel(START + offset, tick=False):
            attempt(alice, failing)
    with time_machine.travel(START + datetime.timedelta(hours=20), tick=False):
        receiver.status = 200
        assert attempt(alice, record(alice)) == "succeeded"  # another event goes through
        receiver.status = 500
    with time_machine.travel(START + SCHEDULE[-1], tick=False):
        assert attempt(alice, failing) == "failed"
    assert reload(alice, endpoint).is_enabled  # failing for 4 hours only


def test_a_hanging_endpoint_holds_the_worker_no_longer_than_the_timeout(alice, receiver, settings):
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
    receiver.hang = 3
    make_endpoint(alice, receiver.url)
    delivery = record(alice)
    started = time.monotonic()
    assert attempt(alice, delivery) == "pending"
    assert time.monotonic() - started < 2
    assert "timed out" in reload(alice, delivery).error.lower()


def test_redirects_are_not_followed(alice, receiver):
    receiver.status = 302
    receiver.location = "http://169.254.169.254/latest/meta-data/"
    make_endpoint(alice, receiver.url)
    delivery = record(alice)
    assert attempt(alice, delivery) == "pending"
    assert len(receiver.requests) == 1
    assert reload(alice, delivery).response_status == 302


def test_a_delivery_retried_after_a_crash_after_sending_keeps_its_webhook_id(alice, receiver):
    endpoint, secret = make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        delivery = record(alice)
        with mock.patch.object(services, "_record", side_effect=SystemExit("worker killed")), pytest.raises(SystemExit):
            attempt(alice, delivery)
    assert reload(alice, delivery).status == "sending"  # the request left, its outcome was never written
    with time_machine.travel(START + datetime.timedelta(minutes=1), tick=False):
        with tenant_context(alice.tenant):
            services.deliveries_redispatch_due()
        assert reload(alice, delivery).status == "sending"  # a request may still be under way
    with time_machine.travel(START + datetime.timedelta(minutes=3), tick=False):
        with tenant_context(alice.tenant):
            services.deliveries_redispatch_due()
        assert reload(alice, delivery).status == "pending"
        assert attempt(alice, delivery) == "succeeded"
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == str(delivery.event_id)
    assert first.body == second.body
    assert reload(alice, delivery).attempts == 2


def test_a_delivery_already_handled_is_not_sent_again(alice, receiver):
    make_endpoint(alice, receiver.url)
    delivery = record(alice)
    assert attempt(alice, delivery) == "succeeded"
    assert attempt(alice, delivery) == "succeeded"  # a duplicate task changes nothing
    assert len(receiver.requests) == 1


def test_replay_sends_the_event_again_with_the_same_webhook_id(alice, receiver):
    receiver.status = 410
    endpoint, secret = make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        delivery = record(alice)
        attempt(alice, delivery)
    with time_machine.travel(START + datetime.timedelta(hours=24), tick=False):
        with tenant_context(alice.tenant):
            Delivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    receiver.status = 200
    with tenant_context(alice.tenant):
        replay = services.delivery_replay(actor=alice.membership, delivery_id=delivery.pk)
    assert attempt(alice, replay) == "succeeded"
    assert receiver.requests[-1].headers["webhook-id"] == receiver.requests[0].headers["webhook-id"]
    Webhook(secret).verify(receiver.requests[-1].body, receiver.requests[-1].headers)
    assert (reload(alice, replay).replay_of_id, reload(alice, delivery).status) == (delivery.pk, "failed")


def test_a_pending_delivery_cannot_be_replayed(alice, receiver):
    from webhooks.errors import Conflict

    make_endpoint(alice, receiver.url)
    delivery = record(alice)
    with tenant_context(alice.tenant), pytest.raises(Conflict):
        services.delivery_replay(actor=alice.membership, delivery_id=delivery.pk)


def test_the_test_event_goes_to_the_one_endpoint(alice, receiver):
    endpoint, secret = make_endpoint(alice, receiver.url)
    make_endpoint(alice, receiver.url.replace("/hooks", "/other"))
    with tenant_context(alice.tenant):
        delivery = services.endpoint_send_test(actor=alice.membership, endpoint_id=endpoint.pk)
    assert attempt(alice, delivery) == "succeeded"
    [request] = receiver.requests
    assert request.path == "/hooks"
    assert json.loads(request.body)["type"] == "webhook.test"
    Webhook(secret).verify(request.body, request.headers)


def test_a_delivery_to_an_endpoint_disabled_meanwhile_is_not_sent(alice, receiver):
    endpoint, _ = make_endpoint(alice, receiver.url)
    delivery = record(alice)
    with tenant_context(alice.tenant):
        services.endpoint_update(actor=alice.membership, endpoint_id=endpoint.pk, is_enabled=False)
    assert attempt(alice, delivery) == "failed"
    assert receiver.requests == []


def test_the_sweep_queues_the_deliveries_due(alice, receiver, no_broker):
    make_endpoint(alice, receiver.url)
    with time_machine.travel(START, tick=False):
        due = record(alice)
    with tenant_context(alice.tenant):
        Delivery.objects.filter(pk=due.pk).update(next_attempt_at=START)
        later = record(alice)
        Delivery.objects.filter(pk=later.pk).update(next_attempt_at=START + datetime.timedelta(hours=1))
        assert services.deliveries_redispatch_due(now=START + datetime.timedelta(minutes=1)) == 1
    assert [c.args[1] for c in no_broker.call_args_list] == [due.pk]


def test_only_admins_manage_webhooks(bob, receiver):
    from webhooks.errors import PermissionDenied

    with tenant_context(bob.tenant), pytest.raises(PermissionDenied):
        services.endpoint_create(actor=bob.membership, url=receiver.url, event_types=["invoice.issued"])
