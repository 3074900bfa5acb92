"""The managers' approval queue: whose timesheets, filters, bulk approval, and a constant number
of queries whatever the number of consultants (a firm of 2,000 pages through it)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    fill,
    line,
    open_month,
    reload,
    submitted,
    team_with_submitted_may,
    working_days_of_assignment,
)
from timesheets.models import TimesheetStatus

pytestmark = pytest.mark.django_db

# Fixtures shared by the timesheet tests.
firm = support.firm
frozen = support.frozen


def filled_and_submitted(firm, person, deal=None):
    timesheet = open_month(person)
    work = line(timesheet, deal=deal or firm.deal)
    fill(person, timesheet, [(work, d, "1") for d in working_days_of_assignment()])
    return submitted(person, timesheet)


def rows(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'data-testid="queue-row" data-consultant="([^"]*)"', html)


def test_a_manager_sees_their_reports_only_and_adv_sees_everyone(firm):
    # given submitted months for Chloé and Hugo (Manon's team) and bob (alice's)
    for person in (firm.chloe, firm.bob):
        filled_and_submitted(firm, person)
    filled_and_submitted(firm, firm.hugo, deal=firm.other_deal)
    # when Manon and Sophie (ADV) open the queue
    manon = rows(firm.manager.client().get(firm.manager.url("timesheets/approvals/")))
    sophie = rows(firm.adv.client().get(firm.adv.url("timesheets/approvals/")))
    # then Manon sees her two reports; Sophie all three
    assert sorted(manon) == ["Chloé David", "Hugo Leroy"]
    assert len(sophie) == 3 and {"Chloé David", "Hugo Leroy"} < set(sophie)
    assert any(name.startswith("Bob") for name in sophie)


def test_the_queue_filters_by_month_status_andteam_with_submitted_may(firm):
    # given Chloé submitted May, Hugo still in draft, bob submitted
    filled_and_submitted(firm, firm.chloe)
    filled_and_submitted(firm, firm.bob)
    open_month(firm.hugo)
    client = firm.adv.client()
    url = firm.adv.url("timesheets/approvals/")
    # then by default: what awaits approval
    assert len(rows(client.get(url))) == 2
    # drafts only
    assert rows(client.get(url, {"status": "draft"})) == ["Hugo Leroy"]
    # every status, Manon's team
    assert sorted(rows(client.get(url, {"status": "all", "manager": str(firm.manager.membership.pk)}))) == ["Chloé David", "Hugo Leroy"]
    # another month: nothing
    assert rows(client.get(url, {"status": "all", "month": "2026-04"})) == []


def test_bulk_approval_approves_the_selected_reports_and_nothing_else(firm):
    # given Chloé and Hugo (Manon's) and bob (not hers) submitted
    chloe = filled_and_submitted(firm, firm.chloe)
    hugo = filled_and_submitted(firm, firm.hugo, deal=firm.other_deal)
    bob = filled_and_submitted(firm, firm.bob)
    # when Manon selects the three (bob's id slipped in) and approves
    response = firm.manager.client().post(
        firm.manager.url("timesheets/approvals/approve/"),
        {"timesheet": [str(chloe.pk), str(hugo.pk), str(bob.pk), "not-an-id"], "next": "/t/alpha/timesheets/approvals/?status=all"},
    )
    # then hers are approved by her, bob's is untouched, and she goes back to her filtered queue
    assert response.status_code == 302 and response["Location"] == "/t/alpha/timesheets/approvals/?status=all"
    assert reload(chloe).status == reload(hugo).status == TimesheetStatus.APPROVED
    assert reload(chloe).approved_by_id == firm.manager.membership.pk
    assert reload(bob).status == TimesheetStatus.SUBMITTED


def test_bulk_approval_reports_the_ones_that_could_not_be_approved(firm):
    # given Chloé's draft (not submitted) selected by ADV with Hugo's submitted month
    draft = open_month(firm.chloe)
    hugo = filled_and_submitted(firm, firm.hugo, deal=firm.other_deal)
    client = firm.adv.client()
    response = client.post(firm.adv.url("timesheets/approvals/approve/"), {"timesheet": [str(draft.pk), str(hugo.pk)]}, follow=True)
    html = response.content.decode()
    assert "1 CRA validé(s)" in html
    assert "Seul un CRA soumis se valide." in html
    assert reload(draft).status == TimesheetStatus.DRAFT and reload(hugo).status == TimesheetStatus.APPROVED


def test_the_queue_is_open_to_managers_and_adv_only(firm):
    assert firm.bob.client().get(firm.bob.url("timesheets/approvals/")).status_code == 403
    assert firm.manager.client().get(firm.manager.url("timesheets/approvals/")).status_code == 200


@pytest.mark.parametrize("who", ["manager", "adv"])
def test_the_queue_runs_a_constant_number_of_queries_5_or_30_timesheets(firm, who):
    person = getattr(firm, who)
    client = person.client()
    url = person.url("timesheets/approvals/")
    client.get(url)  # warm the session

    def count(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(rows(response)) == expected_rows
        return len(queries)

    team_with_submitted_may(firm, 5, 0)
    five = count(5)
    team_with_submitted_may(firm, 25, 5)
    thirty = count(30)
    assert thirty == five, f"{five} queries for 5 rows, {thirty} for 30"


def test_the_queue_shows_totals_lateness_and_client_approvals(firm):
    team_with_submitted_may(firm, 1, 0)
    html = firm.manager.client().get(firm.manager.url("timesheets/approvals/")).content.decode()
    assert f"{len(working_days_of_assignment())} j" in html  # worked
    assert "1 j" in html  # leave
    assert "jours de retard" in html  # submitted on 3 June, after the May deadline
    assert f"{firm.deal.reference} · En attente" in html
