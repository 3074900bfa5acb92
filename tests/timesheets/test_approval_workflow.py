"""The approval workflow: every forbidden transition, rejection and reopening with their reason,
who sees whose month (contractors see only their own), and other tenants' 404s."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import Conflict, DomainError, PermissionDenied
from notifications.models import Notification
from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    approved,
    fill,
    line,
    open_month,
    reload,
    shown_rates,
    submitted,
    working_days_of_assignment,
)
from timesheets import services
from timesheets.models import Timesheet, TimesheetStatus

pytestmark = pytest.mark.django_db

# Fixtures shared by the timesheet tests.
firm = support.firm
frozen = support.frozen


def filled(firm, person, deal=None):
    timesheet = open_month(person)
    work = line(timesheet, deal=deal or firm.deal)
    return fill(person, timesheet, [(work, d, "1") for d in working_days_of_assignment()])


def events(person) -> list[str]:
    with tenant_context(person.tenant):
        return sorted(Notification.objects.filter(recipient=person.user).values_list("event", flat=True))


# --- Forbidden transitions -------------------------------------------------------------------------


def test_a_draft_cannot_be_approved(firm):
    timesheet = filled(firm, firm.bob)
    with tenant_context(firm.tenant), pytest.raises(Conflict) as error:
        services.timesheet_approve(actor=firm.alice.membership, timesheet=timesheet)
    assert error.value.code == "not_submitted"
    assert reload(timesheet).status == TimesheetStatus.DRAFT


def test_nobody_approves_their_own_timesheet_not_even_an_admin(firm):
    # given alice (admin, so ADV rights) with her own submitted month
    own = open_month(firm.alice)
    submitted(firm.alice, own)
    # when she approves it
    with tenant_context(firm.tenant), pytest.raises(PermissionDenied):
        services.timesheet_approve(actor=firm.alice.membership, timesheet=own)
    assert reload(own).status == TimesheetStatus.SUBMITTED


def test_a_manager_cannot_approve_someone_who_does_not_report_to_them(firm):
    # given bob (reporting to alice) submitted; Manon manages Chloé and Hugo, not bob
    timesheet = submitted(firm.bob, filled(firm, firm.bob))
    with tenant_context(firm.tenant), pytest.raises(PermissionDenied):
        services.timesheet_approve(actor=firm.manager.membership, timesheet=timesheet)
    with tenant_context(firm.tenant), pytest.raises(PermissionDenied):
        services.timesheet_reject(actor=firm.manager.membership, timesheet=timesheet, reason="Non.")
    assert reload(timesheet).status == TimesheetStatus.SUBMITTED


def test_the_manager_approves_a_report_and_adv_approves_on_behalf_of_anyone(firm):
    chloe = submitted(firm.chloe, filled(firm, firm.chloe))
    bob = submitted(firm.bob, filled(firm, firm.bob))
    assert approved(firm.chloe, chloe, by=firm.manager).approved_by_id == firm.manager.membership.pk
    assert approved(firm.bob, bob, by=firm.adv).approved_by_id == firm.adv.membership.pk


def test_a_submitted_timesheet_no_longer_changes(firm):
    timesheet = submitted(firm.bob, filled(firm, firm.bob))
    with pytest.raises(Conflict) as error:
        fill(firm.bob, timesheet, [(line(timesheet, deal=firm.deal), 6, "0.5")])
    assert error.value.code == "not_draft"


def test_a_rejection_needs_a_reason_and_only_a_submitted_timesheet_is_rejected(firm):
    draft = filled(firm, firm.bob)
    with tenant_context(firm.tenant), pytest.raises(Conflict):
        services.timesheet_reject(actor=firm.alice.membership, timesheet=draft, reason="Non.")
    timesheet = submitted(firm.bob, draft)
    with tenant_context(firm.tenant), pytest.raises(DomainError) as error:
        services.timesheet_reject(actor=firm.alice.membership, timesheet=timesheet, reason="   ")
    assert error.value.code == "reason_required"
    assert reload(timesheet).status == TimesheetStatus.SUBMITTED


def test_a_rejection_sends_it_back_to_draft_with_the_reason_shown_and_notified(firm):
    # given bob's submitted May
    timesheet = submitted(firm.bob, filled(firm, firm.bob))
    first_submission = reload(timesheet).first_submitted_at
    # when alice rejects it from the reject page
    response = firm.alice.client().post(
        firm.alice.url(f"timesheets/{timesheet.pk}/reject/"), {"reason": "Le 12, tu étais en formation."}
    )
    assert response.status_code == 302
    # then it is a draft again, with the reason, the first submission kept for the late report
    rejected = reload(timesheet)
    assert rejected.status == TimesheetStatus.DRAFT
    assert rejected.rejection_reason == "Le 12, tu étais en formation."
    assert rejected.first_submitted_at == first_submission and rejected.submitted_at is None
    assert events(firm.bob) == ["timesheet.rejected"]
    # and bob's page shows the reason in its banner
    page = firm.bob.client().get(firm.bob.url("timesheets/me/2026/5/")).content.decode()
    assert 'data-testid="rejection-reason">Le 12, tu étais en formation.' in page


def test_the_reject_page_refuses_an_empty_reason(firm):
    timesheet = submitted(firm.bob, filled(firm, firm.bob))
    response = firm.alice.client().post(firm.alice.url(f"timesheets/{timesheet.pk}/reject/"), {"reason": "  "})
    assert response.status_code == 400
    assert reload(timesheet).status == TimesheetStatus.SUBMITTED


def test_only_adv_reopens_an_approved_timesheet_with_a_reason(firm):
    # given Chloé's approved May
    timesheet = approved(firm.chloe, submitted(firm.chloe, filled(firm, firm.chloe)), by=firm.manager)
    # when her manager tries to reopen it
    with tenant_context(firm.tenant), pytest.raises(PermissionDenied):
        services.timesheet_reopen(actor=firm.manager.membership, timesheet=timesheet, reason="Erreur")
    # and ADV reopens it from the page
    response = firm.adv.client().post(firm.adv.url(f"timesheets/{timesheet.pk}/reopen/"), {"reason": "Le client conteste 2 jours."})
    # then it is a draft again, with the reason, and Chloé is told
    assert response.status_code == 302
    reopened = reload(timesheet)
    assert reopened.status == TimesheetStatus.DRAFT and reopened.approved_at is None
    assert reopened.rejection_reason == "Le client conteste 2 jours."
    assert events(firm.chloe) == ["timesheet.reopened"]


def test_a_submitted_timesheet_is_not_reopened(firm):
    timesheet = submitted(firm.bob, filled(firm, firm.bob))
    with tenant_context(firm.tenant), pytest.raises(Conflict) as error:
        services.timesheet_reopen(actor=firm.adv.membership, timesheet=timesheet, reason="Erreur")
    assert error.value.code == "not_approved"


def test_a_billed_timesheet_is_locked_for_good(firm):
    # given an approved timesheet, billed
    timesheet = approved(firm.bob, submitted(firm.bob, filled(firm, firm.bob)), by=firm.alice)
    with tenant_context(firm.tenant):
        services.timesheet_lock(timesheet=timesheet)
    # when ADV tries to reopen it (service and page)
    with tenant_context(firm.tenant), pytest.raises(Conflict) as error:
        services.timesheet_reopen(actor=firm.adv.membership, timesheet=timesheet, reason="Erreur")
    response = firm.adv.client().post(firm.adv.url(f"timesheets/{timesheet.pk}/reopen/"), {"reason": "Erreur"})
    # then it stays approved and locked, and the page says why
    assert error.value.code == "timesheet_locked"
    assert response.status_code == 302
    locked = reload(timesheet)
    assert locked.status == TimesheetStatus.APPROVED and locked.is_locked
    page = firm.adv.client().get(response["Location"]).content.decode()
    assert "facturé" in page.lower()
    assert 'data-testid="timesheet-reopen"' not in page


# --- The month page for the manager ------------------------------------------------------------------


def test_the_manager_approves_from_the_month_page_of_a_report(firm):
    timesheet = submitted(firm.chloe, filled(firm, firm.chloe))
    client = firm.manager.client()
    url = firm.manager.url(f"timesheets/approvals/members/{firm.chloe.membership.pk}/2026/5/")
    page = client.get(url).content.decode()
    assert 'data-testid="approver-panel"' in page
    assert 'data-testid="timesheet-submit"' not in page  # the manager does not edit
    response = client.post(firm.manager.url(f"timesheets/{timesheet.pk}/approve/"))
    assert response.status_code == 302 and response["Location"] == url
    assert reload(timesheet).status == TimesheetStatus.APPROVED


def test_a_manager_cannot_open_the_month_of_someone_outside_their_team(firm):
    response = firm.manager.client().get(firm.manager.url(f"timesheets/approvals/members/{firm.bob.membership.pk}/2026/5/"))
    assert response.status_code == 404
    with tenant_context(firm.tenant):
        assert not Timesheet.objects.filter(consultant=firm.bob.membership).exists()


# --- Contractors and consultants: their own months only -----------------------------------------------


def test_a_contractor_sees_only_their_own_month_and_no_rate(firm):
    # given bob's submitted May, and Hugo (external, staffed on Orion at a purchase rate)
    bob_month = submitted(firm.bob, filled(firm, firm.bob))
    client = firm.hugo.client()
    # when Hugo opens his own May
    page = client.get(firm.hugo.url("timesheets/me/2026/5/")).content.decode()
    # then his mission is there, nothing of Helios (another client), no rate
    assert firm.other_deal.reference in page and "Orion" in page
    assert firm.deal.reference not in page and "Helios" not in page
    assert shown_rates(page) == []
    # and bob's month, its PDF, its actions and the queue are closed to him
    for url in (
        f"timesheets/approvals/members/{firm.bob.membership.pk}/2026/5/",
        f"timesheets/{bob_month.pk}/pdf/{firm.deal.pk}/",
        f"timesheets/{bob_month.pk}/reject/",
    ):
        assert client.get(firm.hugo.url(url)).status_code == 404, url
    assert client.post(firm.hugo.url(f"timesheets/{bob_month.pk}/approve/")).status_code == 404
    assert client.post(firm.hugo.url(f"timesheets/{bob_month.pk}/save/"), {"version": 1}).status_code == 404
    assert client.get(firm.hugo.url("timesheets/approvals/")).status_code == 403
    assert reload(bob_month).status == TimesheetStatus.SUBMITTED


def test_a_consultant_cannot_approve_through_bulk_approval(firm):
    chloe = submitted(firm.chloe, filled(firm, firm.chloe))
    response = firm.bob.client().post(firm.bob.url("timesheets/approvals/approve/"), {"timesheet": [str(chloe.pk)]})
    assert response.status_code == 302
    assert reload(chloe).status == TimesheetStatus.SUBMITTED


# --- Other tenants -----------------------------------------------------------------------------------------


def test_carol_gets_404_on_every_timesheet_page_of_tenant_a(firm, carol):
    # given bob's submitted May in tenant A, and carol (admin of tenant B)
    timesheet = submitted(firm.bob, filled(firm, firm.bob))
    client = carol.client()
    ids = {"pk": timesheet.pk, "member": firm.bob.membership.pk, "deal": firm.deal.pk}
    own_prefix = [
        f"timesheets/approvals/members/{ids['member']}/2026/5/",
        f"timesheets/{ids['pk']}/pdf/{ids['deal']}/",
        f"timesheets/{ids['pk']}/reject/",
        f"timesheets/{ids['pk']}/reopen/",
    ]
    # when she opens them under her own firm's prefix, or under tenant A's
    for path in own_prefix:
        assert client.get(carol.url(path)).status_code == 404, path
        assert client.get(f"/t/alpha/{path}").status_code == 404, path
    for path in (f"timesheets/{ids['pk']}/approve/", f"timesheets/{ids['pk']}/save/", f"timesheets/{ids['pk']}/reject/"):
        assert client.post(carol.url(path), {"reason": "x", "version": 1}).status_code == 404, path
    assert client.get("/t/alpha/timesheets/approvals/").status_code == 404
    # then nothing changed
    assert reload(timesheet).status == TimesheetStatus.SUBMITTED
