"""The closing calendar: proposed by the firm's rule in working days (weekends and French public
holidays skipped), ensured once per month, editable by ADV only, in order."""

from __future__ import annotations

import datetime

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError, PermissionDenied
from timesheets import calendar as cal
from timesheets.models import ClosingCalendar, TimesheetPolicy
from timesheets.services import closing_calendar_ensure, closing_calendar_update

from . import test_closing_support as support

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

d = datetime.date


@pytest.mark.parametrize(
    ("month", "submission", "approval", "client", "close"),
    [
        # May 2026: Friday 29 is the last working day; Whit Monday (25) is skipped going back
        (d(2026, 5, 1), d(2026, 5, 27), d(2026, 6, 1), d(2026, 6, 2), d(2026, 6, 3)),
        # February 2026 ends on a Saturday: the last working day is Friday 27
        (d(2026, 2, 1), d(2026, 2, 25), d(2026, 3, 2), d(2026, 3, 3), d(2026, 3, 4)),
        # December 2026: New Year's Day and the weekend push the approval to Monday 4 January
        (d(2026, 12, 1), d(2026, 12, 29), d(2027, 1, 4), d(2027, 1, 5), d(2027, 1, 6)),
        # October 2026 ends on a Saturday; 1 November (Sunday) is All Saints' Day, 11 November Armistice
        (d(2026, 10, 1), d(2026, 10, 28), d(2026, 11, 2), d(2026, 11, 3), d(2026, 11, 4)),
    ],
)
def test_the_rule_proposes_deadlines_in_working_days(month, submission, approval, client, close):
    proposed = cal.propose_deadlines(month, TimesheetPolicy())
    assert (proposed["submission_deadline"], proposed["approval_deadline"], proposed["client_approval_deadline"],
            proposed["billing_close_deadline"]) == (submission, approval, client, close)


def test_a_firm_rule_of_three_days_before_and_two_after(firm):
    with tenant_context(firm.tenant):
        TimesheetPolicy.objects.update_or_create(defaults={
            "submission_working_days_before_end": 3, "approval_working_days_after_end": 2,
        })
        row = closing_calendar_ensure(month=d(2026, 5, 1))
    # three working days before Friday 29 May: Tuesday 26 (Whit Monday skipped); two after: Tuesday 2 June
    assert (row.submission_deadline, row.approval_deadline) == (d(2026, 5, 26), d(2026, 6, 2))


def test_the_calendar_is_ensured_once_and_keeps_its_edits(firm):
    with tenant_context(firm.tenant):
        row = closing_calendar_ensure(month=d(2026, 5, 14))
        closing_calendar_update(actor=firm.adv.membership, calendar_row=row, submission_deadline=d(2026, 5, 26))
        again = closing_calendar_ensure(month=d(2026, 5, 1))
        count = ClosingCalendar.objects.count()
    assert again.pk == row.pk and again.submission_deadline == d(2026, 5, 26) and count == 1


@pytest.mark.parametrize(
    "change",
    [
        {"approval_deadline": d(2026, 5, 26)},  # approval before submission
        {"billing_close_deadline": d(2026, 5, 29)},  # billing close before approval
        {"client_approval_deadline": d(2026, 6, 5)},  # client approval after billing close
        {"client_approval_deadline": d(2026, 5, 29)},  # client approval before manager approval
    ],
)
def test_the_deadlines_stay_in_order(firm, change):
    with tenant_context(firm.tenant):
        row = closing_calendar_ensure(month=d(2026, 5, 1))
        with pytest.raises(DomainError) as error:
            closing_calendar_update(actor=firm.adv.membership, calendar_row=row, **change)
        row.refresh_from_db()
    assert error.value.code == "deadlines_out_of_order"
    assert row.submission_deadline == d(2026, 5, 27) and row.billing_close_deadline == d(2026, 6, 3)


def test_only_adv_edits_the_calendar(firm):
    with tenant_context(firm.tenant):
        row = closing_calendar_ensure(month=d(2026, 5, 1))
        for who in (firm.manager, firm.late1):
            with pytest.raises(PermissionDenied):
                closing_calendar_update(actor=who.membership, calendar_row=row, submission_deadline=d(2026, 5, 28))
