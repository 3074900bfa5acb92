"""The settings pages: admins only, the secret shown once at creation and rotation, the test
event and the replay from the log, the sidebar entry."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from tests.webhooks.conftest import make_endpoint, resolving
from webhooks import services
from webhooks.models import Delivery, DeliveryStatus, Endpoint

pytestmark = pytest.mark.django_db

PUBLIC = {"erp.example.com": "93.184.216.34"}


def test_create_shows_the_secret_once(alice):
    client = alice.client()
    assert client.get(alice.url("settings/webhooks/new/")).status_code == 200
    with resolving(PUBLIC):
        response = client.post(
            alice.url("settings/webhooks/new/"),
            {"url": "https://erp.example.com/hooks", "description": "ERP", "event_types": ["invoice.issued", "deal.signed"], "is_enabled": "on"},
        )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    with tenant_context(alice.tenant):
        endpoint = Endpoint.objects.get()
    assert endpoint.event_types == ["invoice.issued", "deal.signed"]
    detail = client.get(alice.url(f"settings/webhooks/{endpoint.pk}/"))
    assert detail.status_code == 200 and secret not in detail.content.decode()
    assert "https://erp.example.com/hooks" in client.get(alice.url("settings/webhooks/")).content.decode()


def test_a_private_url_is_shown_on_the_form(alice):
    response = alice.client().post(
        alice.url("settings/webhooks/new/"), {"url": "http://192.168.0.10/hooks", "event_types": ["invoice.issued"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    with tenant_context(alice.tenant):
        assert not Endpoint.objects.exists()


def test_rotate_test_edit_and_replay_from_the_pages(alice):
    with resolving(PUBLIC):
        endpoint, secret = make_endpoint(alice, "https://erp.example.com/hooks")
    client = alice.client()
    rotated = client.post(alice.url(f"settings/webhooks/{endpoint.pk}/rotate-secret/"))
    assert rotated.status_code == 200 and rotated.context["secret"] != secret
    assert client.post(alice.url(f"settings/webhooks/{endpoint.pk}/test/")).status_code == 302
    with tenant_context(alice.tenant):
        delivery = Delivery.objects.get(endpoint=endpoint)
        Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error="HTTP 500")
    page = client.get(alice.url(f"settings/webhooks/{endpoint.pk}/?status=failed")).content.decode()
    assert "webhook.test" in page and 'data-testid="delivery-replay"' in page
    assert client.post(alice.url(f"settings/webhooks/deliveries/{delivery.pk}/replay/")).status_code == 302
    with tenant_context(alice.tenant):
        assert Delivery.objects.filter(replay_of=delivery).count() == 1
    with resolving(PUBLIC):
        edited = client.post(
            alice.url(f"settings/webhooks/{endpoint.pk}/edit/"),
            {"url": "https://erp.example.com/v2", "event_types": ["payment.recorded"]},
        )
    assert edited.status_code == 302
    with tenant_context(alice.tenant):
        endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.is_enabled) == ("https://erp.example.com/v2", ["payment.recorded"], False)


def test_pages_are_for_admins(alice, bob):
    with resolving(PUBLIC):
        endpoint, _ = make_endpoint(alice, "https://erp.example.com/hooks")
    client = bob.client()
    assert client.get(bob.url("settings/webhooks/")).status_code == 403
    assert client.get(bob.url(f"settings/webhooks/{endpoint.pk}/")).status_code == 403
    assert client.post(bob.url(f"settings/webhooks/{endpoint.pk}/rotate-secret/")).status_code == 403
    assert 'data-testid="nav-webhooks"' not in client.get(bob.url("")).content.decode()
    assert 'data-testid="nav-webhooks"' in alice.client().get(alice.url("")).content.decode()


def test_the_disabled_reason_is_shown(alice):
    with resolving(PUBLIC):
        endpoint, _ = make_endpoint(alice, "https://erp.example.com/hooks")
    with tenant_context(alice.tenant):
        services.endpoint_update(actor=alice.membership, endpoint_id=endpoint.pk, is_enabled=False)
    page = alice.client().get(alice.url("settings/webhooks/")).content.decode()
    assert "Désactivé" in page
