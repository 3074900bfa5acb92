"""`Idempotency-Key` on the billing API's creates, issues and sends (adv/api/idempotency.py): a replay
returns the first response and acts once; another body with the same key is 422; a failed call is
not stored; a concurrent duplicate gets 409 at once."""

from __future__ import annotations

import datetime
import json
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from adv.api.models import IdempotencyRecord
from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from billing import jobs, services
from billing.models import BillingJob, BillingRun, Invoice, NumberCounter, Payment
from notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

API = "/api/v1/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def api(person) -> Client:
    with tenant_context(person.tenant):
        _token, raw = api_token_create(actor=person.membership, name="integration")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client, url: str, body=None, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def count(firm, model, **filters) -> int:
    with tenant_context(firm.tenant):
        return model.objects.filter(**filters).count()


def reload(firm, invoice) -> Invoice:
    with tenant_context(firm.tenant):
        return Invoice.objects.get(pk=invoice.pk)


def assert_replay_of(first, second):
    assert second.status_code == first.status_code
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first


@pytest.fixture
def firm(billing_firm):
    billing_firm.build()
    return billing_firm


@pytest.fixture
def issued(firm):
    return firm.issue([firm.draft_of(firm.helios)]).issued[0]


def payment_body(invoice, amount="1000"):
    return {
        "invoice": str(invoice.pk),
        "amount": amount,
        "paid_on": datetime.date.today().isoformat(),
        "method": "transfer",
        "reference": "VIR",
    }


def test_a_replayed_payment_returns_the_first_response_and_pays_once(firm, issued):
    adv = api(firm.adv)
    first = post(adv, f"{API}payments/", payment_body(issued), key="pay-1")
    assert first.status_code == 201, first.content
    second = post(adv, f"{API}payments/", payment_body(issued), key="pay-1")
    assert_replay_of(first, second)
    assert count(firm, Payment) == 1
    assert reload(firm, issued).amount_paid == 1000
    # without a key, the same call pays again (the key is what makes it safe to retry)
    assert post(adv, f"{API}payments/", payment_body(issued)).status_code == 201
    assert count(firm, Payment) == 2


def test_a_replayed_issue_returns_the_same_number_and_takes_no_other(firm):
    adv, helios = api(firm.adv), firm.draft_of(firm.helios)
    first = post(adv, f"{API}pre-invoices/{helios.pk}/issue/", key="issue-helios")
    assert first.status_code == 200, first.content
    second = post(adv, f"{API}pre-invoices/{helios.pk}/issue/", key="issue-helios")
    assert_replay_of(first, second)
    assert second.json()["number"] == "F2026-00001"
    with tenant_context(firm.tenant):
        assert NumberCounter.objects.get(series="invoice").last_number == 1
    # a new key on an issued pre-invoice is a real call: 409
    again = post(adv, f"{API}pre-invoices/{helios.pk}/issue/", key="issue-helios-2")
    assert again.status_code == 409 and again.json()["code"] == "invoice_immutable"


def test_a_replayed_bulk_issue_returns_the_first_job_and_starts_no_other(firm):
    adv = api(firm.adv)
    ids = [str(firm.draft_of(c).pk) for c in (firm.helios, firm.orion, firm.nova)]
    first = post(adv, f"{API}pre-invoices/issue/", {"ids": ids}, key="bulk-october")
    assert first.status_code == 202, first.content
    second = post(adv, f"{API}pre-invoices/issue/", {"ids": ids}, key="bulk-october")
    assert_replay_of(first, second)
    assert count(firm, BillingJob) == 1
    with tenant_context(firm.tenant):
        jobs.job_run_now(BillingJob.objects.get())
    assert count(firm, Invoice, number__isnull=False) == 2


def test_a_replayed_send_sends_one_email(firm, issued):
    firm.render(issued)
    adv = api(firm.adv)
    first = post(adv, f"{API}invoices/{issued.pk}/send/", key="send-1")
    assert first.status_code == 200, first.content
    second = post(adv, f"{API}invoices/{issued.pk}/send/", key="send-1")
    assert_replay_of(first, second)
    assert count(firm, OutboxEmail) == 1
    sent_at = datetime.datetime.fromisoformat(first.json()["sent_at"])
    assert reload(firm, issued).sent_at == sent_at


def test_a_replayed_credit_note_and_run_create_once(firm, issued):
    adv = api(firm.adv)
    body = {"invoice": str(issued.pk), "reason": "Remise", "amount": "100"}
    first = post(adv, f"{API}credit-notes/", body, key="avoir-1")
    assert first.status_code == 201, first.content
    assert_replay_of(first, post(adv, f"{API}credit-notes/", body, key="avoir-1"))
    assert count(firm, Invoice, kind="credit_note") == 1
    runs_before = count(firm, BillingRun)
    run = post(adv, f"{API}billing-runs/", {"month": "2026-11"}, key="run-nov")
    assert run.status_code == 202
    assert_replay_of(run, post(adv, f"{API}billing-runs/", {"month": "2026-11"}, key="run-nov"))
    assert count(firm, BillingRun) == runs_before + 1


def test_the_same_key_with_another_body_is_422_and_does_nothing(firm, issued):
    adv = api(firm.adv)
    assert post(adv, f"{API}payments/", payment_body(issued, "100"), key="k").status_code == 201
    response = post(adv, f"{API}payments/", payment_body(issued, "200"), key="k")
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "idempotency_key_reused"
    assert count(firm, Payment) == 1
    assert reload(firm, issued).amount_paid == 100


def test_a_key_is_scoped_to_its_method_and_path(firm, issued):
    adv = api(firm.adv)
    assert post(adv, f"{API}payments/", payment_body(issued), key="shared").status_code == 201
    note = post(adv, f"{API}credit-notes/", {"invoice": str(issued.pk), "reason": "x", "amount": "10"}, key="shared")
    assert note.status_code == 201 and "Idempotent-Replayed" not in note
    assert count(firm, Payment) == 1 and count(firm, Invoice, kind="credit_note") == 1


def test_a_failed_call_is_not_stored_and_the_key_can_be_used_again(firm, issued):
    adv = api(firm.adv)
    failed = post(adv, f"{API}payments/", payment_body(issued, "999999"), key="retry-me")
    assert failed.status_code == 400 and failed.json()["code"] == "overpayment"
    assert count(firm, IdempotencyRecord) == 0
    assert post(adv, f"{API}payments/", payment_body(issued, "999999"), key="retry-me").status_code == 400
    fixed = post(adv, f"{API}payments/", payment_body(issued, "500"), key="retry-me")
    assert fixed.status_code == 201 and "Idempotent-Replayed" not in fixed
    with tenant_context(firm.tenant):
        record = IdempotencyRecord.objects.get()
        assert (record.state, record.response_status, record.scope) == ("done", 201, "POST /api/v1/payments/")
        assert record.response_body == fixed.json()


def test_the_session_api_shares_the_keys_and_roles_are_checked_before_a_replay(firm, issued):
    adv = api(firm.adv)
    first = post(adv, f"{API}payments/", payment_body(issued), key="pay-2")
    session = firm.adv.client()
    replay = post(session, f"/t/{firm.tenant.slug}/api/v1/payments/", payment_body(issued), key="pay-2")
    assert replay.status_code == 201 and replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    # the accountant does not get the stored response: the role is refused first
    refused = post(api(firm.accountant), f"{API}payments/", payment_body(issued), key="pay-2")
    assert refused.status_code == 403 and refused.json()["code"] == "role_cannot_write"
    assert count(firm, Payment) == 1


@pytest.mark.parametrize("key", ["", "x" * 201, "with space", "é"])
def test_a_malformed_key_is_refused(firm, issued, key):
    response = post(api(firm.adv), f"{API}payments/", payment_body(issued), key=key)
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    assert count(firm, Payment) == 0


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_gets_409_at_once_then_the_replay(billing_firm, monkeypatch):
    # given an issued invoice (committed), and a first payment call stuck inside the service
    billing_firm.build()
    invoice = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    entered, release = threading.Event(), threading.Event()
    real_record = services.payment_record

    def slow_record(**kwargs):
        entered.set()
        release.wait(10)
        return real_record(**kwargs)

    monkeypatch.setattr(services, "payment_record", slow_record)
    first_client, second_client = api(billing_firm.adv), api(billing_firm.adv)
    results = {}

    def first_call():
        try:
            results["first"] = post(first_client, f"{API}payments/", payment_body(invoice), key="concurrent")
        finally:
            connection.close()

    thread = threading.Thread(target=first_call)
    thread.start()
    try:
        assert entered.wait(10)
        # when the same call arrives meanwhile, it is answered 409 without waiting
        started = datetime.datetime.now()
        duplicate = post(second_client, f"{API}payments/", payment_body(invoice), key="concurrent")
        waited = (datetime.datetime.now() - started).total_seconds()
    finally:
        release.set()
        thread.join(15)
    assert duplicate.status_code == 409 and duplicate["Content-Type"] == PROBLEM
    assert duplicate.json()["code"] == "idempotency_in_progress"
    assert waited < 5
    # then the first completes, and a later retry replays it
    assert results["first"].status_code == 201, results["first"].content
    replay = post(second_client, f"{API}payments/", payment_body(invoice), key="concurrent")
    assert_replay_of(results["first"], replay)
    assert count(billing_firm, Payment) == 1
