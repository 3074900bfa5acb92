"""The invoice's dunning history: every reminder, pause, dispute and promise (noted, then kept or
broken) is a line of the "Relances" block, newest first, with who did it; no query of its own."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from dunning import services

from .conftest import at, late

pytestmark = pytest.mark.django_db


def _kinds(page: str) -> list[str]:
    history = page.split('data-testid="dunning-history"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'data-kind="([a-z_]+)"', history)


def _page(firm, invoice):
    client = firm.adv.client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(firm.adv.url(f"billing/invoices/{invoice.pk}/"))
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_every_dunning_event_is_in_the_invoice_history_newest_first(overdue, time_machine):
    firm, invoice = overdue.firm, overdue.invoice
    time_machine.move_to(at(late(8)), tick=False)
    page, before = _page(firm, invoice)
    assert 'data-testid="dunning-history"' not in page and "Aucune relance envoyée" in page
    with tenant_context(firm.tenant):
        services.reminder_send_now(actor=firm.adv.membership, invoice=invoice)
        time_machine.move_to(at(late(8), 10), tick=False)
        services.promise_record(actor=firm.adv.membership, invoice=invoice, promised_on=late(12), amount="100")
    time_machine.move_to(at(late(13)), tick=False)
    with tenant_context(firm.tenant):
        assert services.promises_check() == (0, 1)  # nothing was paid: broken
        time_machine.move_to(at(late(13), 10), tick=False)
        services.pause_create(actor=firm.adv.membership, invoice=invoice, reason="Avoir attendu", dispute=True)
        time_machine.move_to(at(late(14)), tick=False)
        services.pause_end(actor=firm.adv.membership, invoice=invoice)
    page, after = _page(firm, invoice)
    assert _kinds(page) == ["dispute_end", "dispute", "promise_broken", "promise", "reminder"]
    assert "Promesse non tenue" in page and "Litige clos" in page and "Avoir attendu" in page
    assert page.count("Sophie Bernard") >= 4  # the reminder, the promise, the dispute opened and closed
    # the history reads the rows the block loads anyway: a constant number of queries
    assert after == before + 1 or after == before, (before, after)


def test_a_pause_until_a_date_and_its_lifting(overdue, time_machine):
    firm, invoice = overdue.firm, overdue.invoice
    time_machine.move_to(at(late(8)), tick=False)
    with tenant_context(firm.tenant):
        services.pause_create(actor=firm.adv.membership, invoice=invoice, reason="Congés du client", until=late(20))
        time_machine.move_to(at(late(9)), tick=False)
        services.pause_end(actor=firm.adv.membership, invoice=invoice)
    page, _queries = _page(firm, invoice)
    assert _kinds(page) == ["pause_end", "pause"]
    assert "en pause jusqu&#x27;au 22/12/2026" in page.replace("Relances en pause", "en pause")
