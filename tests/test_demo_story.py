"""The demo firm tells one story, on whatever day it is loaded: messages name this month's or past
months' timesheets and this month's deadlines (never a month to come), every provisional deal is
chased on the rhythm its page promises, a client whose platform instructions attach invoices to a
purchase order requires one, and nothing is dated after now."""

from __future__ import annotations

import re
import uuid

import pytest
from django.utils import formats, timezone, translation

from adv.tenancy.context import tenant_context
from clients.models import BillingProfile
from deals.models import Deal, DealStatus
from deals.services import policy as deal_policy
from notifications.models import Notification, OutboxEmail, ReminderSent
from timesheets.closing import selectors as closing_selectors
from timesheets.models import ClosingCalendar, Timesheet

pytestmark = pytest.mark.today  # on the demo firm seeded once (`demo_tenant`, tests/conftest.py)

MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
]


def test_the_demo_tells_one_story_whatever_the_day(demo_tenant):
    demo = demo_tenant
    now = timezone.now()
    this_month = timezone.localdate().replace(day=1)
    # the month of a timesheet a message may name: this one or one of the demo's past six
    named_ok = {MONTHS_FR[closing_selectors.add_months(this_month, -back).month - 1] for back in range(7)}
    with tenant_context(demo):
        texts = [f"{n.title} {n.body}" for n in Notification.objects.all()]
        texts += [f"{e.subject} {e.body}" for e in OutboxEmail.objects.all()]
        calendar = ClosingCalendar.objects.get(month=this_month)
        reminders = list(Notification.objects.filter(recipient__email="consultant@demo.adv.test", event="timesheet.reminder"))
        failed = OutboxEmail.objects.get(idempotency_key="demo:failed-reminder")
        provisional = list(Deal.objects.filter(status=DealStatus.PROVISIONAL))
        chases = {
            deal.pk: sorted(
                int(step) for step in ReminderSent.objects.filter(subject=str(deal.pk), kind="deals.unsigned_chase").values_list("step", flat=True)
            )
            for deal in provisional
        }
        escalated = {
            uuid.UUID(subject)
            for subject in ReminderSent.objects.filter(kind="deals.unsigned_escalation").values_list("subject", flat=True)
        }
        rules = deal_policy()
        profiles = list(BillingProfile.objects.select_related("client"))
        future = {
            "timesheets submitted": Timesheet.objects.filter(first_submitted_at__gt=now).count(),
            "timesheets approved": Timesheet.objects.filter(approved_at__gt=now).count(),
            "deal chases": ReminderSent.objects.filter(kind__startswith="deals.", sent_at__gt=now).count(),
            "notifications": Notification.objects.filter(created_at__gt=now).count(),
        }
    # no message asks for, or reports, the timesheet of a month to come
    for text in texts:
        for name in re.findall(r"CRA d[e']\s*(\w+)", text):
            if name in MONTHS_FR:
                assert name in named_ok, text
    # the consultant's reminder and the failed email name this month and its submission deadline
    with translation.override("fr"):
        month_name = formats.date_format(this_month, "F")
        of_month = ("d'" if month_name[0] in "aeiouy" else "de ") + month_name
        day = calendar.submission_deadline.day
        deadline = ("1er" if day == 1 else str(day)) + formats.date_format(calendar.submission_deadline, " F")
    assert reminders
    for message in [*(f"{n.title} {n.body}" for n in reminders), f"{failed.subject} {failed.body}"]:
        assert f"CRA {of_month}" in message and deadline in message, message
    # every provisional deal has been chased at each step of the rhythm promised, escalated past the delay
    for deal in provisional:
        days = deal.provisional_days(now)
        assert chases[deal.pk] == list(range(1, days // rules.chase_every_days + 1)), (deal.title, days)
        assert (deal.pk in escalated) == (days >= rules.escalate_after_days), (deal.title, days)
    # platform instructions that attach each invoice to a purchase order go with a required order
    for profile in profiles:
        if "bon de commande" in profile.platform_instructions.lower():
            assert profile.purchase_order_required, profile.client
    # nothing happened after now
    assert future == dict.fromkeys(future, 0)
