"""The demo firm has a year of history: every chart shows something, the numbers stay gap-free and
chronological per (series, year) beside billing's demo, and seeding again changes nothing."""

from __future__ import annotations

import os
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from billing.models import Invoice, Payment
from reporting import selectors
from reporting.demo import HISTORY, first_month
from reporting.periods import period_of

pytestmark = pytest.mark.today


def _state(tenant):
    with tenant_context(tenant):
        return (sorted(Invoice.objects.values_list("number", "status", "total_net", "amount_paid"), key=str), Payment.objects.count())


def test_the_demo_history_fills_every_report_and_keeps_numbers_chronological(demo_tenant):
    today = timezone.localdate()
    with tenant_context(demo_tenant):
        history = Invoice.objects.filter(group_key__startswith=HISTORY)
        assert history.count() >= 25 and history.filter(kind="credit_note").exists()
        assert history.order_by("month").first().month == first_month(today)
        series = defaultdict(list)
        for kind, number, day in Invoice.objects.filter(number__isnull=False).values_list("kind", "number", "issue_date"):
            series[(kind, day.year)].append((int(number.rsplit("-", 1)[1]), day))
        for rows in series.values():
            rows.sort()
            assert [n for n, _d in rows] == list(range(1, len(rows) + 1))  # no gap
            assert [d for _n, d in rows] == sorted(d for _n, d in rows)  # chronological
        admin = Membership.objects.get(user__email="adv@demo.adv.test")
        period = period_of({}, today)
        filters = selectors.Filters()
        revenue = selectors.revenue(admin, period, filters)
        assert len({t for m in revenue.months for t, v in m.by_type.items() if v}) == 3
        assert sum(1 for m in revenue.months if m.expected) >= 9  # the history's months in the window
        receivables = selectors.receivables(admin, period, filters, today)
        assert receivables.total and receivables.delays and any(v for _d, v in receivables.dso)
        assert sum(1 for b in receivables.buckets.values() if b) >= 2
        accruals = selectors.accruals(admin, period, filters)
        assert any(p.pca for p in accruals.evolution) and any(p.fae for p in accruals.evolution)
        close = selectors.close(admin, period, filters)
        assert sum(1 for m in close.months if m.issued) >= 10 and close.on_time_percent is not None


def test_seeding_the_demo_again_changes_nothing(demo_tenant):
    first = _state(demo_tenant)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert _state(demo_tenant) == first
