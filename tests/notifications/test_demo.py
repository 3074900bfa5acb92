"""The demo data of the notifications app loads, and loading it again adds nothing."""

import pytest

from adv.tenancy import demo as tenancy_demo
from adv.tenancy.context import tenant_context
from notifications import demo
from notifications.models import Notification, OutboxEmail

pytestmark = [pytest.mark.django_db, pytest.mark.today]


def test_demo_notifications_are_loaded_once():
    tenant = tenancy_demo.seed()
    with tenant_context(tenant):
        demo.seed(tenant)
        first = Notification.objects.count(), OutboxEmail.objects.count()
        demo.seed(tenant)
        assert (Notification.objects.count(), OutboxEmail.objects.count()) == first
    assert first[0] >= 5 and first[1] >= 1
