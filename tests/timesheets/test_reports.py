"""The late-submitters report from fixed timestamps (delays in the firm's time zone, median,
habitual flag by the firm's rule) and the month's completion figures (per manager, with the
people behind them), each in a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from tests.factories import ClientApprovalFactory
from timesheets import calendar as cal
from timesheets.closing import selectors as closing_selectors
from timesheets.models import ClientApproval, ClientApprovalStatus, TimesheetPolicy, TimesheetStatus

from . import test_closing_support as support
from .test_closing_support import MAY, PARIS, at, person, timesheet

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 7, 10)  # June's deadline (Friday 26 June) has passed, July's has not
JUNE_JOINERS = datetime.datetime(2026, 6, 1, tzinfo=PARIS)


def deadline(month: datetime.date) -> datetime.date:
    return cal.propose_deadlines(month, TimesheetPolicy())["submission_deadline"]


def submitted_after(member, month: datetime.date, days: int, *, hour: int = 10):
    """A timesheet of `month` first submitted `days` days after its deadline (0: on the day)."""
    return timesheet(member, month, TimesheetStatus.APPROVED, submitted=at(deadline(month) + datetime.timedelta(days=days), hour))


@pytest.fixture
def history(alice):
    tenant = alice.tenant
    habitual = person(tenant, "consultant", "Paul", "Habitude", joined=JUNE_JOINERS)
    once = person(tenant, "consultant", "Quentin", "Unefois", joined=JUNE_JOINERS)
    never = person(tenant, "consultant", "Rose", "Absente", joined=JUNE_JOINERS)
    punctual = person(tenant, "consultant", "Sami", "Ponctuel", joined=JUNE_JOINERS)
    m = datetime.date
    # Paul: late in September 2025 (10 days), January (2), March (5) and June (1) 2026
    for month, days in ((m(2025, 9, 1), 10), (m(2026, 1, 1), 2), (m(2026, 2, 1), 0), (m(2026, 3, 1), 5),
                        (m(2026, 4, 1), -1), (m(2026, 5, 1), 0), (m(2026, 6, 1), 1)):
        submitted_after(habitual, month, days)
    # Quentin: late once, in February (3 days); on time in June
    submitted_after(once, m(2026, 2, 1), 3)
    submitted_after(once, m(2026, 6, 1), 0)
    # Sami: June submitted at 00:30 Paris on the day after the deadline (still the deadline's
    # date in UTC): late by one day in the firm's time zone; May at 23:30 on the deadline: on time
    submitted_after(punctual, m(2026, 6, 1), 1, hour=0)
    timesheet(punctual, m(2026, 5, 1), TimesheetStatus.SUBMITTED,
              submitted=datetime.datetime.combine(deadline(m(2026, 5, 1)), datetime.time(23, 30), tzinfo=PARIS))
    return {"habitual": habitual, "once": once, "never": never, "punctual": punctual}


def _by_name(rows):
    return {row.membership.user.first_name: row for row in rows}


def test_the_month_report_lists_who_submitted_late_and_by_how_much(alice, history):
    june = datetime.date(2026, 6, 1)
    with tenant_context(alice.tenant):
        page = closing_selectors.late_for_month(month=june, today=TODAY)
    late = {row.membership.user.first_name: row.delay_days for row in page.rows}
    # Rose never submitted: late so far, 14 days after Friday 26 June
    assert late == {"Rose": 14, "Paul": 1, "Sami": 1}
    assert [row.membership.user.first_name for row in page.rows][0] == "Rose"
    assert page.count == 3
    assert not _by_name(page.rows)["Rose"].submitted


def test_the_history_counts_late_months_with_their_median_and_flags_the_habitually_late(alice, history):
    with tenant_context(alice.tenant):
        page, months = closing_selectors.lateness_by_person(today=TODAY)
    rows = _by_name(page.rows)
    assert months[0] == datetime.date(2025, 7, 1) and months[-1] == datetime.date(2026, 6, 1)
    paul = rows["Paul"]
    assert (paul.late_6, paul.median_6) == (3, 2)  # January 2, March 5, June 1
    assert (paul.late_12, paul.median_12) == (4, 3.5)  # and September 10
    assert paul.habitually_late
    quentin = rows["Quentin"]
    assert (quentin.late_6, quentin.late_12, quentin.median_12) == (1, 1, 3) and not quentin.habitually_late
    assert rows["Rose"].late_6 == 1 and rows["Rose"].median_6 == 14
    # the habitually late come first; nobody who was never late is listed
    assert page.rows[0].membership.user.first_name == "Paul"
    assert set(rows) == {"Paul", "Quentin", "Rose", "Sami"}


def test_the_habitual_rule_is_the_firms(alice, history):
    # given a firm stricter than the default: late twice in the last 3 months
    with tenant_context(alice.tenant):
        TimesheetPolicy.objects.update_or_create(defaults={"habitually_late_count": 2, "habitually_late_window_months": 3})
        page, _months = closing_selectors.lateness_by_person(today=TODAY)
    # then Paul (late in June only, within April–June) is no longer flagged
    assert not _by_name(page.rows)["Paul"].habitually_late


def test_the_late_report_takes_two_queries_whatever_the_number_of_people(alice, history):
    with tenant_context(alice.tenant):
        closing_selectors.rules()  # the policy, read once by the page
        with CaptureQueriesContext(connection) as few:
            closing_selectors.lateness_by_person(today=TODAY)
            closing_selectors.late_for_month(month=datetime.date(2026, 6, 1), today=TODAY)
    for i in range(8):
        person(alice.tenant, "consultant", f"Extra{i}", "Retard", joined=JUNE_JOINERS)
    with tenant_context(alice.tenant):
        closing_selectors.rules()
        with CaptureQueriesContext(connection) as many:
            closing_selectors.lateness_by_person(today=TODAY)
            closing_selectors.late_for_month(month=datetime.date(2026, 6, 1), today=TODAY)
    assert len(many) == len(few)


# --- Completion ------------------------------------------------------------------------------------


def _client_approval(alice, timesheet_row, status):
    """A client approval row on `timesheet_row` (a deal that requires a signed timesheet)."""
    from clients import services as client_services
    from deals import services as deal_services

    with tenant_context(alice.tenant):
        client = client_services.client_create(actor=alice.membership, legal_name="Helios Énergies SA", status="client")
        deal = deal_services.deal_create(
            actor=alice.membership, client=client, deal_type="t_and_m", title="Portail",
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
        )
        return ClientApprovalFactory(timesheet=timesheet_row, deal=deal, status=status)


def test_completion_counts_submitted_approved_and_client_approved_per_manager(alice, firm):
    # given the firm of May: two late, one approved, one waiting for approval, one without manager
    approved = timesheet(firm.done, MAY, TimesheetStatus.APPROVED, submitted=at(datetime.date(2026, 5, 20)))
    _client_approval(alice, approved, ClientApprovalStatus.PENDING)
    with tenant_context(firm.tenant):
        with CaptureQueriesContext(connection) as queries:
            figures = closing_selectors.completion(month=MAY, zone=PARIS)
    assert len(queries) == 1
    total = figures.total
    assert (total.expected, total.submitted, total.approved, total.client_required, total.client_approved) == (5, 2, 1, 1, 0)
    assert (total.submitted_pct, total.approved_pct, total.client_approved_pct) == (40, 20, 0)
    teams = {line.manager_name: line for line in figures.teams}
    assert set(teams) == {"Manon Chef", ""}
    assert (teams["Manon Chef"].expected, teams["Manon Chef"].submitted, teams["Manon Chef"].missing) == (4, 2, 2)
    assert (teams[""].expected, teams[""].missing) == (1, 1)
    # when the client approves, the share follows
    with tenant_context(firm.tenant):
        ClientApproval.objects.update(status=ClientApprovalStatus.APPROVED)
        assert closing_selectors.completion(month=MAY, zone=PARIS).total.client_approved == 1


def test_the_people_behind_the_figures_are_filtered_by_what_they_miss(firm):
    with tenant_context(firm.tenant):
        missing = [m.user.first_name for m in closing_selectors.completion_people(month=MAY, show="missing", zone=PARIS)]
        waiting = [m.user.first_name for m in closing_selectors.completion_people(month=MAY, show="pending_approval", zone=PARIS)]
        team = [m.user.first_name for m in closing_selectors.completion_people(month=MAY, show="all", manager_id=firm.manager.membership.pk, zone=PARIS)]
        everyone = list(closing_selectors.completion_people(month=MAY, show="all", zone=PARIS))
    assert missing == ["Lise", "Luc", "Olga"]  # by last name: Brouillon, Lent, Seule
    assert waiting == ["Wendy"]
    assert sorted(team) == ["Dan", "Lise", "Luc", "Wendy"]
    assert {m.user.first_name: m.ts_status for m in everyone}["Dan"] == TimesheetStatus.APPROVED


def test_completion_of_a_manager_covers_their_team_only(firm):
    with tenant_context(firm.tenant):
        figures = closing_selectors.completion(month=MAY, team_of=firm.manager.membership, zone=PARIS)
    assert figures.total.expected == 4


def test_a_consultant_who_joined_after_the_month_is_not_expected_for_it(firm):
    person(firm.tenant, "consultant", "Nina", "Nouvelle", joined=datetime.datetime(2026, 6, 3, tzinfo=PARIS))
    with tenant_context(firm.tenant):
        assert closing_selectors.completion(month=MAY, zone=PARIS).total.expected == 5
        assert closing_selectors.completion(month=datetime.date(2026, 6, 1), zone=PARIS).total.expected == 6

