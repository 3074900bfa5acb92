"""The demo firm's timesheets: this month and last month in every state, a closing calendar,
habitually late consultants with their past months, reminders sent; loading twice changes nothing."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.utils import timezone

from adv.tenancy.context import tenant_context
from notifications.models import Notification, ReminderSent
from timesheets import calendar as cal
from timesheets.closing import selectors as closing_selectors
from timesheets.models import ClientApproval, ClosingCalendar, Timesheet

pytestmark = pytest.mark.today  # on the demo firm seeded once (`demo_tenant`, tests/conftest.py)


def _state(tenant):
    with tenant_context(tenant):
        return {
            "timesheets": sorted(Timesheet.objects.values_list("consultant__user__email", "month", "status", "first_submitted_at")),
            "calendars": sorted(ClosingCalendar.objects.values_list("month", "submission_deadline", "announced_at")),
            "client_approvals": sorted(ClientApproval.objects.values_list("status", flat=True)),
            "reminders": sorted(
                ReminderSent.objects.filter(kind__startswith="timesheets.").values_list("recipient__user__email", "kind", "step")
            ),
            "notifications": Notification.objects.count(),
        }


def test_the_demo_has_every_state_habitually_late_consultants_and_loading_it_twice_changes_nothing(demo_tenant):
    tenant = demo_tenant  # loaded once (`seed_demo`)
    first = _state(tenant)
    today = timezone.localdate()
    this_month, last_month = today.replace(day=1), closing_selectors.add_months(today.replace(day=1), -1)
    with tenant_context(tenant):
        now_states = set(Timesheet.objects.filter(month=this_month).values_list("status", flat=True))
        last_states = set(Timesheet.objects.filter(month=last_month).values_list("status", flat=True))
        rejected = Timesheet.objects.filter(month=this_month, status="draft").exclude(rejection_reason="").count()
        late_last_month = closing_selectors.late_for_month(month=last_month, today=today).rows
        history, _months = closing_selectors.lateness_by_person(today=today)
        missing = closing_selectors.completion(month=this_month).total.missing
    # every state this month, and last month's late ones (one still waiting for approval)
    assert {"draft", "submitted", "approved"} <= now_states and rejected == 1
    # (early in a month, a late one whose day has not come yet is still to submit: nothing is dated after now)
    assert "approved" in last_states and last_states <= {"draft", "submitted", "approved"}
    with tenant_context(tenant):
        assert not Timesheet.objects.filter(first_submitted_at__gt=timezone.now()).exists()
    assert {"approved", "pending"} <= set(first["client_approvals"])
    assert missing >= 3
    assert {row.membership.user.email for row in late_last_month} >= {
        "contractor@demo.adv.test", "lucas.michel@demo.adv.test", "jade.fournier@demo.adv.test",
    }
    habitual = {row.membership.user.email for row in history.rows if row.habitually_late}
    assert habitual == {"contractor@demo.adv.test", "lucas.michel@demo.adv.test", "jade.fournier@demo.adv.test"}
    # a closing calendar for this month and the next, reminders and an escalation recorded
    months = {month for month, _deadline, _announced in first["calendars"]}
    assert this_month in months and closing_selectors.add_months(this_month, 1) in months
    kinds = {kind for _email, kind, _step in first["reminders"]}
    assert {"timesheets.submission", "timesheets.submission_escalation"} <= kinds
    # ADV's grouped reminder goes the working day after the escalation: by now, if that day is over
    with tenant_context(tenant):
        deadline = ClosingCalendar.objects.get(month=last_month).submission_deadline
        grouped_day = cal.add_working_days(deadline, max(1, closing_selectors.rules().escalate_after_working_days) + 1)
    manual = any(step.startswith("manual:") for _email, _kind, step in first["reminders"])
    assert manual == (grouped_day < today)
    # loading again changes nothing
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert _state(tenant) == first
