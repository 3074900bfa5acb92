"""The French of the messages sent to people: agreement with the count, elision before a month,
"1er", no "l'ADV ou l'ADV", no double period; and the month page's labels."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from adv.tenancy.context import tenant_context
from adv.ui.french import typography
from notifications.services import message_render
from tests.timesheets import test_closing_support as support
from timesheets import messages as reminder_messages
from timesheets import reminders

firm = support.firm  # the fixture

OCTOBER = datetime.date(2026, 10, 1)
FIRST_OF_FEBRUARY = datetime.date(2027, 2, 1)  # a Monday


def test_typography_elides_before_a_vowel_month_writes_1er_and_drops_a_double_period():
    assert typography("CRA de octobre 2026 et de avril, de août") == "CRA d'octobre 2026 et d'avril, d'août"
    assert typography("CRA de mars") == "CRA de mars"
    assert typography("lundi 1 février 2027, le 11 mars, le 21 mai") == "lundi 1er février 2027, le 11 mars, le 21 mai"
    assert typography("Client : Durand S.A..") == "Client : Durand S.A."
    assert typography("Attendez...") == "Attendez..."


def render(firm, key, member, consultants, language="fr"):
    with tenant_context(firm.tenant):
        context = reminders.approver_context(
            member.membership, month=OCTOBER, deadline=FIRST_OF_FEBRUARY, tenant=firm.tenant,
            consultants=[c.membership for c in consultants],
        )
        return message_render(key=key, language=language, context=context)


@pytest.mark.django_db
def test_one_timesheet_waiting_agrees_in_the_singular_and_the_month_is_elided(firm):
    rendered = render(firm, reminder_messages.APPROVAL_FRIENDLY, firm.manager, [firm.waiting])
    assert "1 CRA de votre équipe attend votre validation pour octobre 2026" in rendered.text
    assert "attendent" not in rendered.text
    assert rendered.subject == "1 CRA d'octobre 2026 à valider avant le lundi 1er février 2027"
    rendered = render(firm, reminder_messages.APPROVAL_FRIENDLY, firm.manager, [firm.waiting, firm.late1])
    assert "2 CRA de votre équipe attendent votre validation" in rendered.text


@pytest.mark.django_db
def test_without_a_manager_the_late_approver_is_told_to_warn_the_adv_once(firm):
    # the manager reports to nobody
    rendered = render(firm, reminder_messages.APPROVAL_LATE, firm.manager, [firm.waiting])
    assert "prévenez l'ADV." in rendered.text and "l'ADV ou l'ADV" not in rendered.text
    assert "CRA d'octobre 2026 était le lundi 1er février 2027" in rendered.text


@pytest.mark.django_db
def test_the_english_reminder_agrees_too(firm):
    firm.manager.user.language = "en"
    firm.manager.user.save(update_fields=["language"])
    rendered = render(firm, reminder_messages.APPROVAL_FRIENDLY, firm.manager, [firm.waiting], language="en")
    assert "1 timesheet of your team waits for your approval" in rendered.text


def test_the_month_navigation_does_not_capitalize_every_word():
    css = Path("static/css/timesheet.css").read_text()
    assert "capitalize" not in css  # "Mois En Cours": the month names are capitalized in the template instead
    template = Path("templates/timesheets/month.html").read_text()
    assert "{{ month_label|capfirst }}" in template
    grid = Path("templates/timesheets/_grid.html").read_text()
    assert "text-lowercase\">({% for row in grid.absence_rows" not in grid  # "rtt" for "RTT"
