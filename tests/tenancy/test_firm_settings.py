"""A firm's settings are read without writing; only the explicit writer creates the row."""

from decimal import Decimal

import pytest
from django.db import transaction

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import TenantContextMissing
from adv.tenancy.firm_settings import settings_ensure, settings_for_update, settings_read
from billing import services as billing_services
from billing.models import BillingPolicy
from deals import selectors as deal_selectors
from deals import services as deal_services
from deals.models import DealPolicy
from timesheets import services as timesheet_services
from timesheets.closing import selectors as closing_selectors
from timesheets.models import TimesheetPolicy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [BillingPolicy, DealPolicy, TimesheetPolicy])
def test_reading_a_firms_settings_that_were_never_saved_gives_the_defaults_and_creates_no_row(alice, model):
    with tenant_context(alice.tenant):
        found = settings_read(model)
        assert found._state.adding and found.tenant_id == alice.tenant.pk
        assert not model.objects.exists()


def test_every_app_reads_through_the_same_reader(alice):
    with tenant_context(alice.tenant):
        assert billing_services.policy().default_vat_rate == Decimal("20.00")
        assert deal_services.policy().chase_every_days == deal_selectors.policy_get().chase_every_days
        assert timesheet_services.policy().unit == closing_selectors.rules().unit
        assert not BillingPolicy.objects.exists()
        assert not DealPolicy.objects.exists()
        assert not TimesheetPolicy.objects.exists()


def test_reading_returns_the_firms_own_saved_row_never_another_firms(alice, carol):
    with tenant_context(carol.tenant):
        settings_ensure(DealPolicy)
        DealPolicy.objects.update(chase_every_days=9)
    with tenant_context(alice.tenant):
        assert settings_read(DealPolicy).chase_every_days == 3
        assert not DealPolicy.objects.exists()
    with tenant_context(carol.tenant):
        assert settings_read(DealPolicy).chase_every_days == 9


def test_the_writer_creates_the_row_once_and_locks_it(alice):
    with tenant_context(alice.tenant), transaction.atomic():
        first = settings_for_update(BillingPolicy)
        again = settings_for_update(BillingPolicy)
        assert first.pk == again.pk
        assert BillingPolicy.objects.count() == 1


def test_reading_outside_a_firm_is_a_programming_error():
    with pytest.raises(TenantContextMissing):
        settings_read(BillingPolicy)
