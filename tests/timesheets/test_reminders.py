"""Automatic reminders with the clock moved forward (May 2026: the submission deadline D is
Wednesday 27 May; with Whit Monday the 25th off, D-2 is Friday 22 May; the approval deadline is
Monday 1 June). Exactly the expected messages at D-2, D, D+1, the escalation at D+2, nothing
twice when the task runs twice, nothing before the morning, nothing on days off."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from notifications.models import ReminderSent
from timesheets import messages as reminder_messages
from timesheets import reminders
from timesheets.models import ClosingCalendar, ReminderKind
from timesheets.services import closing_calendar_ensure

from . import test_closing_support as support
from .test_closing_support import MAY, at, clear_notifications, sent

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

D_MINUS_2 = datetime.date(2026, 5, 22)
D = datetime.date(2026, 5, 27)


def run(tenant, moment: datetime.datetime) -> reminders.RunReport:
    with tenant_context(tenant):
        return reminders.run_due(now=moment)


def test_the_may_2026_deadlines_skip_whit_monday(firm):
    # given the default rule (two working days before the month's last working day)
    with tenant_context(firm.tenant):
        row = closing_calendar_ensure(month=MAY)
    # then D is Wednesday 27 May, and D-2 falls before the Whit Monday weekend
    assert row.submission_deadline == D
    assert row.approval_deadline == datetime.date(2026, 6, 1)
    assert reminders.schedule_offset(deadline=D, today=D_MINUS_2, country="FR") == -2
    assert reminders.schedule_offset(deadline=D, today=datetime.date(2026, 5, 25), country="FR") is None


def test_reminders_follow_the_schedule_and_escalate_once_at_d_plus_2(firm):
    tenant = firm.tenant
    late = {firm.late1.user.email, firm.late2.user.email, firm.loner.user.email}
    manager = firm.manager.user.email

    def only(event):
        return sorted(email for email, e in sent(tenant) if e == event)

    # D-3 (Thursday 21 May): nothing yet
    run(tenant, at(datetime.date(2026, 5, 21)))
    assert sent(tenant) == []

    # D-2: the friendly reminder to the three who have not submitted (not to the submitted
    # ones), and the calendar announced to the consultants and their manager
    report = run(tenant, at(D_MINUS_2))
    assert report.submission == 3 and report.escalations == 0 and report.approval == 0
    assert only("timesheet.submission_reminder") == sorted(late)
    assert only("timesheet.calendar_announcement") == sorted(
        late | {firm.done.user.email, firm.waiting.user.email, manager}
    )
    # the task running again that day sends nothing more
    clear_notifications(tenant)
    again = run(tenant, at(D_MINUS_2, 15))
    assert (again.submission, again.announcements, again.escalations) == (0, 0, 0)
    assert sent(tenant) == []

    # the weekend, Whit Monday and D-1 are quiet
    for day in (23, 24, 25, 26):
        run(tenant, at(datetime.date(2026, 5, day)))
    assert sent(tenant) == []

    # D: the friendly reminder again
    run(tenant, at(D))
    assert sent(tenant) == sorted((email, "timesheet.submission_reminder") for email in late)
    clear_notifications(tenant)

    # D+1: the "consequences of being late" message; the manager is asked to approve
    run(tenant, at(datetime.date(2026, 5, 28)))
    run(tenant, at(datetime.date(2026, 5, 28), 18))
    assert sent(tenant) == sorted(
        [(email, "timesheet.submission_late") for email in late] + [(manager, "timesheet.approval_reminder")]
    )
    clear_notifications(tenant)

    # D+2: late again, and the escalation to the manager of the two late ones who report to
    # them (the consultant without a manager is not escalated)
    report = run(tenant, at(datetime.date(2026, 5, 29)))
    run(tenant, at(datetime.date(2026, 5, 29), 11))
    assert report.escalations == 1
    assert sent(tenant) == sorted(
        [(email, "timesheet.submission_late") for email in late] + [(manager, "timesheet.submission_escalation")]
    )
    with tenant_context(tenant):
        from notifications.models import Notification

        escalation = Notification.objects.get(event="timesheet.submission_escalation")
    assert "Luc Lent" in escalation.body and "Lise Brouillon" in escalation.body and "Olga" not in escalation.body
    clear_notifications(tenant)

    # D+3 (Monday 1 June, the approval deadline): late reminders, no second escalation, the
    # manager reminded on the approval deadline
    run(tenant, at(datetime.date(2026, 6, 1)))
    assert sent(tenant) == sorted(
        [(email, "timesheet.submission_late") for email in late] + [(manager, "timesheet.approval_reminder")]
    )

    # every message is a row of the reminder ledger: who, which step, which template
    with tenant_context(tenant):
        steps = sorted(
            ReminderSent.objects.filter(recipient=firm.late1.membership).values_list("kind", "step", "template_key")
        )
        announced = ClosingCalendar.objects.get(month=MAY).announced_at
    assert steps == [
        (ReminderKind.ANNOUNCEMENT, "announcement", "timesheet.calendar_announcement"),
        (ReminderKind.SUBMISSION, "2026-05-22", "timesheet.submission_reminder"),
        (ReminderKind.SUBMISSION, "2026-05-27", "timesheet.submission_reminder"),
        (ReminderKind.SUBMISSION, "2026-05-28", "timesheet.submission_late"),
        (ReminderKind.SUBMISSION, "2026-05-29", "timesheet.submission_late"),
        (ReminderKind.SUBMISSION, "2026-06-01", "timesheet.submission_late"),
    ]
    assert announced is not None


def test_a_consultant_who_submits_is_no_longer_reminded(firm):
    from timesheets.models import TimesheetStatus

    from .test_closing_support import timesheet

    # given the D-2 reminder went out
    run(firm.tenant, at(D_MINUS_2))
    clear_notifications(firm.tenant)
    # when one of the late ones submits before D
    timesheet(firm.late2, MAY, TimesheetStatus.SUBMITTED, submitted=at(datetime.date(2026, 5, 26)))
    run(firm.tenant, at(D))
    # then only the two others are reminded on D
    assert sent(firm.tenant) == sorted(
        [(firm.late1.user.email, "timesheet.submission_reminder"), (firm.loner.user.email, "timesheet.submission_reminder")]
    )


def test_nothing_goes_out_before_the_reminder_hour(firm):
    report = run(firm.tenant, at(D, 6, 30))
    assert report.skipped_by_hour
    assert sent(firm.tenant) == []


def test_the_offsets_of_the_firm_decide_the_days_before_the_deadline(firm):
    # given a firm that reminds five and one working days before the deadline, not on D
    from timesheets.models import TimesheetPolicy

    with tenant_context(firm.tenant):
        TimesheetPolicy.objects.update_or_create(defaults={"reminder_offsets": "-5,-1", "announce_days_ahead": 0})
    # then D-2 and D are quiet, D-1 (Tuesday 26 May) reminds
    run(firm.tenant, at(D_MINUS_2))
    run(firm.tenant, at(D))
    assert [e for _email, e in sent(firm.tenant) if e == "timesheet.submission_reminder"] == []
    run(firm.tenant, at(datetime.date(2026, 5, 26)))
    assert len([e for _email, e in sent(firm.tenant) if e == "timesheet.submission_reminder"]) == 3


def test_a_step_already_recorded_is_skipped_by_the_unique_constraint(firm):
    # given a reminder row inserted for a person and a step
    with tenant_context(firm.tenant):
        first = reminders.claim(month=MAY, kind=ReminderKind.SUBMISSION, step="2026-05-22",
                                template_key=reminder_messages.SUBMISSION_FRIENDLY, membership_ids=[firm.late1.membership.pk])
        # when the same person and step are inserted again (a second run, a concurrent click)
        second = reminders.claim(month=MAY, kind=ReminderKind.SUBMISSION, step="2026-05-22",
                                 template_key=reminder_messages.SUBMISSION_FRIENDLY,
                                 membership_ids=[firm.late1.membership.pk, firm.late2.membership.pk])
        rows = ReminderSent.objects.filter(subject=MAY.isoformat(), step="2026-05-22").count()
    # then the second insert skips the person already recorded, and only them
    assert first == {firm.late1.membership.pk}
    assert second == {firm.late2.membership.pk}
    assert rows == 2


def test_reminders_of_one_firm_never_reach_another(firm, carol):
    from .test_closing_support import person

    # given a late consultant in tenant B
    other = person(carol.tenant, "consultant", "Bruno", "Bravo")
    # when tenant A's reminders run
    run(firm.tenant, at(D))
    # then nobody of tenant B is reminded, and tenant B has no reminder row
    assert other.user.email not in {email for email, _e in sent(firm.tenant)}
    with tenant_context(carol.tenant):
        assert not ReminderSent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_insert_the_same_step_once(firm):
    """Two transactions claim the same person and step at the same moment: the second insert
    waits for the first transaction, then skips the row it committed."""
    import threading
    import time

    from django.db import connection

    started, release = threading.Event(), threading.Event()
    results, elapsed = {}, {}

    def worker(name: str, hold: bool) -> None:
        begin = time.monotonic()
        try:
            with tenant_context(firm.tenant):
                results[name] = reminders.claim(
                    month=MAY, kind=ReminderKind.SUBMISSION, step="manual:2026-05-28",
                    template_key=reminder_messages.SUBMISSION_LATE, membership_ids=[firm.late1.membership.pk],
                )
                if hold:  # keep the first transaction open while the second one inserts
                    started.set()
                    release.wait(10)
        finally:
            elapsed[name] = time.monotonic() - begin
            connection.close()

    first = threading.Thread(target=worker, args=("first", True))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=worker, args=("second", False))
    second.start()
    time.sleep(0.5)
    assert second.is_alive()  # blocked on the first transaction's uncommitted row
    release.set()
    first.join(10)
    second.join(10)
    assert results == {"first": {firm.late1.membership.pk}, "second": set()}
    assert elapsed["second"] >= 0.4
    with tenant_context(firm.tenant):
        assert ReminderSent.objects.filter(step="manual:2026-05-28").count() == 1


def test_the_hourly_task_fans_out_per_firm_and_runs_each_firm_in_its_context(firm, carol, monkeypatch, settings):
    from timesheets import tasks

    # given the task for one firm, run with the clock at D (10:00, Paris)
    monkeypatch.setattr(timezone, "now", lambda: at(D))
    result = tasks.closing_reminders(str(firm.tenant.pk))
    assert result["submission"] == 3
    assert tasks.closing_reminders(str(firm.tenant.pk))["submission"] == 0  # run twice: nothing more
    # and the fan-out sends one task per active firm
    sent_to = []
    monkeypatch.setattr(tasks.closing_reminders, "delay", lambda tenant_id: sent_to.append(tenant_id))
    assert tasks.closing_reminders_all() == 2
    assert sorted(sent_to) == sorted([str(firm.tenant.pk), str(carol.tenant.pk)])
