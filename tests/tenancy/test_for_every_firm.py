"""Periodic work runs once per active firm, each in its own context (adv/tenancy/tasks.py)."""

import pytest
from django.utils import timezone

from adv.tenancy.context import current_tenant_id
from adv.tenancy.tasks import active_tenant_ids, fan_out, for_each_active_tenant
from tests.factories import TenantFactory

pytestmark = pytest.mark.django_db


class RecordingTask:
    def __init__(self):
        self.queued = []

    def delay(self, tenant_id):
        self.queued.append(tenant_id)


@pytest.fixture
def firms(tenant_a, tenant_b):
    closed = TenantFactory(slug="closed", name="Closed SARL", is_active=False)
    return tenant_a, tenant_b, closed


def test_fan_out_queues_one_task_per_active_firm_and_skips_inactive_ones(firms):
    alpha, bravo, closed = firms
    task = RecordingTask()
    assert fan_out(task) == 2
    assert sorted(task.queued) == sorted([str(alpha.pk), str(bravo.pk)])
    assert str(closed.pk) not in active_tenant_ids()


def test_a_sweep_runs_in_each_active_firms_context_and_time_zone(firms):
    alpha, bravo, _closed = firms
    type(bravo).objects.filter(pk=bravo.pk).update(time_zone="Asia/Tokyo")
    seen = for_each_active_tenant(lambda: (current_tenant_id(), timezone.get_current_timezone_name()))
    assert sorted(seen) == sorted([(alpha.pk, alpha.time_zone), (bravo.pk, "Asia/Tokyo")])
    assert current_tenant_id() is None  # left afterwards


def test_one_firms_failure_does_not_stop_the_others(firms):
    alpha, bravo, _closed = firms

    def run():
        if current_tenant_id() == alpha.pk:
            raise RuntimeError("alpha is broken")
        return current_tenant_id()

    assert for_each_active_tenant(run) == [bravo.pk]
    assert current_tenant_id() is None
