"""The billing REST API: runs, pre-invoices (edits, issue, bulk issue, chase), issued invoices
(downloads, send, deposit, render retry, immutability), credit notes, payments; roles and tenants.

The firm (tests/billing/support.py) bills October 2026: Helios (T&M) ready, Orion (fixed price)
blocked on a missing PV, Nova (subscription) ready under reverse charge.
"""

from __future__ import annotations

import datetime
import json
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from billing import jobs
from billing.models import BillingJob, BillingRun, Invoice, InvoiceLine, Payment
from notifications.models import OutboxEmail
from tests.billing.support import ON_BILLING_DAY

pytestmark = pytest.mark.django_db

API = "/api/v1/"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def api(person) -> Client:
    with tenant_context(person.tenant):
        _token, raw = api_token_create(actor=person.membership, name="integration")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def send(client, method: str, url: str, body=None, **headers):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json", **headers)


def reload(firm, invoice) -> Invoice:
    with tenant_context(firm.tenant):
        return Invoice.objects.get(pk=invoice.pk)


def count(firm, model, **filters) -> int:
    with tenant_context(firm.tenant):
        return model.objects.filter(**filters).count()


def assert_problem(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == code, response.json()
    return response.json()


@pytest.fixture
def firm(billing_firm):
    billing_firm.build()
    return billing_firm


@pytest.fixture
def issued(firm):
    """Helios issued on 2 November (number F2026-00001), not rendered yet."""
    result = firm.issue([firm.draft_of(firm.helios)])
    assert result.issued
    return result.issued[0]


# --- Billing runs ----------------------------------------------------------------------------------


def test_a_run_answers_202_with_its_progress_and_resume_builds_what_is_left(billing_firm):
    adv = api(billing_firm.adv)
    # when the ADV launches October
    response = send(adv, "post", f"{API}billing-runs/", {"month": "2026-10"})
    # then 202 with the run (the chunks are dispatched after commit)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["month"] == "2026-10" and body["status"] == "running"
    assert (body["chunk_count"], body["chunks_done"], body["progress"]) == (1, 0, 0)
    assert {"created_count", "updated_count", "removed_count", "error"} <= set(body)
    # and it is listed and readable
    assert [r["id"] for r in adv.get(f"{API}billing-runs/").json()["results"]] == [body["id"]]
    assert adv.get(f"{API}billing-runs/", {"month": "2026-09"}).json()["count"] == 0
    # when the chunk is built by a worker, the run is done with its counts
    from billing import runs

    with tenant_context(billing_firm.tenant):
        for chunk in BillingRun.objects.get(pk=body["id"]).chunks.all():
            runs.chunk_build(chunk.pk)
    done = adv.get(f"{API}billing-runs/{body['id']}/").json()
    assert (done["status"], done["progress"], done["created_count"]) == ("done", 100, 3)
    # resuming a finished run dispatches nothing and answers the run
    resumed = send(adv, "post", f"{API}billing-runs/{body['id']}/resume/")
    assert resumed.status_code == 202 and resumed.json()["status"] == "done"


@pytest.mark.parametrize("month", ["2026-13", "october", "", "2026-1"])
def test_a_run_for_a_bad_month_is_refused_and_nothing_starts(billing_firm, month):
    response = send(api(billing_firm.adv), "post", f"{API}billing-runs/", {"month": month})
    body = assert_problem(response, 400, "validation_error")
    assert "month" in body["errors"]
    assert count(billing_firm, BillingRun) == 0


# --- Pre-invoices ------------------------------------------------------------------------------------


def test_pre_invoices_list_with_lines_and_checks_and_filters(firm):
    adv = api(firm.adv)
    response = adv.get(f"{API}pre-invoices/", {"month": "2026-10"})
    assert response.status_code == 200
    rows = response.json()["results"]
    # ready ones first, the blocked one last
    assert [r["client_name"] for r in rows][-1] == "Orion Industrie SAS"
    helios = next(r for r in rows if r["client"] == str(firm.helios.pk))
    assert helios["readiness"] == "ready" and helios["number"] is None and helios["month"] == "2026-10"
    assert helios["total_net"] == "25960.00" and helios["total_gross"] == "31152.00"
    assert {line["quantity"] for line in helios["lines"]} == {"20.00", "18.00"}
    orion = adv.get(f"{API}pre-invoices/", {"readiness": "blocked"}).json()["results"]
    assert [r["client"] for r in orion] == [str(firm.orion.pk)]
    check = next(c for c in orion[0]["checks"] if c["level"] == "blocked")
    assert set(check) == {"code", "level", "message", "responsible"}
    assert check["code"] == "missing_milestone_document" and check["message"]
    assert check["responsible"] == str(firm.manager.membership.pk)
    assert adv.get(f"{API}pre-invoices/", {"client": str(firm.nova.pk)}).json()["count"] == 1
    assert adv.get(f"{API}pre-invoices/", {"month": "2026-09"}).json()["count"] == 0
    assert_problem(adv.get(f"{API}pre-invoices/", {"month": "10/2026"}), 400, "validation_error")


def test_the_pre_invoice_list_runs_a_constant_number_of_queries(firm):
    adv = api(firm.adv)
    adv.get(f"{API}pre-invoices/")  # warm up (token lookup, caches)
    with CaptureQueriesContext(connection) as three:
        assert adv.get(f"{API}pre-invoices/").json()["count"] == 3
    firm.attach_missing_pv()
    with tenant_context(firm.tenant):
        from billing import services

        for draft in Invoice.objects.filter(status="draft"):
            services.line_add(actor=firm.adv.membership, invoice=draft, label="Frais", quantity="1", unit_price="10")
    with CaptureQueriesContext(connection) as more_lines:
        adv.get(f"{API}pre-invoices/")
    assert len(more_lines.captured_queries) == len(three.captured_queries)


def test_patch_changes_the_references_and_bad_input_changes_nothing(firm):
    adv, orion = api(firm.adv), firm.draft_of(firm.orion)
    url = f"{API}pre-invoices/{orion.pk}/"
    response = send(adv, "patch", url, {"po_number": "  BC-2026-17 ", "notes": "Merci"})
    assert response.status_code == 200, response.content
    assert response.json()["po_number"] == "BC-2026-17" and response.json()["notes"] == "Merci"
    # too long: 400 with the field, nothing changed
    body = assert_problem(send(adv, "patch", url, {"po_number": "X" * 101, "notes": "autre"}), 400, "validation_error")
    assert "po_number" in body["errors"]
    fresh = reload(firm, orion)
    assert (fresh.po_number, fresh.notes) == ("BC-2026-17", "Merci")


def test_lines_are_added_changed_and_deleted_and_bad_lines_are_refused(firm):
    adv, helios = api(firm.adv), firm.draft_of(firm.helios)
    base = f"{API}pre-invoices/{helios.pk}/lines/"
    added = send(adv, "post", base, {"label": "Frais de déplacement", "quantity": "2", "unit_price": "150.50"})
    assert added.status_code == 201, added.content
    line = added.json()
    assert (line["kind"], line["net_amount"], line["vat_rate"]) == ("manual", "301.00", "20.00")
    assert reload(firm, helios).total_net == Decimal("26261.00")
    changed = send(adv, "patch", f"{base}{line['id']}/", {"label": "Déplacements Lyon", "quantity": "3"})
    assert changed.status_code == 200 and changed.json()["net_amount"] == "451.50"
    # bad input: a zero quantity (service rule), a negative price (field rule), a missing label
    assert_problem(
        send(adv, "post", base, {"label": "Rien", "quantity": "0", "unit_price": "10"}), 400, "zero_quantity"
    )
    assert_problem(
        send(adv, "post", base, {"label": "Neg", "quantity": "1", "unit_price": "-5"}), 400, "validation_error"
    )
    assert_problem(send(adv, "post", base, {"quantity": "1", "unit_price": "5"}), 400, "validation_error")
    # a line built from a timesheet keeps its quantity
    generated = count(firm, InvoiceLine, invoice=helios, kind="time")
    time_line = next(li for li in adv.get(f"{API}pre-invoices/{helios.pk}/").json()["lines"] if li["kind"] == "time")
    assert_problem(send(adv, "patch", f"{base}{time_line['id']}/", {"quantity": "1"}), 400, "generated_line")
    assert_problem(send(adv, "delete", f"{base}{time_line['id']}/"), 400, "generated_line")
    assert count(firm, InvoiceLine, invoice=helios, kind="time") == generated
    assert reload(firm, helios).total_net == Decimal("26411.50")
    # deleting the free line; an unknown line is 404
    assert adv.delete(f"{base}{line['id']}/").status_code == 204
    assert reload(firm, helios).total_net == Decimal("25960.00")
    assert_problem(adv.delete(f"{base}{uuid.uuid4()}/"), 404, "not_found")
    assert_problem(adv.delete(f"{base}not-a-uuid/"), 404, "not_found")


def test_discounts_by_amount_or_percent(firm):
    adv, nova = api(firm.adv), firm.draft_of(firm.nova)
    url = f"{API}pre-invoices/{nova.pk}/discounts/"
    response = send(adv, "post", url, {"percent": "10"})
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "discount" and response.json()["net_amount"] == "-150.00"
    assert reload(firm, nova).total_net == Decimal("1350.00")
    assert_problem(send(adv, "post", url, {}), 400, "validation_error")
    assert_problem(send(adv, "post", url, {"amount": "5000"}), 400, "discount_too_large")
    assert reload(firm, nova).total_net == Decimal("1350.00")


def test_issue_numbers_the_pre_invoice_and_a_blocked_one_answers_409_with_its_reasons(firm):
    adv = api(firm.adv)
    helios, orion = firm.draft_of(firm.helios), firm.draft_of(firm.orion)
    response = send(adv, "post", f"{API}pre-invoices/{helios.pk}/issue/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == "F2026-00001" and body["status"] == "issued" and body["render_status"] == "pending"
    # a blocked one: 409 invoice_blocked with the reasons, still a draft without a number
    blocked = assert_problem(send(adv, "post", f"{API}pre-invoices/{orion.pk}/issue/"), 409, "invoice_blocked")
    assert blocked["reasons"] and all(isinstance(r, str) and r for r in blocked["reasons"])
    assert (reload(firm, orion).status, reload(firm, orion).number) == ("draft", None)
    # issuing again: 409 invoice_immutable
    assert_problem(send(adv, "post", f"{API}pre-invoices/{helios.pk}/issue/"), 409, "invoice_immutable")


def test_bulk_issue_answers_202_with_a_job_that_issues_the_ready_ones_and_refuses_the_others(firm):
    adv = api(firm.adv)
    helios, orion, nova = (firm.draft_of(c) for c in (firm.helios, firm.orion, firm.nova))
    stranger = uuid.uuid4()
    response = send(
        adv, "post", f"{API}pre-invoices/issue/", {"ids": [str(helios.pk), str(orion.pk), str(nova.pk), str(stranger)]}
    )
    # the request answers at once: nothing is issued yet, the job is where to follow it
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "issue" and body["status"] == "running" and body["total"] == 4
    assert response["Location"] == body["url"] and body["url"].endswith(f"/api/v1/billing-jobs/{body['id']}/")
    assert body["refused"] == {str(stranger): ["Préfacture introuvable."]}
    assert reload(firm, helios).number is None
    # when the workers have run it
    with tenant_context(firm.tenant):
        jobs.job_run_now(BillingJob.objects.get(pk=body["id"]))
    done = adv.get(body["url"]).json()
    assert done["status"] == "done" and done["progress"] == 100
    assert set(done["succeeded"]) == {str(helios.pk), str(nova.pk)}
    assert set(done["refused"]) == {str(orion.pk), str(stranger)}
    assert all(done["refused"][str(orion.pk)])
    assert sorted(reload(firm, i).number for i in (helios, nova)) == ["F2026-00001", "F2026-00002"]
    assert reload(firm, orion).number is None
    assert [row["id"] for row in adv.get(f"{API}billing-jobs/").json()["results"]] == [body["id"]]
    # bad input
    assert_problem(send(adv, "post", f"{API}pre-invoices/issue/", {"ids": []}), 400, "validation_error")
    assert_problem(send(adv, "post", f"{API}pre-invoices/issue/", {"ids": ["nope"]}), 400, "validation_error")
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    assert_problem(
        send(adv, "post", f"{API}pre-invoices/issue/", {"ids": [str(helios.pk)], "issue_date": future}),
        400,
        "issue_date_future",
    )


def test_bulk_send_answers_202_and_the_job_sends_the_rendered_invoices(firm):
    adv = api(firm.adv)
    helios, nova = firm.draft_of(firm.helios), firm.draft_of(firm.nova)
    issued = firm.issue([helios, nova]).issued
    for invoice in issued:
        firm.render(invoice)
    response = send(adv, "post", f"{API}invoices/send/", {"ids": [str(i.pk) for i in issued]})
    assert response.status_code == 202, response.content
    with tenant_context(firm.tenant):
        jobs.job_run_now(BillingJob.objects.get(pk=response.json()["id"]))
    done = adv.get(response["Location"]).json()
    assert done["status"] == "done" and done["kind"] == "send"
    assert done["done_count"] + done["failed_count"] == 2
    sent = [i for i in issued if reload(firm, i).status == "sent"]
    assert len(sent) == done["done_count"] and count(firm, OutboxEmail) >= len(sent)
    for pk, reasons in done["refused"].items():
        assert reasons and reload(firm, Invoice(pk=pk)).status == "issued"


def test_chase_notifies_the_person_responsible(firm):
    adv, orion = api(firm.adv), firm.draft_of(firm.orion)
    url = f"{API}pre-invoices/{orion.pk}/chase/"
    response = send(adv, "post", url, {"check": "missing_milestone_document"})
    assert response.status_code == 201, response.content
    assert response.json()["membership"] == str(firm.manager.membership.pk)
    assert_problem(send(adv, "post", url, {"check": "no_such_check"}), 400, "nobody_to_chase")
    assert_problem(send(adv, "post", url, {}), 400, "validation_error")


# --- Invoices ---------------------------------------------------------------------------------------


def test_issued_invoices_list_with_balance_and_links_but_no_draft(firm, issued):
    adv = api(firm.adv)
    rows = adv.get(f"{API}invoices/").json()["results"]
    assert [r["number"] for r in rows] == ["F2026-00001"]
    row = rows[0]
    assert (row["issue_date"], row["due_date"], row["month"]) == ("2026-11-02", "2026-12-02", "2026-10")
    assert (row["total_gross"], row["balance"], row["amount_paid"]) == ("31152.00", "31152.00", "0.00")
    assert row["pdf"].endswith(f"/api/v1/invoices/{issued.pk}/pdf/")
    assert row["xml"].endswith(f"/api/v1/invoices/{issued.pk}/xml/")
    assert row["client_name"] == "Helios Énergies SA"
    # filters: number search, status, overdue (due on 2 December: not yet)
    assert adv.get(f"{API}invoices/", {"search": "00001"}).json()["count"] == 1
    assert adv.get(f"{API}invoices/", {"number": "F2026-0000"}).json()["count"] == 1
    assert adv.get(f"{API}invoices/", {"status": "paid"}).json()["count"] == 0
    assert adv.get(f"{API}invoices/", {"client": str(firm.orion.pk)}).json()["count"] == 0
    assert adv.get(f"{API}invoices/", {"month": "2026-10"}).json()["count"] == 1
    # a draft is not an invoice
    assert_problem(adv.get(f"{API}invoices/{firm.draft_of(firm.orion).pk}/"), 404, "not_found")


@ON_BILLING_DAY
def test_overdue_filter_and_flag(firm, issued, time_machine):
    with tenant_context(firm.tenant):
        Invoice.objects.filter(pk=issued.pk).update(status="sent")  # the due date is frozen; the status is not
    adv = api(firm.adv)
    assert adv.get(f"{API}invoices/", {"overdue": "true"}).json()["count"] == 0
    assert adv.get(f"{API}invoices/{issued.pk}/").json()["is_overdue"] is False
    # on 15 December, past the due date (2 December)
    time_machine.move_to(datetime.datetime(2026, 12, 15, 10, tzinfo=datetime.UTC))
    rows = adv.get(f"{API}invoices/", {"overdue": "true"}).json()["results"]
    assert [r["number"] for r in rows] == ["F2026-00001"] and rows[0]["is_overdue"] is True
    assert adv.get(f"{API}invoices/", {"overdue": "false"}).json()["count"] == 0


def test_downloads_are_404_until_rendered_then_attachments(firm, issued):
    adv = api(firm.adv)
    assert_problem(adv.get(f"{API}invoices/{issued.pk}/pdf/"), 404, "not_found")
    assert_problem(adv.get(f"{API}invoices/{issued.pk}/xml/"), 404, "not_found")
    rendered = firm.render(issued)
    assert rendered.render_status == "done"
    pdf = adv.get(f"{API}invoices/{issued.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment") and "F2026-00001.pdf" in pdf["Content-Disposition"]
    xml = adv.get(f"{API}invoices/{issued.pk}/xml/")
    assert xml.status_code == 200 and b"CrossIndustryInvoice" in xml.content
    assert "F2026-00001.xml" in xml["Content-Disposition"]
    body = adv.get(f"{API}invoices/{issued.pk}/").json()
    assert (
        body["render_status"] == "done" and body["pdf_sha256"] == rendered.pdf_sha256 and len(body["xml_sha256"]) == 64
    )


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_changing_an_issued_invoice_answers_409_and_changes_nothing(firm, issued, method):
    before = reload(firm, issued)
    response = send(api(firm.adv), method, f"{API}invoices/{issued.pk}/", {"total_net": "1.00", "number": "X"})
    assert_problem(response, 409, "invoice_immutable")
    after = reload(firm, issued)
    assert (after.number, after.total_net, after.updated_at) == (before.number, before.total_net, before.updated_at)
    # nor through the pre-invoice endpoints
    adv = api(firm.adv)
    assert_problem(send(adv, "patch", f"{API}pre-invoices/{issued.pk}/", {"po_number": "X"}), 409, "invoice_immutable")
    lines = f"{API}pre-invoices/{issued.pk}/lines/"
    assert_problem(
        send(adv, "post", lines, {"label": "X", "quantity": "1", "unit_price": "1"}), 409, "invoice_immutable"
    )
    assert_problem(
        send(adv, "post", f"{API}pre-invoices/{issued.pk}/discounts/", {"amount": "1"}), 409, "invoice_immutable"
    )
    assert reload(firm, issued).total_net == before.total_net


def test_send_emails_the_rendered_invoice_and_refuses_before_rendering(firm, issued):
    adv = api(firm.adv)
    assert_problem(send(adv, "post", f"{API}invoices/{issued.pk}/send/"), 409, "pdf_not_ready")
    assert count(firm, OutboxEmail) == 0
    firm.render(issued)
    response = send(adv, "post", f"{API}invoices/{issued.pk}/send/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent" and response.json()["sent_at"]
    with tenant_context(firm.tenant):
        email = OutboxEmail.objects.get()
        assert email.to == ["factures@helios.example"]


def test_deposit_and_render_retry(firm, issued):
    adv = api(firm.adv)
    body = assert_problem(
        send(adv, "post", f"{API}invoices/{issued.pk}/deposit/", {"reference": ""}), 400, "validation_error"
    )
    assert "reference" in body["errors"]
    assert reload(firm, issued).deposited_at is None
    response = send(adv, "post", f"{API}invoices/{issued.pk}/deposit/", {"reference": "CHORUS-123"})
    assert response.status_code == 200 and response.json()["deposit_reference"] == "CHORUS-123"
    with tenant_context(firm.tenant):
        Invoice.objects.filter(pk=issued.pk).update(render_status="failed")
    retried = send(adv, "post", f"{API}invoices/{issued.pk}/render/")
    assert retried.status_code == 202 and retried.json()["render_status"] == "pending"


# --- Credit notes -------------------------------------------------------------------------------------


def test_a_credit_note_is_sent_deposited_and_rerendered_through_the_api(firm, issued):
    adv = api(firm.adv)
    created = send(adv, "post", f"{API}credit-notes/", {"invoice": str(issued.pk), "reason": "Erreur", "amount": "100"})
    assert created.status_code == 201, created.content
    note_url = f"{API}credit-notes/{created.json()['id']}/"
    assert_problem(send(adv, "post", f"{note_url}send/"), 409, "pdf_not_ready")
    with tenant_context(firm.tenant):
        note = Invoice.objects.get(pk=created.json()["id"])
    firm.render(note)
    sent = send(adv, "post", f"{note_url}send/")
    assert sent.status_code == 200, sent.content
    assert (sent.json()["status"], sent.json()["credited_invoice_number"]) == ("sent", issued.number)
    with tenant_context(firm.tenant):
        assert OutboxEmail.objects.get().to == ["factures@helios.example"]
    deposited = send(adv, "post", f"{note_url}deposit/", {"reference": "CPP-9"})
    assert deposited.status_code == 200 and deposited.json()["deposit_reference"] == "CPP-9"
    # an invoice id under credit-notes/ (and the reverse) is not found
    assert send(adv, "post", f"{API}credit-notes/{issued.pk}/send/").status_code == 404
    assert send(adv, "post", f"{API}invoices/{note.pk}/deposit/", {"reference": "X"}).status_code == 404



def test_credit_notes_full_and_partial_reference_the_invoice(firm, issued):
    adv = api(firm.adv)
    partial = send(
        adv, "post", f"{API}credit-notes/", {"invoice": str(issued.pk), "reason": "Geste commercial", "amount": "1000"}
    )
    assert partial.status_code == 201, partial.content
    note = partial.json()
    assert note["number"] == "AV2026-00001" and note["kind"] == "credit_note"
    assert (note["credited_invoice"], note["credited_invoice_number"]) == (str(issued.pk), "F2026-00001")
    assert note["credited_invoice_date"] == "2026-11-02"
    assert (note["total_net"], note["total_gross"]) == ("1000.00", "1200.00")
    assert note["pdf"].endswith(f"/api/v1/credit-notes/{note['id']}/pdf/")
    assert reload(firm, issued).amount_credited == Decimal("1200.00")
    assert [n["number"] for n in adv.get(f"{API}credit-notes/").json()["results"]] == ["AV2026-00001"]
    assert adv.get(f"{API}credit-notes/", {"invoice": str(issued.pk)}).json()["count"] == 1
    assert adv.get(f"{API}credit-notes/{note['id']}/").json()["credit_reason"] == "Geste commercial"
    assert_problem(adv.get(f"{API}credit-notes/{note['id']}/pdf/"), 404, "not_found")
    assert_problem(adv.get(f"{API}invoices/{note['id']}/"), 404, "not_found")
    assert_problem(
        send(adv, "patch", f"{API}credit-notes/{note['id']}/", {"credit_reason": "x"}), 409, "invoice_immutable"
    )


def test_bad_credit_notes_are_refused_and_nothing_is_numbered(firm, issued):
    adv = api(firm.adv)
    url = f"{API}credit-notes/"
    assert_problem(send(adv, "post", url, {"invoice": str(issued.pk)}), 400, "validation_error")
    assert_problem(send(adv, "post", url, {"invoice": str(uuid.uuid4()), "reason": "x"}), 400, "validation_error")
    draft = firm.draft_of(firm.orion)
    assert_problem(send(adv, "post", url, {"invoice": str(draft.pk), "reason": "x"}), 409, "not_issued")
    assert_problem(
        send(adv, "post", url, {"invoice": str(issued.pk), "reason": "x", "amount": "999999"}),
        400,
        "credit_exceeds_invoice",
    )
    assert count(firm, Invoice, kind="credit_note") == 0
    assert reload(firm, issued).amount_credited == Decimal("0")


# --- Payments --------------------------------------------------------------------------------------


def test_payments_are_recorded_listed_and_settle_the_invoice(firm, issued):
    adv = api(firm.adv)
    paid_on = datetime.date.today().isoformat()
    body = {
        "invoice": str(issued.pk),
        "amount": "10000",
        "paid_on": paid_on,
        "method": "transfer",
        "reference": "VIR 1",
    }
    response = send(adv, "post", f"{API}payments/", body)
    assert response.status_code == 201, response.content
    payment = response.json()
    assert (payment["amount"], payment["invoice_number"], payment["method"]) == ("10000.00", "F2026-00001", "transfer")
    invoice = adv.get(f"{API}invoices/{issued.pk}/").json()
    assert (invoice["status"], invoice["balance"], invoice["amount_paid"]) == ("partially_paid", "21152.00", "10000.00")
    assert adv.get(f"{API}payments/", {"invoice": str(issued.pk)}).json()["count"] == 1
    assert adv.get(f"{API}payments/{payment['id']}/").json()["reference"] == "VIR 1"
    rest = send(adv, "post", f"{API}payments/", {**body, "amount": "21152.00", "reference": "VIR 2"})
    assert rest.status_code == 201
    assert adv.get(f"{API}invoices/{issued.pk}/").json()["status"] == "paid"


def test_bad_payments_are_refused_and_the_invoice_is_unchanged(firm, issued):
    adv = api(firm.adv)
    good = {
        "invoice": str(issued.pk),
        "amount": "100",
        "paid_on": datetime.date.today().isoformat(),
        "method": "transfer",
    }
    assert_problem(send(adv, "post", f"{API}payments/", {**good, "amount": "99999"}), 400, "overpayment")
    assert_problem(send(adv, "post", f"{API}payments/", {**good, "method": "bitcoin"}), 400, "validation_error")
    assert_problem(send(adv, "post", f"{API}payments/", {**good, "paid_on": "2026-13-01"}), 400, "validation_error")
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    assert_problem(send(adv, "post", f"{API}payments/", {**good, "paid_on": future}), 400, "future_date")
    assert_problem(
        send(adv, "post", f"{API}payments/", {**good, "invoice": str(firm.draft_of(firm.orion).pk)}), 409, "not_payable"
    )
    assert count(firm, Payment) == 0
    fresh = reload(firm, issued)
    assert (fresh.status, fresh.amount_paid) == ("issued", Decimal("0"))


# --- Roles and tenants -----------------------------------------------------------------------------


def test_the_accountant_reads_but_does_not_write(firm, issued):
    accountant = api(firm.accountant)
    for url in ("billing-runs/", "pre-invoices/", "invoices/", "credit-notes/", "payments/", f"invoices/{issued.pk}/"):
        assert accountant.get(f"{API}{url}").status_code == 200, url
    orion = firm.draft_of(firm.orion)
    for method, url, body in [
        ("post", "billing-runs/", {"month": "2026-10"}),
        ("patch", f"pre-invoices/{orion.pk}/", {"po_number": "X"}),
        ("post", f"pre-invoices/{orion.pk}/lines/", {"label": "X", "quantity": "1", "unit_price": "1"}),
        ("post", "pre-invoices/issue/", {"ids": [str(orion.pk)]}),
        ("post", f"invoices/{issued.pk}/send/", {}),
        ("post", "payments/", {"invoice": str(issued.pk), "amount": "1", "paid_on": "2026-11-20"}),
        ("post", "credit-notes/", {"invoice": str(issued.pk), "reason": "x"}),
    ]:
        assert_problem(send(accountant, method, f"{API}{url}", body), 403, "role_cannot_write")
    assert reload(firm, orion).po_number == ""
    assert count(firm, Payment) == 0 and count(firm, Invoice, kind="credit_note") == 0


@pytest.mark.parametrize("who", ["bob", "sales", "manager"])
def test_consultants_sales_and_managers_are_refused(firm, issued, who):
    client = api(getattr(firm, who))
    for url in ("pre-invoices/", "invoices/", f"invoices/{issued.pk}/", "payments/", "billing-runs/"):
        assert_problem(client.get(f"{API}{url}"), 403, "role_required")
    assert_problem(send(client, "post", f"{API}invoices/{issued.pk}/send/"), 403, "role_required")


def test_another_tenant_gets_404_on_this_firm_s_ids(firm, issued, carol):
    carol_api = api(carol)
    orion = firm.draft_of(firm.orion)
    assert carol_api.get(f"{API}invoices/").json()["count"] == 0
    for url in (f"invoices/{issued.pk}/", f"invoices/{issued.pk}/pdf/", f"pre-invoices/{orion.pk}/"):
        assert_problem(carol_api.get(f"{API}{url}"), 404, "not_found")
    assert_problem(send(carol_api, "post", f"{API}pre-invoices/{orion.pk}/issue/"), 404, "not_found")
    # bulk issue and payments with this firm's ids: nothing found, nothing changed
    bulk = send(carol_api, "post", f"{API}pre-invoices/issue/", {"ids": [str(orion.pk)]}).json()
    assert bulk["status"] == "done" and bulk["succeeded"] == [] and list(bulk["refused"]) == [str(orion.pk)]
    # and her job is not this firm's to see
    assert_problem(api(firm.adv).get(f"{API}billing-jobs/{bulk['id']}/"), 404, "not_found")
    sent = send(carol_api, "post", f"{API}invoices/send/", {"ids": [str(issued.pk)]}).json()
    assert sent["succeeded"] == [] and list(sent["refused"]) == [str(issued.pk)]
    assert reload(firm, orion).number is None and reload(firm, issued).sent_at is None
    payment = {"invoice": str(issued.pk), "amount": "1", "paid_on": "2026-11-20"}
    assert_problem(send(carol_api, "post", f"{API}payments/", payment), 400, "validation_error")
    assert count(firm, Payment) == 0


def test_the_session_api_serves_the_same_resources(firm, issued):
    session = firm.adv.client()
    response = session.get(f"/t/{firm.tenant.slug}/api/v1/invoices/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["pdf"].endswith(f"/t/{firm.tenant.slug}/api/v1/invoices/{issued.pk}/pdf/")
