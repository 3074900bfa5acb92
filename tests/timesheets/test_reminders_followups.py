"""The follow-ups of the automatic reminders, with the clock moved forward (May 2026: approval
deadline Monday 1 June, so A+2 is Wednesday 3 June): managers still sitting on timesheets to
approve are escalated to their own manager, once; a calendar edited after its announcement is
announced again, once per change."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from notifications.models import Notification, ReminderSent
from timesheets import reminders, services, tasks
from timesheets.models import ClosingCalendar, ReminderKind

from . import test_closing_support as support
from .test_closing_support import MAY, at, clear_notifications, person, sent

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

D_MINUS_2 = datetime.date(2026, 5, 22)


def run(tenant, moment: datetime.datetime) -> reminders.RunReport:
    with tenant_context(tenant):
        return reminders.run_due(now=moment)


def of(tenant, event: str) -> list[str]:
    return [email for email, e in sent(tenant) if e == event]


# --- Late approvers escalated to their manager --------------------------------------------------


@pytest.fixture
def director(firm):
    """Manon (who has Wendy's timesheet to approve) reports to Diane."""
    diane = person(firm.tenant, "manager", "Diane", "Direction")
    with tenant_context(firm.tenant):
        Membership.objects.filter(pk=firm.manager.membership.pk).update(reports_to=diane.membership)
    return diane


def test_a_late_approver_is_escalated_to_their_manager_once_at_approval_deadline_plus_2(firm, director):
    tenant = firm.tenant
    # A+1 (Tuesday 2 June), twice: Manon gets the "late" reminder, nobody is escalated yet
    first = run(tenant, at(datetime.date(2026, 6, 2)))
    again = run(tenant, at(datetime.date(2026, 6, 2), 16))
    assert (first.approval, first.approval_escalations, again.approval) == (1, 0, 0)
    assert of(tenant, "timesheet.approval_late") == [firm.manager.user.email]
    assert of(tenant, "timesheet.approval_escalation") == []
    clear_notifications(tenant)

    # A+2 (Wednesday 3 June), twice: Manon reminded again, and Diane told, once, who waits on whom
    first = run(tenant, at(datetime.date(2026, 6, 3)))
    again = run(tenant, at(datetime.date(2026, 6, 3), 17))
    assert (first.approval_escalations, again.approval_escalations, again.approval) == (1, 0, 0)
    assert of(tenant, "timesheet.approval_late") == [firm.manager.user.email]
    assert of(tenant, "timesheet.approval_escalation") == [director.user.email]
    with tenant_context(tenant):
        body = Notification.objects.get(event="timesheet.approval_escalation").body
    assert "Manon Chef : 1 CRA à valider (Wendy Attente)" in body
    clear_notifications(tenant)

    # A+3: no second escalation
    run(tenant, at(datetime.date(2026, 6, 4)))
    assert of(tenant, "timesheet.approval_escalation") == []
    with tenant_context(tenant):
        steps = list(ReminderSent.objects.filter(kind=ReminderKind.APPROVAL_ESCALATION).values_list("recipient_id", "step", "template_key"))
    assert steps == [(director.membership.pk, "escalation", "timesheet.approval_escalation")]


def test_an_approver_without_a_manager_or_with_nothing_pending_is_not_escalated(firm):
    # given Manon reports to nobody
    report = run(firm.tenant, at(datetime.date(2026, 6, 3)))
    assert report.approval == 1 and report.approval_escalations == 0
    assert of(firm.tenant, "timesheet.approval_escalation") == []


def test_an_approval_made_before_a_plus_2_stops_the_escalation(firm, director):
    from timesheets.models import TimesheetStatus

    from .test_closing_support import timesheet

    # given Manon approves Wendy's timesheet on A+1
    timesheet(firm.waiting, MAY, TimesheetStatus.APPROVED, submitted=at(datetime.date(2026, 5, 21)))
    run(firm.tenant, at(datetime.date(2026, 6, 3)))
    assert of(firm.tenant, "timesheet.approval_escalation") == []
    assert of(firm.tenant, "timesheet.approval_late") == []


# --- A calendar edited after its announcement ---------------------------------------------------


def edit(firm, **deadlines) -> ClosingCalendar:
    with tenant_context(firm.tenant):
        row = services.closing_calendar_ensure(month=MAY)
        return services.closing_calendar_update(actor=firm.adv.membership, calendar_row=row, **deadlines)


def test_a_change_of_an_announced_calendar_is_announced_once_per_change(firm):
    tenant = firm.tenant
    audience = sorted(p.user.email for p in (firm.late1, firm.late2, firm.done, firm.waiting, firm.loner, firm.manager))
    # given the May calendar announced at D-2
    run(tenant, at(D_MINUS_2))
    assert sorted(of(tenant, "timesheet.calendar_announcement")) == audience
    clear_notifications(tenant)

    # when ADV moves the submission deadline by a day, and the task runs twice
    edit(firm, submission_deadline=datetime.date(2026, 5, 28))
    first = run(tenant, at(D_MINUS_2, 15))
    again = run(tenant, at(D_MINUS_2, 16))
    # then everyone who was told hears of the change, once, with the old and new dates
    assert (first.changes, again.changes) == (len(audience), 0)
    assert sorted(of(tenant, "timesheet.calendar_change")) == audience
    assert of(tenant, "timesheet.calendar_announcement") == []
    with tenant_context(tenant):
        body = Notification.objects.filter(event="timesheet.calendar_change", recipient=firm.late1.user).get().body
    assert "soumission des CRA : mercredi 27 mai 2026 → jeudi 28 mai 2026" in body
    assert "validation par les managers" not in body.split("Le calendrier à jour")[0]
    clear_notifications(tenant)

    # saving the same dates again is no change
    edit(firm, submission_deadline=datetime.date(2026, 5, 28))
    assert run(tenant, at(D_MINUS_2, 17)).changes == 0

    # a second change is a second announcement (even back to a date announced before)
    edit(firm, submission_deadline=datetime.date(2026, 5, 27))
    assert run(tenant, at(datetime.date(2026, 5, 26))).changes == len(audience)
    with tenant_context(tenant):
        steps = sorted(set(ReminderSent.objects.filter(template_key="timesheet.calendar_change").values_list("step", flat=True)))
    assert steps == ["change:1", "change:2"]


def test_a_calendar_edited_before_its_announcement_is_announced_once_with_its_new_dates(firm):
    edit(firm, submission_deadline=datetime.date(2026, 5, 26))
    report = run(firm.tenant, at(datetime.date(2026, 5, 21)))
    assert report.announcements > 0 and report.changes == 0
    assert of(firm.tenant, "timesheet.calendar_change") == []


def test_the_edit_dispatches_the_re_announcement_after_commit(firm, monkeypatch, django_capture_on_commit_callbacks):
    dispatched = []
    monkeypatch.setattr(tasks.closing_calendar_changes, "apply_async", lambda **kw: dispatched.append(kw))
    run(firm.tenant, at(D_MINUS_2))
    with django_capture_on_commit_callbacks(execute=True):
        edit(firm, approval_deadline=datetime.date(2026, 6, 2))
    assert dispatched == [{"args": [str(firm.tenant.pk)], "retry": False}]
    # the task itself re-announces, in the firm's context
    monkeypatch.setattr(timezone, "now", lambda: at(datetime.date(2026, 5, 22), 11))
    result = tasks.closing_calendar_changes(str(firm.tenant.pk))
    assert result["changes"] == 6
    assert len(of(firm.tenant, "timesheet.calendar_change")) == 6
