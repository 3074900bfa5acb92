"""The dunning API: plan, steps, reminders (filters), an invoice's dunning and its actions; roles
and other firms."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context

from .conftest import at, late

pytestmark = pytest.mark.django_db


def api(persona) -> Client:
    cache.clear()
    with tenant_context(persona.membership.tenant_id):
        _token, raw = api_token_create(actor=persona.membership, name="integration")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_plan_and_steps(overdue):
    adv = api(overdue.firm.adv)
    current = adv.get("/api/v1/dunning/plans/current/").json()
    assert current["is_default"] and [s["days_after_due"] for s in current["steps"]] == [7, 21, 45]
    assert adv.get("/api/v1/dunning/plans/").json()["count"] == 0
    refused = adv.post("/api/v1/dunning/steps/", {"days_after_due": 0, "tone": "courteous"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "step_before_due_date"
    created = adv.post("/api/v1/dunning/steps/", {"days_after_due": 60, "tone": "formal_notice"}, content_type="application/json")
    assert created.status_code == 201
    changed = adv.patch("/api/v1/dunning/plans/current/", {"penalty_rate": "10.00"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["penalty_rate"] == "10.00"
    assert [s["days_after_due"] for s in changed.json()["steps"]] == [7, 21, 45, 60]
    accountant = api(overdue.firm.accountant)
    assert accountant.get("/api/v1/dunning/plans/current/").status_code == 200
    assert accountant.post("/api/v1/dunning/steps/", {"days_after_due": 9, "tone": "firm"},
                           content_type="application/json").json()["code"] == "role_cannot_write"
    assert api(overdue.firm.bob).get("/api/v1/dunning/reminders/").status_code == 403


def test_remind_pause_promise_and_reminders_list(overdue, time_machine, carol):
    time_machine.move_to(at(late(8)), tick=False)
    adv = api(overdue.firm.adv)
    base = f"/api/v1/dunning/invoices/{overdue.invoice.pk}/"
    state = adv.get(base).json()
    assert state["overdue"] and state["next_step"]["tone"] == "courteous"
    sent = adv.post(base + "remind/")
    assert sent.status_code == 201 and sent.json()["tone"] == "courteous" and not sent.json()["is_automatic"]
    assert adv.post(base + "remind/").json()["code"] == "already_reminded"
    listed = adv.get(f"/api/v1/dunning/reminders/?invoice={overdue.invoice.pk}").json()
    assert listed["count"] == 1 and listed["results"][0]["invoice_number"] == overdue.invoice.number
    assert adv.get(f"/api/v1/dunning/reminders/?client={overdue.firm.orion.pk}").json()["count"] == 0
    paused = adv.post(base + "pause/", {"reason": "Contesté", "dispute": True}, content_type="application/json")
    assert paused.status_code == 201 and paused.json()["kind"] == "dispute"
    assert adv.get(base).json()["paused"]
    assert adv.post(base + "resume/").status_code == 200
    assert adv.post(base + "resume/").json()["code"] == "not_paused"
    promised = adv.post(base + "promise/", {"promised_on": late(20).isoformat(), "amount": "100.00"},
                        content_type="application/json")
    assert promised.status_code == 201 and promised.json()["status"] == "pending"
    # another firm: 404 everywhere
    other = api(carol)
    assert other.get(base).status_code == 404
    assert other.post(base + "remind/").status_code == 404
    assert other.get("/api/v1/dunning/reminders/").json()["count"] == 0
