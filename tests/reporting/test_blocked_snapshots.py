"""Pre-invoices blocked over time: each evening the beat task stores, per firm, how many
pre-invoices are blocked per billed month and reason (taken twice a day, it replaces the day's
counts); the close page charts them day by day for the members who see the whole firm, unfiltered."""

from __future__ import annotations

import pytest
from django.conf import settings

from adv.tenancy.context import tenant_context
from billing.models import Invoice
from reporting import selectors, tasks
from reporting.models import BlockedSnapshot
from reporting.periods import period_of
from tests.reporting.support import D

pytestmark = pytest.mark.django_db


def _block(firm, invoice, *codes: str) -> None:
    with tenant_context(firm.tenant):
        Invoice.objects.filter(pk=invoice.pk).update(
            readiness="blocked" if codes else "ready",
            checks=[{"code": code, "level": "blocked", "message": code} for code in codes]
            + [{"code": "info_only", "level": "info", "message": "i"}],
        )


def test_the_daily_snapshot_and_its_chart(firm, carol, time_machine):
    tm = firm.deal("TM", firm.helios, "t_and_m")
    first = firm.invoice(tm, D(2026, 2, 1), "100.00")
    second = firm.invoice(tm, D(2026, 1, 1), "100.00")
    _block(firm, first, "missing_po", "missing_reception")
    _block(firm, second, "missing_po")
    time_machine.move_to("2026-03-02T22:45:00+01:00", tick=False)
    assert tasks.blocked_snapshot(str(firm.tenant.pk)) == 3
    assert tasks.blocked_snapshot(str(firm.tenant.pk)) == 3  # again the same day: replaced, not added
    _block(firm, first)  # the purchase order and the reception number came
    time_machine.move_to("2026-03-03T22:45:00+01:00", tick=False)
    tasks.blocked_snapshot(str(firm.tenant.pk))
    with tenant_context(carol.tenant):
        assert tasks.blocked_snapshot(str(carol.tenant.pk)) == 0  # another firm counts its own
        assert not BlockedSnapshot.objects.exists()
    period = period_of({"period": "month", "month": "2026-03"}, D(2026, 3, 4))
    with tenant_context(firm.tenant):
        assert BlockedSnapshot.objects.count() == 4
        report = selectors.close(firm.alice.membership, period, selectors.Filters())
        assert report.blocked_days == {
            "missing_po": {D(2026, 3, 2): 2, D(2026, 3, 3): 1},
            "missing_reception": {D(2026, 3, 2): 1},
        }
        # firm-wide counts: not for a sales member, not under a filter
        assert selectors.close(firm.sales.membership, period, selectors.Filters()).blocked_days is None
        assert selectors.close(firm.alice.membership, period, selectors.Filters(client=firm.helios.pk)).blocked_days is None
    html = firm.alice.client().get(firm.alice.url("reporting/close/") + "?period=month&month=2026-03").content.decode()
    assert "Préfactures bloquées au fil des jours" in html and "03/03/2026" in html
    assert "Préfactures bloquées au fil des jours" not in firm.sales.client().get(
        firm.sales.url("reporting/close/") + "?period=month&month=2026-03").content.decode()


def test_the_beat_takes_it_every_evening():
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-blocked-snapshots"]
    assert entry["task"] == "reporting.tasks.blocked_snapshots_all"
