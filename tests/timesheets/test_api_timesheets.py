"""`/api/v1/timesheets/`: lines and entries, filters, the grid written with its version (409 when
stale), the workflow actions, an integration submitting for a consultant, isolation (contractors,
other tenants), no rate anywhere, and a constant number of queries on the list."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from deals.models import Deal
from tests.timesheets import test_entry_support as support
from tests.timesheets.test_entry_support import (
    MAY,
    RATES,
    entries_of,
    fill,
    line,
    open_month,
    reload,
    submitted,
    team_with_submitted_may,
    working_days_of_assignment,
)
from timesheets.models import Timesheet, TimesheetEntry, TimesheetLine, TimesheetStatus

pytestmark = pytest.mark.django_db

# Fixtures shared by the timesheet tests.
firm = support.firm
frozen = support.frozen
API = "/api/v1/timesheets/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def api(person) -> Client:
    with tenant_context(person.tenant):
        _token, raw = api_token_create(actor=person.membership, name="integration")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def put(client, url, body, method="put"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_timesheet_comes_with_its_lines_entries_and_totals_and_no_rate(firm):
    # given bob's May with 13 days on Helios and a day of leave
    timesheet = open_month(firm.bob)
    work, leave = line(timesheet, deal=firm.deal), line(timesheet, absence="conges-payes")
    fill(firm.bob, timesheet, [(work, d, "1") for d in working_days_of_assignment()] + [(leave, 4, "1")])
    # when bob reads it
    response = api(firm.bob).get(f"{API}{timesheet.pk}/")
    # then lines, entries and totals, the deal's instructions, and no rate at all
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-05-01" and body["status"] == "draft"
    assert body["total_worked"] == "13.00" and body["total_absent"] == "1.00"
    work_line = next(li for li in body["lines"] if li["kind"] == "assignment")
    assert work_line["deal"]["reference"] == firm.deal.reference
    assert work_line["instructions"].startswith("Badge")
    assert len(work_line["entries"]) == 13 and work_line["entries"][0] == {"day": "2026-05-06", "quantity": "1.00", "is_extra": False}
    assert "rate" not in response.content.decode()
    # no value is a rate (whole values only: an id may well contain "650")
    assert [value for value in _scalars(body) if _is_rate(value)] == []


def _scalars(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _scalars(value)
    elif isinstance(node, list):
        for value in node:
            yield from _scalars(value)
    else:
        yield node


def _is_rate(value) -> bool:
    try:
        return Decimal(str(value)) in {Decimal(rate) for rate in RATES}
    except (ArithmeticError, ValueError):
        return False


def test_the_list_filters_by_month_status_and_consultant(firm):
    bob = submitted(firm.bob, open_month(firm.bob))
    open_month(firm.chloe)
    client = api(firm.adv)
    assert {t["id"] for t in client.get(API).json()["results"]} == {str(bob.pk), str(reload_chloe(firm).pk)}
    assert [t["id"] for t in client.get(API, {"status": "submitted"}).json()["results"]] == [str(bob.pk)]
    assert [t["id"] for t in client.get(API, {"consultant": str(firm.chloe.membership.pk)}).json()["results"]] == [str(reload_chloe(firm).pk)]
    assert client.get(API, {"month": "2026-05"}).json()["count"] == 2
    assert client.get(API, {"month": "2026-04"}).json()["count"] == 0


def reload_chloe(firm):
    with tenant_context(firm.tenant):
        return Timesheet.objects.get(consultant=firm.chloe.membership, month=MAY)


def test_put_replaces_the_grid_and_patch_changes_only_the_lines_sent(firm):
    timesheet = open_month(firm.bob)
    work, leave = line(timesheet, deal=firm.deal), line(timesheet, absence="rtt")
    client = api(firm.bob)
    body = {
        "version": reload(timesheet).version,
        "lines": [
            {"id": str(work.pk), "comment": "Lot 2", "entries": [{"day": "2026-05-06", "quantity": "1"}, {"day": "2026-05-07", "quantity": "0.5"}]},
            {"id": str(leave.pk), "entries": [{"day": "2026-05-07", "quantity": "0.5"}]},
        ],
    }
    response = put(client, f"{API}{timesheet.pk}/", body)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == body["version"] + 1
    assert len(entries_of(timesheet)) == 3
    # when PATCH sends the leave line only
    response = put(client, f"{API}{timesheet.pk}/", {"version": body["version"] + 1, "lines": [{"id": str(leave.pk), "entries": []}]}, "patch")
    # then the work line keeps its days and its comment
    assert response.status_code == 200
    assert [(e[1].day, str(e[2])) for e in entries_of(timesheet)] == [(6, "1.00"), (7, "0.50")]
    assert line(timesheet, deal=firm.deal).comment == "Lot 2"


def test_a_stale_version_answers_409_and_changes_nothing(firm):
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    client = api(firm.bob)
    version = reload(timesheet).version
    first = put(client, f"{API}{timesheet.pk}/", {"version": version, "lines": [{"id": str(work.pk), "entries": [{"day": "2026-05-06", "quantity": "1"}]}]})
    assert first.status_code == 200
    second = put(client, f"{API}{timesheet.pk}/", {"version": version, "lines": [{"id": str(work.pk), "entries": [{"day": "2026-05-07", "quantity": "1"}]}]})
    assert second.status_code == 409
    assert second["Content-Type"] == "application/problem+json"
    assert second.json()["code"] == "stale_version"
    assert [e[1].day for e in entries_of(timesheet)] == [6]


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ({"day": "2026-05-06", "quantity": "0.75"}, "invalid_quantity"),
        ({"day": "2026-05-04", "quantity": "1"}, "outside_assignment"),
        ({"day": "2026-05-06", "quantity": "1", "is_extra": True}, "extra_not_allowed"),
        ({"day": "2026-06-01", "quantity": "1"}, "day_outside_month"),
    ],
)
def test_grid_rules_answer_400_with_their_code(firm, entry, code):
    timesheet = open_month(firm.bob)
    work = line(timesheet, deal=firm.deal)
    response = put(api(firm.bob), f"{API}{timesheet.pk}/", {"version": reload(timesheet).version, "lines": [{"id": str(work.pk), "entries": [entry]}]})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert entries_of(timesheet) == []


def test_the_workflow_actions_and_their_forbidden_transitions(firm):
    timesheet = open_month(firm.bob)
    bob, alice, manon = api(firm.bob), api(firm.alice), api(firm.manager)
    assert alice.post(f"{API}{timesheet.pk}/approve/").json()["code"] == "not_submitted"
    assert bob.post(f"{API}{timesheet.pk}/submit/").json()["status"] == "submitted"
    assert bob.post(f"{API}{timesheet.pk}/submit/").json()["code"] == "already_submitted"
    assert bob.post(f"{API}{timesheet.pk}/approve/").status_code == 403  # one's own
    assert manon.post(f"{API}{timesheet.pk}/approve/").status_code == 404  # not her report: not even visible
    response = alice.post(f"{API}{timesheet.pk}/reject/", data={"reason": ""}, content_type="application/json")
    assert response.status_code == 400
    response = alice.post(f"{API}{timesheet.pk}/reject/", data={"reason": "Le 12 manque."}, content_type="application/json")
    assert response.json()["status"] == "draft" and response.json()["rejection_reason"] == "Le 12 manque."
    bob.post(f"{API}{timesheet.pk}/submit/")
    assert alice.post(f"{API}{timesheet.pk}/approve/").json()["status"] == "approved"
    assert alice.post(f"{API}{timesheet.pk}/reopen/", data={"reason": "Client"}, content_type="application/json").json()["status"] == "draft"


def test_an_integration_token_with_the_adv_role_opens_fills_and_submits_a_consultants_month(firm):
    # given an integration token of the ADV
    client = api(firm.adv)
    # when it opens bob's May, fills his days and submits
    opened = client.post(f"{API}open/", data={"consultant": str(firm.bob.membership.pk), "month": "2026-05"}, content_type="application/json")
    assert opened.status_code == 200, opened.content
    body = opened.json()
    work = next(li for li in body["lines"] if li["kind"] == "assignment")
    entries = [{"day": f"2026-05-{d:02d}", "quantity": "1"} for d in working_days_of_assignment()]
    saved = put(client, f"{API}{body['id']}/", {"version": body["version"], "lines": [{"id": work["id"], "entries": entries}]})
    assert saved.status_code == 200
    response = client.post(f"{API}{body['id']}/submit/")
    # then bob's month is submitted, timestamped
    assert response.status_code == 200
    with tenant_context(firm.tenant):
        timesheet = Timesheet.objects.get(pk=body["id"])
    assert timesheet.status == TimesheetStatus.SUBMITTED and timesheet.submitted_at is not None


def test_a_future_month_is_refused(firm):
    response = api(firm.adv).post(f"{API}open/", data={"consultant": str(firm.bob.membership.pk), "month": "2026-07"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "future_month"


def test_a_contractor_lists_only_their_own_timesheets(firm):
    open_month(firm.bob)
    hugo = open_month(firm.hugo)
    client = api(firm.hugo)
    listed = client.get(API).json()
    assert [t["id"] for t in listed["results"]] == [str(hugo.pk)]
    assert "Helios" not in json.dumps(listed)
    bob = reload_bob(firm)
    assert client.get(f"{API}{bob.pk}/").status_code == 404
    assert client.post(f"{API}{bob.pk}/submit/").status_code == 404
    assert client.post(f"{API}open/", data={"consultant": str(firm.bob.membership.pk), "month": "2026-05"}, content_type="application/json").status_code == 403


def reload_bob(firm):
    with tenant_context(firm.tenant):
        return Timesheet.objects.get(consultant=firm.bob.membership, month=MAY)


def test_carols_token_gets_404_on_tenant_a_timesheets(firm, carol):
    timesheet = submitted(firm.bob, open_month(firm.bob))
    client = api(carol)
    assert client.get(f"{API}{timesheet.pk}/").status_code == 404
    assert client.post(f"{API}{timesheet.pk}/approve/").status_code == 404
    assert put(client, f"{API}{timesheet.pk}/", {"version": 1, "lines": []}).status_code == 404
    assert client.get(API).json()["count"] == 0
    assert reload(timesheet).status == TimesheetStatus.SUBMITTED


def test_the_list_runs_a_constant_number_of_queries(firm):
    client = api(firm.adv)
    client.get(API)
    team_with_submitted_may(firm, 3, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(API, {"page_size": 200}).json()["count"] == 3
    team_with_submitted_may(firm, 12, 3)
    with CaptureQueriesContext(connection) as many:
        body = client.get(API, {"page_size": 200}).json()
    assert body["count"] == 15 and sum(len(t["lines"]) for t in body["results"]) == 30
    assert len(many) == len(few)
    # the page's lines, entries and approvals are one query each (not one queryset per timesheet)
    reads = [q["sql"] for q in many.captured_queries if q["sql"].startswith("SELECT")]
    assert sum('FROM "timesheets_timesheetentry"' in sql for sql in reads) == 1
    assert sum('FROM "timesheets_timesheetline"' in sql for sql in reads) == 1


def test_the_list_gives_each_timesheet_as_its_detail_does(firm):
    # given a team's submitted Mays (work, leave, a client approval), with an extra day, a comment
    # and a reception number on one line, and a deal requiring reception numbers
    team_with_submitted_may(firm, 3, 0)
    with tenant_context(firm.tenant):
        work = TimesheetLine.objects.filter(assignment=firm.chloe_assignment).first()
        TimesheetLine.objects.filter(pk=work.pk).update(comment="Astreinte", reception_number="REC-1")
        TimesheetEntry.objects.create(line=work, day=MAY.replace(day=9), quantity=Decimal("0.5"), is_extra=True)
        Deal.objects.filter(pk=firm.chloe_assignment.deal_id).update(reception_number_required=True)
    client = api(firm.adv)
    # when the list is read (plain rows) and each timesheet alone (the serializer)
    listed = client.get(API, {"page_size": 200}).json()["results"]
    # then both give exactly the same representation
    assert len(listed) == 3
    for item in listed:
        assert item == client.get(f"{API}{item['id']}/").json()
    assert {t["total_extra"] for t in listed} == {"0.50", "0"}
    assert all(line["reception_number_required"] for t in listed for line in t["lines"] if line["kind"] == "assignment")
