"""The month-end close lists the invoices refused (by the client) or rejected (by the platform) on
the e-invoicing network during the period, from e-invoicing's status history, with their reason;
other statuses, other periods, invoices out of the reader's scope and other firms stay out."""

from __future__ import annotations

import datetime

import pytest

from adv.tenancy.context import tenant_context
from einvoicing.models import StatusEvent, Submission
from reporting import selectors
from reporting.periods import period_of
from tests.reporting.support import D

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-03-15T10:00:00+01:00", tick=False)]
PARIS = datetime.timezone(datetime.timedelta(hours=1))


def _status(firm, invoice, code: str, day: D, reason: str = "") -> None:
    with tenant_context(firm.tenant):
        submission, _created = Submission.objects.get_or_create(
            invoice=invoice, defaults={"channel": "xp_z12_013", "tracking_id": f"t-{invoice.pk}"}
        )
        StatusEvent.objects.create(
            submission=submission, invoice=invoice, code=code, reason=reason, event_id=f"{invoice.pk}-{code}-{day}",
            occurred_at=datetime.datetime(day.year, day.month, day.day, 0, 30, tzinfo=PARIS),
        )


def test_refused_and_rejected_invoices_of_the_period(firm, carol):
    tm = firm.deal("TM", firm.helios, "t_and_m")  # the sales member's deal
    other = firm.deal("OR", firm.orion, "t_and_m", owner=firm.alice)
    refused = firm.invoice(tm, D(2026, 1, 1), "100.00", issue=D(2026, 2, 2), due=D(2026, 3, 4))
    rejected = firm.invoice(other, D(2026, 1, 1), "200.00", issue=D(2026, 2, 3), due=D(2026, 3, 5))
    approved = firm.invoice(tm, D(2026, 2, 1), "300.00", issue=D(2026, 3, 2), due=D(2026, 4, 1))
    old = firm.invoice(tm, D(2025, 10, 1), "400.00", issue=D(2025, 11, 3), due=D(2025, 12, 3))
    _status(firm, refused, "202", D(2026, 2, 3))
    _status(firm, refused, "210", D(2026, 2, 10), "Bon de commande absent")
    _status(firm, rejected, "213", D(2026, 3, 1), "SIRET du destinataire inconnu")  # 00:30 in Paris: 1 March
    _status(firm, approved, "205", D(2026, 3, 5))
    _status(firm, old, "210", D(2025, 11, 20), "Hors période")
    period = period_of({"period": "range", "start": "2026-01", "end": "2026-03"}, D(2026, 3, 15))
    with tenant_context(firm.tenant):
        report = selectors.close(firm.alice.membership, period, selectors.Filters())
        assert [(r.number, r.day, r.label, r.reason) for r in report.refusals] == [
            (rejected.number, D(2026, 3, 1), "Rejetée", "SIRET du destinataire inconnu"),
            (refused.number, D(2026, 2, 10), "Refusée", "Bon de commande absent"),
        ]
        assert report.refusals[1].client == "Helios"
        # a sales member reads his own deals' invoices only
        mine = selectors.close(firm.sales.membership, period, selectors.Filters())
        assert [r.number for r in mine.refusals] == [refused.number]
        # the client filter narrows it
        orion = selectors.close(firm.alice.membership, period, selectors.Filters(client=firm.orion.pk))
        assert [r.number for r in orion.refusals] == [rejected.number]
    page = firm.alice.client().get(firm.alice.url("reporting/close/") + "?period=range&start=2026-01&end=2026-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Factures refusées ou rejetées" in html and "SIRET du destinataire inconnu" in html
    assert f"/billing/invoices/{refused.pk}/" in html
    # another firm sees none of them
    with tenant_context(carol.tenant):
        assert selectors.close(carol.membership, period, selectors.Filters()).refusals == []
