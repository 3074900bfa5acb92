"""Each firm works in its own time zone: pages, API and Celery tasks see the firm's clock."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from adv.api.models import ApiToken
from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership, Tenant
from adv.tenancy.tasks import tenant_task

pytestmark = pytest.mark.django_db

# 12:00 UTC: 13:00 in Paris (winter), 21:00 in Tokyo; 02:00 UTC is still "yesterday" in New York.
NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@tenant_task()
def report_clock(tenant_id):
    return timezone.get_current_timezone_name(), timezone.localdate(datetime(2026, 1, 15, 2, 0, tzinfo=UTC))


def _token_used_at_noon(persona) -> str:
    with tenant_context(persona.tenant):
        token, raw = api_token_create(actor=persona.membership, name="Tableur")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=NOON_UTC)
    return raw


def _move(tenant, zone: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(time_zone=zone)


def test_pages_show_times_in_the_firms_time_zone(alice, carol):
    # given alice's firm in Tokyo and carol's in Paris, each with a token last used at 12:00 UTC
    _move(alice.tenant, "Asia/Tokyo")
    _token_used_at_noon(alice)
    _token_used_at_noon(carol)
    # when each looks at the tokens page
    tokyo = alice.client().get(alice.url("tokens/")).content.decode()
    paris = carol.client().get(carol.url("tokens/")).content.decode()
    # then each sees the time of their own firm's clock
    assert "15/01/2026 21:00" in tokyo and "13:00" not in tokyo
    assert "15/01/2026 13:00" in paris
    # and the request leaves the process in the default zone
    assert timezone.get_current_timezone_name() == "Europe/Paris"


def test_api_datetimes_carry_the_firms_offset(alice):
    # given alice's firm in Tokyo
    _move(alice.tenant, "Asia/Tokyo")
    raw = _token_used_at_noon(alice)
    # when an integration lists its members with a bearer token
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/memberships/")
    # then datetimes are given in the firm's zone
    assert response.status_code == 200
    [member] = response.json()["results"]
    assert member["created_at"].endswith("+09:00")
    assert timezone.get_current_timezone_name() == "Europe/Paris"


def test_tenant_task_computes_today_in_the_firms_time_zone(alice):
    # given alice's firm in New York, where 02:00 UTC on the 15th is still the 14th
    _move(alice.tenant, "America/New_York")
    # when a tenant task asks for the zone and the local date
    zone, day = report_clock(str(alice.tenant.pk))
    # then it gets the firm's, and the worker is back in the default zone afterwards
    assert zone == "America/New_York"
    assert day.isoformat() == "2026-01-14"
    assert timezone.get_current_timezone_name() == "Europe/Paris"


def test_tenant_task_leaves_the_time_zone_even_when_it_fails(alice):
    _move(alice.tenant, "Asia/Tokyo")

    @tenant_task()
    def failing(tenant_id):
        assert timezone.get_current_timezone_name() == "Asia/Tokyo"
        assert Membership.objects.count() == 1
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing.run(str(alice.tenant.pk))
    assert timezone.get_current_timezone_name() == "Europe/Paris"
