"""The e-invoicing API: submissions with their ordered history, e-reports with their state,
filters, retries for the ADV and admins only, and no other firm's rows."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from adv.tenancy.context import tenant_context
from einvoicing.models import EReport, Submission
from tests.api.conftest import bearer_client, make_token
from tests.api.test_authentication import assert_problem
from tests.einvoicing.test_lifecycle import fetched, submitted
from tests.einvoicing.test_submission import NOW

pytestmark = pytest.mark.django_db
API = "/api/v1/einvoicing/"


def api_of(persona):
    _token, raw = make_token(persona)
    return bearer_client(raw)


@pytest.fixture
def approved(platform_firm):
    with time_machine.travel(NOW, tick=False) as clock:
        invoice = submitted(platform_firm)
        clock.shift(datetime.timedelta(minutes=15))
        fetched(platform_firm)
    return invoice


def test_a_submission_lists_with_its_history_in_order_and_filters(platform_firm, approved):
    api = api_of(platform_firm.accountant)  # billing readers read
    body = api.get(f"{API}submissions/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["invoice"] == str(approved.pk) and row["invoice_number"] == approved.number
    assert row["status"] == "205" and row["status_label"] == "Approuvée" and row["state"] == "submitted"
    assert [e["code"] for e in row["history"]] == ["200", "201", "202", "203", "204", "205"]
    assert row["history"][0]["label"] == "Déposée"
    assert api.get(f"{API}submissions/?status=205").json()["count"] == 1
    assert api.get(f"{API}submissions/?status=210").json()["count"] == 0
    assert api.get(f"{API}submissions/?invoice={approved.pk}").json()["count"] == 1
    assert api.get(f"{API}submissions/?state=failed").json()["count"] == 0
    assert api.get(f"{API}submissions/{row['id']}/").json()["history"] == row["history"]
    assert api.get(f"{API}submissions/?status=999").status_code == 400


def test_retrying_a_failed_submission_is_for_the_adv_and_admins(platform_firm, approved):
    with tenant_context(platform_firm.tenant):
        submission = Submission.objects.get(invoice=approved)
    url = f"{API}submissions/{submission.pk}/retry/"
    # a transmitted one is not retried
    assert_problem(api_of(platform_firm.adv).post(url), 409, "submission_not_retryable")
    with tenant_context(platform_firm.tenant):
        Submission.objects.filter(pk=submission.pk).update(state="failed", last_error="Délai dépassé", attempts=8)
    # the accountant reads but may not retry, and nothing changes
    assert_problem(api_of(platform_firm.accountant).post(url), 403, "role_cannot_write")
    with tenant_context(platform_firm.tenant):
        assert Submission.objects.get(pk=submission.pk).state == "failed"
    answer = api_of(platform_firm.adv).post(url)
    assert answer.status_code == 202, answer.content
    assert answer.json()["state"] == "pending"


def test_reports_list_with_their_state_and_a_failed_one_is_retried(platform_firm, approved):
    from billing import services as billing_services

    with time_machine.travel(NOW, tick=False), tenant_context(platform_firm.tenant):
        billing_services.payment_record(actor=platform_firm.adv.membership, invoice=approved, amount=approved.total_gross,
                                        paid_on=datetime.date(2026, 11, 2))
        report = EReport.objects.get(invoice=approved)
        EReport.objects.filter(pk=report.pk).update(state="failed", last_error="Erreur 500", attempts=8)
    api = api_of(platform_firm.adv)
    body = api.get(f"{API}reports/?state=failed").json()
    assert body["count"] == 1 and body["results"][0]["kind"] == "payment"
    assert body["results"][0]["payload"]["amount"] == f"{approved.total_gross:.2f}"
    assert api.get(f"{API}reports/?invoice={approved.pk}&kind=transaction").json()["count"] == 0
    answer = api.post(f"{API}reports/{report.pk}/retry/")
    assert answer.status_code == 202 and answer.json()["state"] == "pending"
    with tenant_context(platform_firm.tenant):
        EReport.objects.filter(pk=report.pk).update(state="sent")
    assert_problem(api.post(f"{API}reports/{report.pk}/retry/"), 409, "report_not_retryable")


def test_another_firm_sees_none_of_them(platform_firm, approved, carol):
    api = api_of(carol)
    with tenant_context(platform_firm.tenant):
        submission = Submission.objects.get(invoice=approved)
    assert api.get(f"{API}submissions/").json()["count"] == 0
    assert_problem(api.get(f"{API}submissions/{submission.pk}/"), 404, "not_found")
    assert_problem(api.post(f"{API}submissions/{submission.pk}/retry/"), 404, "not_found")


def test_consultants_do_not_read_billing(platform_firm, approved):
    assert_problem(api_of(platform_firm.bob).get(f"{API}submissions/"), 403, "role_required")
