"""Late CRA chases post in the timesheet's thread (issue 14), like every other "Relancer": the
ADV's grouped reminder and the scheduled reminders mention the consultant (their draft) or the
approver (each submitted timesheet waiting for them); approving the timesheet resolves the chase."""

from __future__ import annotations

import datetime

import pytest

from adv.tenancy.context import tenant_context
from chat import markup
from chat.models import Conversation, Message, MessageKind
from notifications.models import Notification
from tests.timesheets import test_closing_support as support
from tests.timesheets.test_closing_support import MAY, at
from timesheets import reminders
from timesheets.models import Timesheet
from timesheets.services import timesheet_approve

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

LATE_DAY = datetime.date(2026, 5, 28)


def chases(tenant, member) -> list[Message]:
    with tenant_context(tenant):
        timesheet = Timesheet.objects.filter(consultant=member.membership, month=MAY).first()
        if timesheet is None:
            return []
        return list(Message.objects.filter(
            conversation__object_type="timesheet", conversation__object_id=timesheet.pk, kind=MessageKind.CHASE,
        ).select_related("author"))


def test_the_adv_grouped_reminder_chases_each_consultant_in_their_timesheets_thread(firm):
    with tenant_context(firm.tenant):
        result = reminders.grouped_reminder_send(
            actor=firm.adv.membership, month=MAY, audience="consultants", template_key="timesheet.submission_late",
            membership_ids=[firm.late1.membership.pk, firm.late2.membership.pk], today=LATE_DAY,
        )
    assert len(result.sent) == 2
    # the draft's thread has the chase, by the ADV, mentioning its consultant
    [chase] = chases(firm.tenant, firm.late2)
    assert chase.author_id == firm.adv.membership.pk and chase.chase_code == "timesheet_submission"
    assert chase.mentions == [firm.late2.membership.pk]
    assert f"@{markup.handle_of(firm.late2.user.email)}" in chase.body and "à soumettre" in chase.body
    # a consultant who has not started the month has no timesheet, hence no thread: the notification alone
    assert chases(firm.tenant, firm.late1) == []
    with tenant_context(firm.tenant):
        assert Conversation.objects.count() == 1
        # the chase notifies once (the reminder), not a second time as a chat mention
        assert not Notification.objects.filter(event="chat.mention").exists()
        # a second click the same day sends nothing, in the thread either
        reminders.grouped_reminder_send(
            actor=firm.adv.membership, month=MAY, audience="consultants", template_key="timesheet.submission_late",
            membership_ids=[firm.late2.membership.pk], today=LATE_DAY,
        )
    assert len(chases(firm.tenant, firm.late2)) == 1


def test_an_approver_is_chased_in_each_waiting_timesheet_and_approval_resolves_it(firm):
    with tenant_context(firm.tenant):
        reminders.grouped_reminder_send(
            actor=firm.adv.membership, month=MAY, audience="approvers", template_key="timesheet.approval_late",
            membership_ids=[firm.manager.membership.pk], today=datetime.date(2026, 6, 2),
        )
    [chase] = chases(firm.tenant, firm.waiting)
    assert chase.mentions == [firm.manager.membership.pk] and chase.chase_code == "timesheet_approval"
    assert chase.resolved_at is None
    assert chases(firm.tenant, firm.done) == []  # approved already: nothing to chase
    with tenant_context(firm.tenant):
        timesheet_approve(actor=firm.manager.membership, timesheet=Timesheet.objects.get(consultant=firm.waiting.membership, month=MAY))
    [chase] = chases(firm.tenant, firm.waiting)
    assert chase.resolved_at is not None


def test_the_scheduled_reminder_chases_in_the_thread_once_per_step(firm):
    with tenant_context(firm.tenant):
        reminders.run_due(now=at(datetime.date(2026, 5, 22)))  # D-2
        reminders.run_due(now=at(datetime.date(2026, 5, 22), 15))  # the task again that day
    [chase] = chases(firm.tenant, firm.late2)
    assert chase.author_id is None and chase.mentions == [firm.late2.membership.pk]
