"""The invoice date chosen at issuance (cockpit, pre-invoice page, API): never in the future, never
before an invoice already issued in the year's series, so that numbers follow dates; a refused date
leaves the drafts as they were and takes no number."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from billing import jobs
from billing.models import BillingJob, Invoice, NumberCounter

pytestmark = [pytest.mark.django_db, pytest.mark.today]

NOV_2 = datetime.date(2026, 11, 2)
NOV_1 = datetime.date(2026, 11, 1)


def _state(firm) -> tuple:
    with tenant_context(firm.tenant):
        numbered = sorted(Invoice.objects.filter(number__isnull=False).values_list("number", "issue_date"))
        counter = NumberCounter.objects.filter(series="invoice").values_list("last_number", flat=True).first()
    return numbered, counter


def test_a_future_date_is_refused_and_nothing_is_issued(billing_firm):
    billing_firm.build()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        billing_firm.issue([billing_firm.draft_of(billing_firm.helios)], issue_date=tomorrow)
    assert refused.value.code == "issue_date_future"
    assert _state(billing_firm) == ([], None)
    assert billing_firm.draft_of(billing_firm.helios).is_draft


def test_a_date_before_the_last_issued_invoice_is_refused_without_a_gap(billing_firm):
    billing_firm.build()
    billing_firm.issue([billing_firm.draft_of(billing_firm.helios)], issue_date=NOV_2)
    before = _state(billing_firm)
    assert before == ([("F2026-00001", NOV_2)], 1)
    # dating Nova the day before Helios would put F2026-00002 before F2026-00001 in time
    with pytest.raises(DomainError) as refused:
        billing_firm.issue([billing_firm.draft_of(billing_firm.nova)], issue_date=NOV_1)
    assert refused.value.code == "issue_date_before_last"
    assert "02/11/2026" in refused.value.message
    assert _state(billing_firm) == before
    assert billing_firm.draft_of(billing_firm.nova).is_draft
    # the same day is fine, and takes the next number
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.nova)], issue_date=NOV_2)
    assert [i.number for i in result.issued] == ["F2026-00002"]


def test_the_cockpit_issues_at_the_chosen_date_and_explains_a_bad_one(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    page = client.get(billing_firm.adv.url("billing/?month=2026-10")).content.decode()
    assert 'data-testid="issue-date"' in page
    post = billing_firm.adv.url("billing/issue/")
    bad = client.post(post, {"invoices": [str(helios.pk)], "month": "2026-10", "issue_date": "31/10"}, follow=True)
    assert "Date de facture illisible" in bad.content.decode()
    assert _state(billing_firm) == ([], None)
    response = client.post(post, {"invoices": [str(helios.pk)], "month": "2026-10", "issue_date": "2026-10-31"})
    assert response.status_code == 302  # to the cockpit showing the job the workers run
    with tenant_context(billing_firm.tenant):
        jobs.job_run_now(BillingJob.objects.get())
    assert _state(billing_firm) == ([("F2026-00001", datetime.date(2026, 10, 31))], 1)


def test_the_pre_invoice_page_issues_at_the_chosen_date(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    client = billing_firm.adv.client()
    response = client.post(
        billing_firm.adv.url(f"billing/pre-invoices/{helios.pk}/issue/"), {"issue_date": "2026-10-31"}
    )
    assert response.status_code == 302
    assert _state(billing_firm) == ([("F2026-00001", datetime.date(2026, 10, 31))], 1)


def test_the_api_takes_an_issue_date_and_refuses_a_future_one_as_problem_json(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        token = api_token_create(actor=billing_firm.adv.membership, name="erp")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = Client()
    base = "/api/v1/pre-invoices/"
    helios, nova = billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = api.post(
        f"{base}issue/",
        json.dumps({"ids": [str(helios.pk)], "issue_date": tomorrow}),
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400, refused.content
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "issue_date_future"
    assert _state(billing_firm) == ([], None)
    one = api.post(
        f"{base}{helios.pk}/issue/", json.dumps({"issue_date": "2026-10-31"}), content_type="application/json", **auth
    )
    assert one.status_code == 200, one.content
    assert one.json()["issue_date"] == "2026-10-31"
    bulk = api.post(
        f"{base}issue/",
        json.dumps({"ids": [str(nova.pk)], "issue_date": "2026-10-30"}),
        content_type="application/json",
        **auth,
    )
    assert bulk.status_code == 400 and bulk.json()["code"] == "issue_date_before_last"
    assert _state(billing_firm) == ([("F2026-00001", datetime.date(2026, 10, 31))], 1)
