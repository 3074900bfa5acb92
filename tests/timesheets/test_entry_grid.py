"""The consultant's month: the grid of May 2026 (weekends, 1 May, 8 May, Ascension, Whit Monday),
every grid rule, optimistic locking, the month page and its query count."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import Conflict, DomainError
from deals import services as deal_services
from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    JULY,
    MAY,
    entries_of,
    fill,
    line,
    may,
    open_month,
    reload,
    require_on_client,
    set_policy,
    shown_rates,
    working_days_of_assignment,
)
from timesheets import selectors, services
from timesheets.models import Timesheet, TimesheetStatus

pytestmark = pytest.mark.django_db

# Fixtures shared by the timesheet tests.
firm = support.firm
frozen = support.frozen


def grid_of(timesheet):
    with tenant_context(timesheet.tenant_id):
        return selectors.month_grid(timesheet=Timesheet.objects.get(pk=timesheet.pk))


# --- The month's days -------------------------------------------------------------------------------


def test_may_2026_has_its_weekends_and_four_public_holidays_named_in_french(firm):
    # given bob's May 2026
    timesheet = open_month(firm.bob)

    # when the grid is built
    grid = grid_of(timesheet)

    # then 31 days, 10 weekend days, 4 holidays named, 17 working days
    assert len(grid.days) == 31
    assert sum(d.is_weekend for d in grid.days) == 10
    assert {d.date.day: d.holiday for d in grid.days if d.holiday} == {
        1: "Fête du Travail", 8: "Fête de la Victoire", 14: "Ascension", 25: "Lundi de Pentecôte",
    }
    assert grid.working_days == 17
    assert grid.first_column == 5  # Friday


def test_the_month_opens_with_a_line_per_active_assignment_and_per_absence_type(firm):
    # given bob staffed on Helios in May, and a deal of another client he is not staffed on
    # when he opens May
    timesheet = open_month(firm.bob)

    # then one work line (Helios) and the five default absence types
    grid = grid_of(timesheet)
    assert [row.label for row in grid.work_rows] == [firm.deal.reference]
    assert sorted(row.line.absence_type.code for row in grid.absence_rows) == ["conges-payes", "formation", "intercontrat", "maladie", "rtt"]


def test_cells_outside_the_assignment_period_and_absences_on_days_off_are_closed(firm):
    timesheet = open_month(firm.bob)
    grid = grid_of(timesheet)
    work = {cell.day.date.day: cell.enabled for cell in grid.work_rows[0].cells}
    holidays = {cell.day.date.day: cell.enabled for cell in grid.absence_rows[0].cells}
    # then work is open from 6 to 27 May only (weekends included: on-site weekends happen)
    assert [d for d, enabled in work.items() if enabled] == list(range(6, 28))
    # and absences only on working days
    assert not holidays[1] and not holidays[2] and not holidays[14] and holidays[4]


# --- Grid rules ----------------------------------------------------------------------------------------


def test_a_full_month_is_saved_and_totals_per_line_and_per_day_follow(firm):
    # given bob's May
    timesheet = open_month(firm.bob)
    work, leave = line(timesheet, deal=firm.deal), line(timesheet, absence="conges-payes")
    days = working_days_of_assignment()

    # when he logs every working day of his mission, half of the 20th being a leave
    cells = [(work, d, "1") for d in days if d != 20] + [(work, 20, "0.5"), (leave, 20, "0.5"), (leave, 4, "1")]
    saved = fill(firm.bob, timesheet, cells)

    # then the version moved on and the totals add up
    assert saved.version == timesheet.version + 1
    grid = grid_of(timesheet)
    assert grid.worked == Decimal(len(days)) - Decimal("0.5")
    assert grid.absent == Decimal("1.5")
    assert {t.day.date.day: t.total for t in grid.day_totals}[20] == Decimal("1")
    assert not grid.over_days


@pytest.mark.parametrize("quantity", ["0.25", "0.75", "1.5", "2"])
def test_a_cell_takes_only_half_or_a_whole_day(firm, quantity):
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(work, 6, quantity)])
    assert error.value.code == "invalid_quantity"
    assert entries_of(timesheet) == []


def test_hours_are_accepted_by_quarters_up_to_a_day_when_the_firm_works_in_hours(firm):
    # given a firm in hours, 7 h a day
    set_policy(firm, unit="hours", hours_per_day=Decimal("7"))
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    # when 7.25 h then 7 h and 3.5 h
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(work, 6, "7.25")])
    assert error.value.code == "invalid_quantity"
    fill(firm.bob, timesheet, [(work, 6, "7"), (work, 7, "3.5")])
    assert [e[2] for e in entries_of(timesheet)] == [Decimal("7.00"), Decimal("3.50")]


def test_more_than_a_day_in_a_day_is_refused_and_nothing_is_saved(firm):
    # given a saved day
    timesheet = open_month(firm.bob)
    work, training = line(timesheet, deal=firm.deal), line(timesheet, absence="formation")
    fill(firm.bob, timesheet, [(work, 6, "1")])
    before = entries_of(timesheet)
    # when a whole day of work and half a day of training are logged on the 7th
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(work, 6, "1"), (work, 7, "1"), (training, 7, "0.5")])
    # then it is refused, naming the day, and the saved grid is untouched
    assert error.value.code == "more_than_a_day"
    assert "07/05" in error.value.message
    assert entries_of(timesheet) == before


def test_extra_time_is_refused_unless_the_firm_allows_it(firm):
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(work, 9, "1")], extra=True)
    assert error.value.code == "extra_not_allowed"


def test_extra_time_is_a_separate_flagged_row_when_allowed_and_does_not_count_in_the_day(firm):
    # given a firm that allows on-call time
    set_policy(firm, allow_extra_time=True)
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    # when bob logs a full day and an on-call day on the 6th
    fill(firm.bob, timesheet, [(work, 6, "1")])
    with tenant_context(firm.tenant):
        fresh = Timesheet.objects.get(pk=timesheet.pk)
        services.timesheet_save(
            actor=firm.bob.membership, timesheet=fresh, version=fresh.version,
            cells=[services.Cell(work.pk, may(6), Decimal("1")), services.Cell(work.pk, may(6), Decimal("1"), True)],
        )
    # then the grid shows an extra row after the work row, and the day stays at one
    grid = grid_of(timesheet)
    assert [row.kind for row in grid.work_rows] == ["work", "extra"]
    assert grid.extra == Decimal("1")
    assert {t.day.date.day: t.total for t in grid.day_totals}[6] == Decimal("1")


def test_extra_time_on_an_absence_is_refused(firm):
    set_policy(firm, allow_extra_time=True)
    timesheet = open_month(firm.bob)
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(line(timesheet, absence="rtt"), 4, "1")], extra=True)
    assert error.value.code == "extra_on_absence"


@pytest.mark.parametrize("day", [4, 5, 28, 29])
def test_time_outside_the_assignment_period_is_refused(firm, day):
    timesheet = open_month(firm.bob)
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(line(timesheet, deal=firm.deal), day, "1")])
    assert error.value.code == "outside_assignment"


@pytest.mark.parametrize("day", [1, 2, 8, 14, 25])
def test_an_absence_on_a_weekend_or_a_public_holiday_is_refused(firm, day):
    timesheet = open_month(firm.bob)
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(line(timesheet, absence="conges-payes"), day, "1")])
    assert error.value.code == "absence_on_non_working_day"


def test_a_future_month_cannot_be_opened(firm):
    with pytest.raises(DomainError) as error:
        open_month(firm.bob, JULY)
    assert error.value.code == "future_month"


def test_the_future_month_page_sends_back_to_the_current_month(firm):
    response = firm.bob.client().get(firm.bob.url("timesheets/me/2026/7/"))
    assert response.status_code == 302
    assert response["Location"].endswith("/timesheets/me/2026/6/")
    with tenant_context(firm.tenant):
        assert not Timesheet.objects.filter(month=JULY).exists()


# --- Optimistic locking --------------------------------------------------------------------------------


def test_two_saves_from_the_same_version_the_second_is_a_conflict_and_changes_nothing(firm):
    # given two tabs opened on version v
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    version = reload(timesheet).version
    with tenant_context(firm.tenant):
        services.timesheet_save(actor=firm.bob.membership, timesheet=timesheet, version=version, cells=[services.Cell(work.pk, may(6), Decimal("1"))])
    after_first = entries_of(timesheet)
    # when the second tab saves from v too
    with tenant_context(firm.tenant), pytest.raises(Conflict) as error:
        services.timesheet_save(actor=firm.bob.membership, timesheet=timesheet, version=version, cells=[services.Cell(work.pk, may(7), Decimal("1"))])
    # then a clear conflict, and the first save stands
    assert error.value.code == "stale_version"
    assert "Rechargez la page" in error.value.message
    assert entries_of(timesheet) == after_first
    assert reload(timesheet).version == version + 1


def test_the_page_answers_a_stale_save_with_the_conflict_message_and_keeps_nothing(firm):
    # given the page loaded at version v, and another tab that saved meanwhile
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    version = reload(timesheet).version
    fill(firm.bob, timesheet, [(work, 6, "1")])
    client = firm.bob.client()
    # when the first tab saves the 7th from version v
    response = client.post(
        firm.bob.url(f"timesheets/{timesheet.pk}/save/"),
        {"version": version, f"c-{work.pk}-07": "1", "action": "save"},
    )
    # then 409 with the conflict message, the typed value still shown, nothing saved
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-code="stale_version"' in html
    assert "modifié entre-temps" in html
    assert re.search(rf'name="c-{work.pk}-07" value="1"', html)
    assert [e[1].day for e in entries_of(timesheet)] == [6]


# --- The page ----------------------------------------------------------------------------------------------


def test_the_month_page_shows_days_holidays_instructions_and_no_rate(firm):
    # given a client that wants a reception number
    require_on_client(firm, reception=True)
    # when bob opens May
    response = firm.bob.client().get(firm.bob.url("timesheets/me/2026/5/"))
    # then the holidays are named, the deal's instructions are on its row, a reception number is asked
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Fête du Travail", "Fête de la Victoire", "Ascension", "Lundi de Pentecôte"):
        assert name in html
    assert firm.deal.reference in html and "Helios" in html
    assert "Badge à retirer à l&#x27;accueil" in html
    assert f'name="reception-{line(reload_ts(firm), deal=firm.deal).pk}"' in html
    assert 'name="version"' in html
    # and never a rate
    assert shown_rates(html) == []


def reload_ts(firm):
    with tenant_context(firm.tenant):
        return Timesheet.objects.get(consultant=firm.bob.membership, month=MAY)


def test_saving_and_submitting_through_the_page(firm):
    # given bob's May page
    client = firm.bob.client()
    client.get(firm.bob.url("timesheets/me/2026/5/"))
    timesheet = reload_ts(firm)
    work = line(timesheet, deal=firm.deal)
    data = {"version": timesheet.version, "action": "save", f"comment-{work.pk}": "Recette du lot 2"}
    data.update({f"c-{work.pk}-{d:02d}": "1" for d in working_days_of_assignment()})
    # when he saves
    response = client.post(firm.bob.url(f"timesheets/{timesheet.pk}/save/"), data)
    assert response.status_code == 302
    assert len(entries_of(timesheet)) == len(working_days_of_assignment())
    assert line(timesheet, deal=firm.deal).comment == "Recette du lot 2"
    # and submits with the new version, the French decimal comma accepted
    data.update({"version": reload(timesheet).version, "action": "submit", f"c-{work.pk}-06": "0,5"})
    response = client.post(firm.bob.url(f"timesheets/{timesheet.pk}/save/"), data)
    # then it is submitted and timestamped, the page says who validates it
    assert response.status_code == 302
    submitted = reload(timesheet)
    assert submitted.status == TimesheetStatus.SUBMITTED and submitted.submitted_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "en attente de validation par" in page
    assert 'name="action" value="submit"' not in page  # no more editing


def test_a_typing_error_is_shown_in_the_cell_and_nothing_is_saved(firm):
    client = firm.bob.client()
    client.get(firm.bob.url("timesheets/me/2026/5/"))
    timesheet = reload_ts(firm)
    work, leave = line(timesheet, deal=firm.deal), line(timesheet, absence="conges-payes")
    response = client.post(
        firm.bob.url(f"timesheets/{timesheet.pk}/save/"),
        {"version": timesheet.version, f"c-{work.pk}-06": "1", f"c-{leave.pk}-06": "1", f"c-{work.pk}-07": "1"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-code="more_than_a_day"' in html
    assert "is-invalid" in html
    assert entries_of(timesheet) == []


def test_a_month_cannot_be_submitted_twice(firm):
    # given bob's June draft, submitted once
    timesheet = open_month(firm.bob, may(1).replace(month=6))
    with tenant_context(firm.tenant):
        first = services.timesheet_submit(actor=firm.bob.membership, timesheet=timesheet)
        # when he submits it again
        with pytest.raises(Conflict) as error:
            services.timesheet_submit(actor=firm.bob.membership, timesheet=timesheet)
    # then it is refused and the first submission time stands
    assert error.value.code == "already_submitted"
    assert reload(timesheet).submitted_at == first.submitted_at


def test_the_month_page_runs_a_constant_number_of_queries(firm):
    # given bob with one assignment, then with four (three more deals) and entries on each
    client = firm.bob.client()
    client.get(firm.bob.url("timesheets/me/2026/5/"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(firm.bob.url("timesheets/me/2026/5/")).status_code == 200
        return len(queries)

    few = count()
    with tenant_context(firm.tenant):
        for n in range(3):
            deal = deal_services.deal_create(
                actor=firm.alice.membership, client=firm.other_client, deal_type="t_and_m", title=f"Lot {n}",
                start_date=MAY, consultant_instructions=f"Consigne {n}",
            )
            deal = deal_services.deal_validate_provisionally(actor=firm.alice.membership, deal=deal)
            deal_services.assignment_create(actor=firm.alice.membership, deal=deal, consultant=firm.bob.membership, daily_rate=Decimal("500"), start_date=MAY)
    client.get(firm.bob.url("timesheets/me/2026/5/"))  # the new lines are added once
    timesheet = reload_ts(firm)
    with tenant_context(firm.tenant):
        lines = list(timesheet.lines.filter(assignment__isnull=False))
    fill(firm.bob, timesheet, [(work_line, 11 + i, "1") for i, work_line in enumerate(lines)])
    many = count()
    assert len(lines) == 4
    assert many == few


def test_the_public_holidays_are_those_of_the_firms_country(firm):
    # given a firm whose holidays are German: 8 May (a French holiday) is a working day there
    set_policy(firm, holiday_country="DE")
    timesheet = open_month(firm.bob)
    with tenant_context(firm.tenant):
        grid = selectors.month_grid(timesheet=Timesheet.objects.get(pk=timesheet.pk))
    days = {day.date.day: day for day in grid.days}
    assert days[8].holiday is None and days[25].holiday  # Whit Monday is a holiday in both
    # then a day of leave on 8 May is accepted there, and still refused in France
    fill(firm.bob, timesheet, [(line(timesheet, absence="conges-payes"), 8, "1")])
    set_policy(firm, holiday_country="FR")
    with pytest.raises(DomainError) as error:
        fill(firm.bob, timesheet, [(line(timesheet, absence="conges-payes"), 8, "1")])
    assert error.value.code == "absence_on_non_working_day"
