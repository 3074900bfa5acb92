"""The webhooks API (/api/v1/webhooks/, /api/v1/webhook-deliveries/): admins only, the secret in
the answers that create or rotate it and nowhere else, SSRF refusals as problems, test and replay."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from tests.api.conftest import bearer_client, make_token
from tests.webhooks.conftest import make_endpoint, resolving
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db

PUBLIC = {"erp.example.com": "93.184.216.34"}
URL = "https://erp.example.com/hooks"


@pytest.fixture
def alice_api(alice):
    return bearer_client(make_token(alice)[1])


@pytest.fixture
def bob_api(bob):
    return bearer_client(make_token(bob)[1])


def test_create_answers_the_secret_once(alice_api, alice):
    with resolving(PUBLIC):
        response = alice_api.post(
            "/api/v1/webhooks/", {"url": URL, "event_types": ["invoice.issued", "payment.recorded"]}, content_type="application/json"
        )
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["event_types"] == ["invoice.issued", "payment.recorded"]
    detail = alice_api.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in detail and body["secret"] not in str(alice_api.get("/api/v1/webhooks/").content)


def test_a_private_url_is_a_problem_on_the_url_field(alice_api):
    response = alice_api.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1/x", "event_types": ["invoice.issued"]}, content_type="application/json"
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "target_refused" and "url" in problem["errors"]


def test_an_unknown_event_type_is_refused(alice_api):
    with resolving(PUBLIC):
        response = alice_api.post("/api/v1/webhooks/", {"url": URL, "event_types": ["invoice.eaten"]}, content_type="application/json")
    assert response.status_code == 400


def test_edit_rotate_test_and_delete(alice_api, alice):
    with resolving(PUBLIC):
        endpoint, secret = make_endpoint(alice, URL)
        response = alice_api.patch(
            f"/api/v1/webhooks/{endpoint.pk}/", {"is_enabled": False, "description": "ERP"}, content_type="application/json"
        )
    assert response.status_code == 200 and response.json()["disabled_reason"] == "manual"
    rotated = alice_api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != secret and rotated.json()["previous_secret_expires_at"]
    tested = alice_api.post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert tested.status_code == 202 and tested.json()["event_type"] == "webhook.test"
    log = alice_api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert [d["id"] for d in log["results"]] == [tested.json()["id"]]
    assert alice_api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    with tenant_context(alice.tenant):
        assert not Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_deliveries_list_filter_and_replay(alice_api, alice):
    with resolving(PUBLIC):
        make_endpoint(alice, URL)
    with tenant_context(alice.tenant):
        event = services.events_record("invoice.issued", [{"id": "x"}])[0]
        delivery = Delivery.objects.get(event=event)
    assert alice_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/").status_code == 409  # still pending
    with tenant_context(alice.tenant):
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, response_status=500)
    failed = alice_api.get("/api/v1/webhook-deliveries/?status=failed").json()
    assert [d["id"] for d in failed["results"]] == [str(delivery.pk)]
    assert failed["results"][0]["event"] == str(event.pk) and failed["results"][0]["response_status"] == 500
    replay = alice_api.post(f"/api/v1/webhook-deliveries/{delivery.pk}/replay/")
    assert replay.status_code == 202
    assert (replay.json()["replay_of"], replay.json()["event"], replay.json()["status"]) == (str(delivery.pk), str(event.pk), "pending")


def test_non_admins_have_no_access(bob_api, alice):
    with resolving(PUBLIC):
        endpoint, _ = make_endpoint(alice, URL)
    assert bob_api.get("/api/v1/webhooks/").status_code == 403
    assert bob_api.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert bob_api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 403
    assert bob_api.get("/api/v1/webhook-deliveries/").status_code == 403


def test_another_firms_endpoint_answers_404(carol, alice):
    carol_api = bearer_client(make_token(carol)[1])
    with resolving(PUBLIC):
        endpoint, _ = make_endpoint(alice, URL)
    assert carol_api.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 404
    assert carol_api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 404
    assert carol_api.get("/api/v1/webhooks/").json()["count"] == 0
