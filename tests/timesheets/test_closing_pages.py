"""The pages of the month-end close: the closing calendar (ADV edits, admins set the rules), the
grouped reminders (preview with the firm's wording, send once per person and day), the late
report with its exports, the completion dashboard (constant queries), the dashboard card, and
carol (tenant B) who gets 404 everywhere with no side effect."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from notifications.models import Notification, ReminderSent
from tests.factories import MessageTemplateFactory
from timesheets.models import ClosingCalendar, TimesheetPolicy, TimesheetStatus

from . import test_closing_support as support
from .test_closing_support import MAY, at, person, timesheet

firm = support.firm  # the fixture

pytestmark = pytest.mark.django_db

PAGES = ["timesheets/closing/", "timesheets/closing/reminders/", "timesheets/closing/late/", "timesheets/closing/completion/"]


def _url(persona, path: str) -> str:
    return persona.url(path)


# --- Closing calendar ------------------------------------------------------------------------------


def test_everyone_sees_this_month_and_the_next_but_only_adv_edits(firm):
    # a consultant: two months, no form
    page = firm.late1.client().get(_url(firm.late1, "timesheets/closing/"))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="closing-month"') == 2
    assert 'data-testid="calendar-edit"' not in page.content.decode()
    assert 'data-testid="policy-form"' not in page.content.decode()
    # ADV: the edit forms, not the firm's rules; the admin: both
    adv_page = firm.adv.client().get(_url(firm.adv, "timesheets/closing/")).content.decode()
    assert 'data-testid="calendar-edit"' in adv_page and 'data-testid="policy-form"' not in adv_page
    admin_page = firm.alice.client().get(_url(firm.alice, "timesheets/closing/")).content.decode()
    assert 'data-testid="policy-form"' in admin_page


def test_adv_moves_a_deadline_and_the_order_is_enforced(firm):
    client = firm.adv.client()
    url = _url(firm.adv, "timesheets/closing/2026/5/")
    data = {
        "m202605-submission_deadline": "2026-05-28", "m202605-approval_deadline": "2026-06-01",
        "m202605-client_approval_deadline": "2026-06-02", "m202605-billing_close_deadline": "2026-06-03",
    }
    # when ADV moves the submission deadline one day later
    response = client.post(url, data)
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        assert ClosingCalendar.objects.get(month=MAY).submission_deadline == datetime.date(2026, 5, 28)
    # when the billing close is put before the submission: refused, nothing changed
    response = client.post(url, {**data, "m202605-billing_close_deadline": "2026-05-20"})
    assert response.status_code == 400
    assert "Les échéances se suivent" in response.content.decode()
    with tenant_context(firm.tenant):
        assert ClosingCalendar.objects.get(month=MAY).billing_close_deadline == datetime.date(2026, 6, 3)
    # back to the rule's proposal
    client.post(url, {"reset": "1"})
    with tenant_context(firm.tenant):
        assert ClosingCalendar.objects.get(month=MAY).submission_deadline == datetime.date(2026, 5, 27)


def test_a_consultant_cannot_edit_the_calendar_nor_the_rules(firm):
    client = firm.late1.client()
    assert client.post(_url(firm.late1, "timesheets/closing/2026/5/"), {"reset": "1"}).status_code == 403
    assert client.post(_url(firm.late1, "timesheets/closing/rules/"), {"reminder_offsets": "-1"}).status_code == 403
    with tenant_context(firm.tenant):
        assert not ClosingCalendar.objects.exists()


def _policy_data(**changes) -> dict:
    data = {
        "unit": "days", "hours_per_day": "7.00", "holiday_country": "FR",
        "submission_working_days_before_end": "2", "approval_working_days_after_end": "1",
        "client_approval_working_days_after_end": "2", "billing_close_working_days_after_end": "3",
        "announce_days_ahead": "5", "reminder_offsets": "-2,0", "escalate_after_working_days": "2",
        "habitually_late_count": "3", "habitually_late_window_months": "6",
    }
    data.update(changes)
    return data


def test_the_admin_sets_the_reminder_offsets_and_the_habitual_rule(firm):
    client = firm.alice.client()
    url = _url(firm.alice, "timesheets/closing/rules/")
    response = client.post(url, _policy_data(reminder_offsets=" -3, -1 ,0", habitually_late_count="2", habitually_late_window_months="4"))
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        policy = TimesheetPolicy.objects.get()
    assert (policy.reminder_offsets, policy.habitually_late_count, policy.habitually_late_window_months) == ("-3,-1,0", 2, 4)
    # offsets after the deadline, or not numbers: refused with a clear message
    response = client.post(url, _policy_data(reminder_offsets="-2,+1"))
    assert response.status_code == 400
    assert "entre -20 et 0" in response.content.decode()
    response = client.post(url, _policy_data(habitually_late_count="7", habitually_late_window_months="6"))
    assert response.status_code == 400
    response = client.post(url, _policy_data(holiday_country="ZZ"))
    assert response.status_code == 400 and "Pays inconnu" in response.content.decode()
    with tenant_context(firm.tenant):
        assert TimesheetPolicy.objects.get().habitually_late_count == 2


# --- Grouped reminders -------------------------------------------------------------------------


def _reminders_url(persona, month=MAY, audience="consultants") -> str:
    return _url(persona, f"timesheets/closing/reminders/?month={month:%Y-%m}&audience={audience}")


def test_the_grouped_reminder_lists_the_late_ones_all_ticked(firm):
    page = firm.adv.client().get(_reminders_url(firm.adv))
    assert page.status_code == 200
    html = page.content.decode()
    for member in (firm.late1, firm.late2, firm.loner):
        assert f'data-email="{member.user.email}"' in html
    assert firm.done.user.email not in html and firm.waiting.user.email not in html
    assert html.count(" checked data-pick>") == 3


def test_the_preview_uses_the_firms_wording_of_the_template(firm):
    # given the firm reworded the "consequences" message
    with tenant_context(firm.tenant):
        MessageTemplateFactory(
            key="timesheet.submission_late", language="fr", subject="{{ first_name }}, votre CRA de {{ month }} manque",
            body="Échéance : {{ deadline }}. Votre manager : {{ manager }}.",
        )
    ids = [str(firm.late1.membership.pk), str(firm.loner.membership.pk)]
    response = firm.adv.client().post(
        _reminders_url(firm.adv), {"month": "2026-05", "audience": "consultants", "template": "timesheet.submission_late",
                                   "people": ids, "action": "preview"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Luc, votre CRA de mai 2026 manque" in html
    assert "mercredi 27 mai 2026" in html and "Manon Chef" in html
    # a preview sends nothing
    with tenant_context(firm.tenant):
        assert not Notification.objects.exists() and not ReminderSent.objects.exists()


def test_send_now_reaches_the_chosen_ones_once_a_day_and_says_so(firm):
    client = firm.adv.client()
    ids = [str(firm.late1.membership.pk), str(firm.late2.membership.pk)]
    data = {"month": "2026-05", "audience": "consultants", "template": "timesheet.submission_late", "people": ids, "action": "send"}
    # when ADV sends to two of the three
    response = client.post(_reminders_url(firm.adv), data, follow=True)
    assert "Relance envoyée à 2 personnes." in response.content.decode()
    assert sorted(support.sent(firm.tenant)) == sorted(
        [(firm.late1.user.email, "timesheet.submission_late"), (firm.late2.user.email, "timesheet.submission_late")]
    )
    # when ADV (or a colleague) clicks again the same day: nothing more, and the page says so
    response = firm.alice.client().post(_reminders_url(firm.alice), data, follow=True)
    assert "Rien de plus envoyé à 2 personnes déjà relancées aujourd&#x27;hui" in response.content.decode()
    assert len(support.sent(firm.tenant)) == 2
    with tenant_context(firm.tenant):
        rows = list(ReminderSent.objects.values_list("step", "sent_by_id", "template_key"))
    assert len(rows) == 2 and all(step.startswith("manual:") and by == firm.adv.membership.pk for step, by, _t in rows)


def test_managers_with_timesheets_to_approve_are_a_tab_of_their_own(firm):
    page = firm.adv.client().get(_reminders_url(firm.adv, audience="approvers")).content.decode()
    assert f'data-email="{firm.manager.user.email}"' in page
    response = firm.adv.client().post(
        _reminders_url(firm.adv, audience="approvers"),
        {"month": "2026-05", "audience": "approvers", "template": "timesheet.approval_reminder",
         "people": [str(firm.manager.membership.pk)], "action": "send"},
    )
    assert response.status_code == 302
    with tenant_context(firm.tenant):
        body = Notification.objects.get(event="timesheet.approval_reminder").body
    assert "Wendy Attente" in body


def test_only_adv_sends_grouped_reminders(firm):
    assert firm.manager.client().get(_reminders_url(firm.manager)).status_code == 403
    response = firm.late1.client().post(_reminders_url(firm.late1), {
        "month": "2026-05", "audience": "consultants", "template": "timesheet.submission_late",
        "people": [str(firm.late1.membership.pk)], "action": "send"})
    assert response.status_code == 403
    assert support.sent(firm.tenant) == []


def test_a_grouped_reminder_is_once_per_person_and_day_whoever_clicks_and_whatever_the_message(firm):
    from timesheets import reminders

    # ADV, then the admin with another message, the same day; then ADV the next day
    with tenant_context(firm.tenant):
        first = reminders.grouped_reminder_send(actor=firm.adv.membership, month=MAY, audience="consultants",
                                                template_key="timesheet.submission_reminder",
                                                membership_ids=[firm.late1.membership.pk], today=datetime.date(2026, 5, 28))
        second = reminders.grouped_reminder_send(actor=firm.alice.membership, month=MAY, audience="consultants",
                                                 template_key="timesheet.submission_late",
                                                 membership_ids=[firm.late1.membership.pk], today=datetime.date(2026, 5, 28))
        # the next day is another step
        third = reminders.grouped_reminder_send(actor=firm.adv.membership, month=MAY, audience="consultants",
                                                template_key="timesheet.submission_late",
                                                membership_ids=[firm.late1.membership.pk], today=datetime.date(2026, 5, 29))
    assert [len(first.sent), len(second.sent), len(second.already), len(third.sent)] == [1, 0, 1, 1]


# --- Late report and exports ------------------------------------------------------------------


def test_the_late_report_shows_the_month_and_the_people_and_exports(firm):
    timesheet(firm.late2, MAY, TimesheetStatus.SUBMITTED, submitted=at(datetime.date(2026, 5, 29)))
    client = firm.adv.client()
    page = client.get(_url(firm.adv, "timesheets/closing/late/?view=month&month=2026-05")).content.decode()
    assert f'data-email="{firm.late2.user.email}" data-delay="2"' in page
    assert f'data-email="{firm.late1.user.email}"' in page  # not submitted: late so far
    assert f'data-email="{firm.done.user.email}"' not in page
    people = client.get(_url(firm.adv, "timesheets/closing/late/?view=people")).content.decode()
    assert firm.late2.user.email in people
    csv = client.get(_url(firm.adv, "timesheets/closing/late/?view=month&month=2026-05&export=csv"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Lise Brouillon" in text and "29/05/2026" in text
    xlsx = client.get(_url(firm.adv, "timesheets/closing/late/?view=people&export=xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet["A1"].value == "Consultant" and sheet["H1"].value == "Retardataire habituel"


def test_a_manager_sees_the_lateness_of_their_team_only(firm):
    page = firm.manager.client().get(_url(firm.manager, "timesheets/closing/late/?view=month&month=2026-05")).content.decode()
    assert firm.late1.user.email in page and firm.loner.user.email not in page


def test_a_consultant_has_no_access_to_the_reports(firm):
    for path in ("timesheets/closing/late/", "timesheets/closing/completion/"):
        assert firm.late1.client().get(_url(firm.late1, path)).status_code == 403


# --- Completion ---------------------------------------------------------------------------------


def _completion(persona, query: str = "month=2026-05"):
    return persona.client().get(_url(persona, f"timesheets/closing/completion/?{query}"))


def test_the_completion_page_shows_the_figures_and_who_is_missing(firm):
    html = _completion(firm.adv).content.decode()
    assert "40 %" in html  # 2 of 5 submitted
    for member in (firm.late1, firm.late2, firm.loner):
        assert f'data-email="{member.user.email}"' in html
    team = _completion(firm.adv, f"month=2026-05&show=all&manager={firm.manager.membership.pk}").content.decode()
    assert team.count('data-testid="person-row"') == 4


def test_an_unknown_or_foreign_manager_filter_answers_404(firm, carol):
    assert _completion(firm.adv, f"month=2026-05&manager={carol.membership.pk}").status_code == 404
    assert _completion(firm.adv, "month=2026-05&manager=nonsense").status_code == 404


def _grow(firm, count: int) -> None:
    for i in range(count):
        member = person(firm.tenant, "consultant", f"Extra{i}", f"Conseil{i}", reports_to=firm.manager if i % 2 else None)
        if i % 3 == 0:
            timesheet(member, MAY, TimesheetStatus.SUBMITTED, submitted=at(datetime.date(2026, 5, 20)))


@pytest.mark.parametrize("path", ["completion", "late_month", "late_people", "reminders"])
def test_the_pages_run_a_constant_number_of_queries(firm, path):
    urls = {
        "completion": "timesheets/closing/completion/?month=2026-05&show=all",
        "late_month": "timesheets/closing/late/?view=month&month=2026-05",
        "late_people": "timesheets/closing/late/?view=people",
        "reminders": "timesheets/closing/reminders/?month=2026-05",
    }
    client = firm.adv.client()
    url = _url(firm.adv, urls[path])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(firm, 25)  # 5 → 30 consultants
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


# --- Dashboard ----------------------------------------------------------------------------------


def test_the_dashboard_shows_the_closing_calendar_of_the_month(firm):
    html = firm.late1.client().get(_url(firm.late1, "")).content.decode()
    assert 'data-testid="closing-card"' in html and 'data-testid="closing-card-own"' in html
    adv_html = firm.adv.client().get(_url(firm.adv, "")).content.decode()
    assert 'data-testid="closing-card-completion"' in adv_html


# --- Another firm -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_carol_gets_404_on_alpha_closing_pages(firm, carol, path):
    assert carol.client().get(f"/t/{firm.tenant.slug}/{path}").status_code == 404


def test_carol_cannot_remind_or_edit_in_alpha(firm, carol):
    client = carol.client()
    base = f"/t/{firm.tenant.slug}/timesheets/closing/"
    assert client.post(base + "reminders/", {
        "month": "2026-05", "audience": "consultants", "template": "timesheet.submission_late",
        "people": [str(firm.late1.membership.pk)], "action": "send"}).status_code == 404
    assert client.post(base + "2026/5/", {"reset": "1"}).status_code == 404
    assert client.post(base + "rules/", _policy_data(reminder_offsets="-1")).status_code == 404
    with tenant_context(firm.tenant):
        assert not ReminderSent.objects.exists() and not ClosingCalendar.objects.exists()
        assert not TimesheetPolicy.objects.filter(reminder_offsets="-1").exists()
    # and carol's own firm is not touched by alpha's ids
    carol_page = client.post(f"/t/{carol.tenant.slug}/timesheets/closing/reminders/", {
        "month": "2026-05", "audience": "consultants", "template": "timesheet.submission_late",
        "people": [str(firm.late1.membership.pk)], "action": "send"})
    assert carol_page.status_code == 400  # nobody of hers was chosen
    assert support.sent(firm.tenant) == []
