"""SSRF: only http(s) URLs whose resolved addresses are public, checked when an endpoint is saved
and again before every attempt, after DNS resolution (a name may later resolve inside)."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from tests.webhooks.conftest import make_endpoint, resolving
from webhooks import services, targets
from webhooks.errors import TargetRefused
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.216.34"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://erp.example.com/hooks",
        "file:///etc/passwd",
        "gopher://erp.example.com/",
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",
        "http://172.16.0.9/hooks",
        "http://192.168.1.10/hooks",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://100.64.0.1/hooks",  # shared address space (carrier-grade NAT)
        "http://0.0.0.0/hooks",
        "http://[::1]/hooks",
        "http://[fe80::1]/hooks",
        "http://[fc00::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped loopback
        "http://240.0.0.1/hooks",  # reserved
        "http://224.0.0.1/hooks",  # multicast
        "https://user:pass@erp.example.com/hooks",
        "http:///hooks",
    ],
)
def test_refused_at_save(alice, url):
    with resolving({"erp.example.com": PUBLIC}), pytest.raises(TargetRefused) as refused:
        make_endpoint(alice, url)
    assert refused.value.field == "url"


def test_a_name_resolving_to_loopback_is_refused(alice):
    with resolving({"innocent.example.com": "127.0.0.1"}), pytest.raises(TargetRefused) as refused:
        make_endpoint(alice, "https://innocent.example.com/hooks")
    assert "127.0.0.1" in refused.value.message


def test_a_name_that_does_not_resolve_is_refused(alice):
    with pytest.raises(TargetRefused):
        make_endpoint(alice, "https://no-such-host.invalid/hooks")


def test_a_public_address_is_accepted(alice):
    with resolving({"erp.example.com": PUBLIC}):
        endpoint, secret = make_endpoint(alice, "https://erp.example.com/hooks?source=adv")
    target = targets.Target  # the checked target keeps the path and the query
    with resolving({"erp.example.com": PUBLIC}):
        resolved = targets.resolve(endpoint.url)
    assert isinstance(resolved, target) and resolved.path == "/hooks?source=adv" and resolved.addresses == (PUBLIC,)


def test_a_name_that_turns_private_after_save_is_refused_at_send_time(alice, receiver):
    """DNS rebinding: public when saved, 127.0.0.1 (where a receiver listens) when sent."""
    url = f"http://rebind.example.com:{receiver.port}/hooks"
    with resolving({"rebind.example.com": PUBLIC}):
        make_endpoint(alice, url)
    with tenant_context(alice.tenant):
        event = services.events_record("invoice.issued", [{"id": "x"}])[0]
        delivery = Delivery.objects.get(event=event)
    with resolving({"rebind.example.com": "127.0.0.1"}):
        status = services.delivery_attempt(tenant_id=alice.tenant.pk, delivery_id=delivery.pk)
    assert status == "pending"  # retried later, in case the name is fixed
    assert receiver.requests == []
    with tenant_context(alice.tenant):
        assert "127.0.0.1" in Delivery.objects.get(pk=delivery.pk).error


def test_private_targets_are_allowed_when_the_setting_says_so(alice, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint, _ = make_endpoint(alice, receiver.url)
    assert endpoint.url == receiver.url
    with pytest.raises(TargetRefused):  # the scheme is checked all the same
        make_endpoint(alice, "ftp://127.0.0.1/")


def test_an_edit_is_checked_too(alice):
    with resolving({"erp.example.com": PUBLIC}):
        endpoint, _ = make_endpoint(alice, "https://erp.example.com/hooks")
    with tenant_context(alice.tenant), pytest.raises(TargetRefused):
        services.endpoint_update(actor=alice.membership, endpoint_id=endpoint.pk, url="http://169.254.169.254/")
