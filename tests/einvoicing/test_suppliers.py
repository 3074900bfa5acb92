"""Supplier invoices received: fetched from the platform (emulator) once, matched against the
contractor's approved days × purchase rate, approved or refused with a reason that goes back to
the platform as a status; the manual path; the page and the API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import Conflict, DomainError, PermissionDenied
from adv.tenancy.models import Membership
from deals.models import Assignment
from einvoicing import suppliers
from einvoicing.connectors import PlatformError
from einvoicing.models import SupplierIdentity, SupplierInvoice
from tests.api.conftest import bearer_client, make_token
from tests.einvoicing.test_submission import NOW

pytestmark = pytest.mark.django_db
SIREN, OTHER = "841234503", "841234511"


@pytest.fixture
def contractor(platform_firm):
    """Bob bills the firm through his company: 20 approved days in October at 500.00 purchase rate."""
    firm = platform_firm
    with tenant_context(firm.tenant):
        Membership.objects.filter(pk=firm.bob.membership.pk).update(is_contractor=True)
        Assignment.objects.filter(pk=firm.bob_assignment.pk).update(purchase_daily_rate=Decimal("500.00"))
        bob = Membership.objects.get(pk=firm.bob.membership.pk)
        suppliers.supplier_identity_save(actor=firm.adv.membership, membership=bob, company_name="Bob SARL", siren=SIREN)
    return firm


def incoming(firm, net: str, number: str, siren: str = SIREN, period: str = "2026-10-01") -> str:
    vat = f"{Decimal(net) * Decimal('0.2'):.2f}"
    return firm.emulator.add_incoming(seller_siren=siren, seller_name="Bob SARL", number=number, issue_date="2026-10-31",
                                      total_net=net, total_vat=vat, period_start=period)["flowId"]


def fetch(firm) -> dict[str, SupplierInvoice]:
    with tenant_context(firm.tenant):
        suppliers.supplier_invoices_fetch()
        return {i.number: i for i in SupplierInvoice.objects.all()}


def test_expected_is_the_approved_days_times_the_purchase_rate_and_a_difference_is_flagged(contractor):
    with time_machine.travel(NOW, tick=False):
        incoming(contractor, "10000.00", "F-1")
        incoming(contractor, "10500.00", "F-2")
        incoming(contractor, "10000.00", "F-3", period="2026-09-01")
        incoming(contractor, "900.00", "X-1", siren=OTHER)
        received = fetch(contractor)
        again = fetch(contractor)  # fetched twice: stored once
    assert len(received) == len(again) == 4
    exact, over, september, stranger = received["F-1"], received["F-2"], received["F-3"], received["X-1"]
    assert exact.match == "matched" and exact.expected_days == Decimal("20") and exact.expected_net == Decimal("10000.00")
    assert exact.total_gross == Decimal("12000.00") and exact.month == datetime.date(2026, 10, 1)
    assert over.match == "differs" and over.difference == Decimal("500.00")
    assert september.match == "no_timesheet" and september.expected_net == Decimal("0.00")
    assert stranger.match == "unknown_supplier" and stranger.supplier is None


def test_a_cent_off_is_a_difference(contractor):
    with time_machine.travel(NOW, tick=False):
        incoming(contractor, "10000.01", "F-1")
        assert fetch(contractor)["F-1"].match == "differs"


def test_the_month_billed_defaults_to_the_month_before_the_invoice_date():
    assert suppliers.period_of(datetime.date(2026, 11, 3), None) == datetime.date(2026, 10, 1)
    assert suppliers.period_of(datetime.date(2026, 10, 31), datetime.date(2026, 10, 15)) == datetime.date(2026, 10, 1)


def test_approval_and_refusal_go_back_to_the_platform_as_statuses(contractor):
    firm = contractor
    with time_machine.travel(NOW, tick=False):
        ok_flow, over_flow = incoming(firm, "10000.00", "F-1"), incoming(firm, "10500.00", "F-2")
        received = fetch(firm)
        with tenant_context(firm.tenant):
            # a refusal without its reason, or approving a mismatch without one: refused, nothing changes
            with pytest.raises(DomainError):
                suppliers.supplier_invoice_decide(actor=firm.adv.membership, invoice_id=received["F-2"].pk, approve=False)
            with pytest.raises(DomainError):
                suppliers.supplier_invoice_decide(actor=firm.adv.membership, invoice_id=received["F-2"].pk, approve=True)
            assert SupplierInvoice.objects.get(pk=received["F-2"].pk).state == "received"
            # the accountant reads but does not decide
            with pytest.raises(PermissionDenied):
                suppliers.supplier_invoice_decide(actor=firm.accountant.membership, invoice_id=received["F-1"].pk, approve=True)
            suppliers.supplier_invoice_decide(actor=firm.adv.membership, invoice_id=received["F-1"].pk, approve=True)
            suppliers.supplier_invoice_decide(actor=firm.adv.membership, invoice_id=received["F-2"].pk, approve=False,
                                              reason="Un jour de trop : 20 jours validés en octobre.")
            with pytest.raises(Conflict):
                suppliers.supplier_invoice_decide(actor=firm.adv.membership, invoice_id=received["F-1"].pk, approve=False,
                                                  reason="Trop tard")
            firm.emulator.faults.append("error_500")
            with pytest.raises(PlatformError):
                suppliers.supplier_status_send(received["F-2"].pk)
            failed = SupplierInvoice.objects.get(pk=received["F-2"].pk)
            assert failed.status_sent_at is None and failed.status_attempts == 1 and failed.status_error
            assert suppliers.supplier_status_send(received["F-1"].pk) == "sent"
            assert suppliers.supplier_status_send(received["F-2"].pk) == "sent"
            assert suppliers.supplier_status_send(received["F-2"].pk) == "already"
            assert suppliers.due_supplier_statuses() == []
    assert [s["statusCode"] for s in firm.emulator.incoming[ok_flow]["statuses"]] == ["205"]
    refused = firm.emulator.incoming[over_flow]["statuses"]
    assert [s["statusCode"] for s in refused] == ["210"] and refused[0]["reason"].startswith("Un jour de trop")


def test_the_manual_path_enters_an_invoice_by_hand_and_sends_nothing(contractor):
    firm = contractor
    with time_machine.travel(NOW, tick=False), tenant_context(firm.tenant):
        identity = Membership.objects.get(pk=firm.bob.membership.pk).supplier_identity
        invoice = suppliers.supplier_invoice_enter(
            actor=firm.adv.membership, supplier=identity, number="B-7", issue_date=datetime.date(2026, 10, 31),
            month=datetime.date(2026, 10, 1), total_net=Decimal("10000.00"), total_vat=Decimal("2000.00"),
        )
        assert invoice.match == "matched" and invoice.source == "manual"
        with pytest.raises(Conflict):  # the same number twice
            suppliers.supplier_invoice_enter(
                actor=firm.adv.membership, supplier=identity, number="B-7", issue_date=datetime.date(2026, 10, 31),
                month=datetime.date(2026, 10, 1), total_net=Decimal("1.00"), total_vat=Decimal("0"),
            )
        suppliers.supplier_invoice_decide(actor=firm.adv.membership, invoice_id=invoice.pk, approve=True)
        assert suppliers.supplier_status_send(invoice.pk) == "none"


def test_only_a_contractor_with_a_valid_siren_is_a_supplier(platform_firm):
    firm = platform_firm
    with tenant_context(firm.tenant):
        with pytest.raises(DomainError) as employee:
            suppliers.supplier_identity_save(actor=firm.adv.membership, membership=firm.chloe.membership,
                                             company_name="Chloé SAS", siren=SIREN)
        assert employee.value.field == "membership"
        Membership.objects.filter(pk=firm.bob.membership.pk).update(is_contractor=True)
        bob = Membership.objects.get(pk=firm.bob.membership.pk)
        with pytest.raises(DomainError) as bad:
            suppliers.supplier_identity_save(actor=firm.adv.membership, membership=bob, company_name="Bob", siren="123456789")
        assert bad.value.field == "siren" and "SIREN invalide" in bad.value.message
        assert not SupplierIdentity.objects.exists()


def test_the_page_lists_them_and_the_adv_refuses_with_a_reason(contractor):
    firm = contractor
    with time_machine.travel(NOW, tick=False):
        incoming(firm, "10500.00", "F-2")
        invoice = fetch(firm)["F-2"]
        client = firm.adv.client()
        page = client.get(firm.adv.url("einvoicing/suppliers/"))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-match="differs"' in html and "Montant différent des CRA validés" in html
        empty = client.post(firm.adv.url(f"einvoicing/suppliers/{invoice.pk}/decide/"), {"decision": "refuse"})
        assert empty.status_code == 302
        with tenant_context(firm.tenant):
            assert SupplierInvoice.objects.get(pk=invoice.pk).state == "received"
        client.post(firm.adv.url(f"einvoicing/suppliers/{invoice.pk}/decide/"),
                    {"decision": "refuse", "reason": "Un jour de trop"})
        with tenant_context(firm.tenant):
            refused = SupplierInvoice.objects.get(pk=invoice.pk)
        assert refused.state == "refused" and refused.status == "210" and refused.reason == "Un jour de trop"
        # the accountant sees the page, not the decision
        assert firm.accountant.client().get(firm.adv.url("einvoicing/suppliers/")).status_code == 200
        denied = firm.accountant.client().post(firm.adv.url(f"einvoicing/suppliers/{invoice.pk}/decide/"),
                                               {"decision": "approve", "reason": "x"})
        assert denied.status_code == 403


def test_the_api_lists_them_with_the_expected_amount(contractor):
    with time_machine.travel(NOW, tick=False):
        incoming(contractor, "10500.00", "F-2")
        incoming(contractor, "10000.00", "F-1")
        fetch(contractor)
    _token, raw = make_token(contractor.accountant)
    api = bearer_client(raw)
    body = api.get("/api/v1/einvoicing/supplier-invoices/?match=differs").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["number"] == "F-2" and row["expected_net"] == "10000.00" and row["difference"] == "500.00"
    assert row["contractor"] == str(contractor.bob.membership.pk)
