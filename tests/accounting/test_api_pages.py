"""The API (/api/v1/accounting/…) and the pages of the accounting export: who may do what, the
file, problem+json errors, and a constant number of queries whatever the size of the range."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounting import services
from accounting.models import AccountingExport, ClientAccount
from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from tests.accounting.support import NOVEMBER_END, issue_month, read_fec
from tests.billing.support import ISSUE_DATE

pytestmark = pytest.mark.django_db
NOVEMBER = "start=2026-11-01&end=2026-11-30"


def bearer(persona) -> Client:
    with tenant_context(persona.tenant):
        _token, raw = api_token_create(actor=persona.membership, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_api_fec_file_errors_and_roles(issued_month):
    firm = issued_month.firm
    api = bearer(firm.accountant)
    # the accountant downloads November's FEC: the file, recorded with its SHA-256
    response = api.get(f"/api/v1/accounting/fec/?{NOVEMBER}")
    assert response.status_code == 200, response.content
    data = b"".join(response.streaming_content)
    assert 'filename="732829320FEC20261130.txt"' in response["Content-Disposition"]
    assert response["X-Checksum-SHA256"] == hashlib.sha256(data).hexdigest()
    assert len(read_fec(data)) > 10
    # the CSV journal
    response = api.get(f"/api/v1/accounting/sales-journal/?{NOVEMBER}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    # the log lists both, and gives the FEC back byte for byte
    listed = api.get("/api/v1/accounting/exports/").json()["results"]
    assert [row["kind"] for row in listed] == ["csv", "fec"]
    fec_row = listed[1]
    again = api.get(f"/api/v1/accounting/exports/{fec_row['id']}/download/")
    assert b"".join(again.streaming_content) == data and fec_row["sha256"] == hashlib.sha256(data).hexdigest()
    # bad ranges are problems
    inverted = api.get("/api/v1/accounting/fec/?start=2026-11-30&end=2026-11-01")
    assert inverted.status_code == 400 and inverted["Content-Type"].startswith("application/problem+json")
    assert inverted.json()["code"] == "invalid_range"
    assert api.get("/api/v1/accounting/fec/?start=2020-01-01&end=2026-11-01").json()["code"] == "range_too_long"
    assert api.get("/api/v1/accounting/fec/?start=nope&end=2026-11-01").status_code == 400
    # a consultant gets nothing
    assert bearer(firm.bob).get(f"/api/v1/accounting/fec/?{NOVEMBER}").status_code == 403


def test_api_mapping_read_by_the_accountant_written_by_adv_and_missing_accounts(issued_month):
    firm = issued_month.firm
    accountant, adv = bearer(firm.accountant), bearer(firm.adv)
    mapping = accountant.get("/api/v1/accounting/mapping/").json()
    assert mapping["client_account"] == "411000" and mapping["revenue_t_and_m_account"] == "706100"
    assert {"rate": "20.00", "account": "445712", "label": "TVA collectée 20 %"} in mapping["vat_accounts"]
    denied = accountant.patch("/api/v1/accounting/mapping/", {"bank_account": "512100"}, content_type="application/json")
    assert denied.status_code == 403
    response = adv.patch("/api/v1/accounting/mapping/", {"revenue_export_account": "", "bank_account": "512100"},
                         content_type="application/json")
    assert response.status_code == 200 and response.json()["bank_account"] == "512100"
    assert adv.patch("/api/v1/accounting/mapping/", {"bank_account": "5x"}, content_type="application/json").status_code == 400
    blocked = accountant.get(f"/api/v1/accounting/fec/?{NOVEMBER}")
    assert blocked.status_code == 409
    assert blocked.json()["code"] == "mapping_incomplete"
    assert blocked.json()["missing"] == ["prestations hors UE"]
    with tenant_context(firm.tenant):
        assert not AccountingExport.objects.exists()


def test_pages_export_mapping_and_auxiliary_accounts(issued_month):
    firm = issued_month.firm
    accountant, adv = firm.accountant.client(), firm.adv.client()
    base = firm.alice.url("accounting/")
    assert accountant.get(base).status_code == 200
    response = accountant.post(base, {"start": "2026-11-01", "end": "2026-11-30", "kind": "fec", "separator": "tab"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert len(read_fec(b"".join(response.streaming_content), separator="\t")) > 10
    page = accountant.get(base).content.decode()
    with tenant_context(firm.tenant):
        export = AccountingExport.objects.get()
    assert export.sha256 in page and "732829320FEC20261130.txt" in page
    assert accountant.post(base, {"start": "2026-11-30", "end": "2026-11-01", "kind": "fec"}).status_code == 400
    # the mapping: the accountant reads, ADV writes
    assert accountant.get(f"{base}mapping/").status_code == 200
    assert accountant.post(f"{base}mapping/", {}).status_code == 403
    form = {
        "client_account": "411000", "client_account_label": "Clients", "auxiliary_prefix": "C",
        "revenue_per_deal_type": "on", "revenue_account": "706000", "revenue_t_and_m_account": "",
        "revenue_fixed_price_account": "706200", "revenue_subscription_account": "706300",
        "revenue_eu_account": "706400", "revenue_export_account": "706500", "bank_account": "512000",
        "sales_journal_code": "VE", "bank_journal_code": "BQ", "vat-count": "2",
        "vat-0-rate": "20", "vat-0-account": "445712", "vat-0-label": "TVA 20", "vat-1-rate": "",
    }
    assert adv.post(f"{base}mapping/", form).status_code == 302
    blocked = accountant.post(base, {"start": "2026-11-01", "end": "2026-11-30", "kind": "fec"})
    assert blocked.status_code == 400
    text = blocked.content.decode()
    assert "produits régie" in text and "le compte de TVA collectée à 10 %" in text
    # auxiliary accounts: generated for every client, then edited
    assert adv.post(f"{base}clients/generate/").status_code == 302
    assert adv.post(f"{base}clients/{firm.nova.pk}/", {"number": "DE-NOVA"}).status_code == 302
    with tenant_context(firm.tenant):
        assert ClientAccount.objects.get(client=firm.nova).number == "DE-NOVA"
    assert "DE-NOVA" in adv.get(f"{base}clients/?q=nova").content.decode()
    assert accountant.post(f"{base}clients/{firm.nova.pk}/", {"number": "X1"}).status_code == 403
    assert firm.bob.client().get(base).status_code == 403


def test_export_runs_a_constant_number_of_queries(billing_firm):
    firm = issue_month(billing_firm, extra_clients=3)
    with tenant_context(firm.firm.tenant):
        actor = firm.firm.accountant.membership
        services.export_run(actor=actor, kind="fec", start=datetime.date(2026, 11, 1), end=NOVEMBER_END)  # accounts made

        def count(start, end) -> tuple[int, int]:
            with CaptureQueriesContext(connection) as queries:
                export = services.export_run(actor=actor, kind="fec", start=start, end=end)
            return len(queries), export.line_count

        small, small_lines = count(ISSUE_DATE, ISSUE_DATE)  # the invoices only
        large, large_lines = count(datetime.date(2026, 11, 1), NOVEMBER_END)  # + credit note, payments
    assert large_lines > small_lines + 6
    assert small == large
