"""One test per check of a pre-invoice: what makes it appear, its level, and what clears it. Issuing
a blocked pre-invoice is refused with its reasons and changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from billing import readiness, services
from billing.errors import InvoiceBlocked
from billing.models import Invoice, NumberCounter
from clients.models import BillingProfile, Client, Contact
from deals.models import Deal
from tests.factories import ClientApprovalFactory, PurchaseOrderFactory
from timesheets.models import ClientApprovalStatus

pytestmark = pytest.mark.django_db


def _profile(firm, client, **fields):
    with tenant_context(firm.tenant):
        BillingProfile.objects.filter(client=client).update(**fields)


def _checks(invoice, code) -> list[dict]:
    return [c for c in invoice.checks if c["code"] == code]


def test_provisional_deal_asks_for_an_action_and_counts_its_days(billing_firm):
    with tenant_context(billing_firm.tenant):
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(
            status="provisional",
            signed_on=None,
            provisional_since=timezone.now() - datetime.timedelta(days=12, hours=1),
        )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    (check,) = _checks(helios, readiness.PROVISIONAL_DEAL)
    assert (check["level"], check["days"], check["responsible"]) == (
        "action",
        12,
        str(billing_firm.sales.membership.pk),
    )
    assert "12 jours" in check["message"]
    assert helios.readiness == "action"


def test_missing_po_blocks_when_the_client_requires_one(billing_firm):
    _profile(billing_firm, billing_firm.helios, purchase_order_required=True)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert [c["level"] for c in _checks(helios, readiness.MISSING_PO)] == ["blocked"]
    assert helios.readiness == "blocked"
    # a PO on the deal clears it
    with tenant_context(billing_firm.tenant):
        PurchaseOrderFactory(deal=billing_firm.tm_deal, number="BC-77", valid_from=datetime.date(2026, 1, 1))
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (helios.readiness, helios.po_number) == ("ready", "BC-77")


def test_the_deal_overrides_the_client_po_requirement(billing_firm):
    _profile(billing_firm, billing_firm.helios, purchase_order_required=True)
    _profile(billing_firm, billing_firm.orion, purchase_order_required=False)
    with tenant_context(billing_firm.tenant):
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(purchase_order_required=False)
        Deal.objects.filter(pk=billing_firm.fixed_deal.pk).update(purchase_order_required=True)
    billing_firm.build()
    assert _checks(billing_firm.draft_of(billing_firm.helios), readiness.MISSING_PO) == []
    assert len(_checks(billing_firm.draft_of(billing_firm.orion), readiness.MISSING_PO)) == 1


def test_po_exceeded_asks_for_an_action(billing_firm):
    with tenant_context(billing_firm.tenant):
        PurchaseOrderFactory(
            deal=billing_firm.tm_deal, number="BC-20K", amount=Decimal("20000"), valid_from=datetime.date(2026, 1, 1)
        )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    (check,) = _checks(helios, readiness.PO_EXCEEDED)
    assert check["level"] == "action" and "20\u202f000,00\u00a0€ HT" in check["message"]
    assert helios.readiness == "action"


def test_missing_reception_number_blocks_until_set_from_the_cockpit(billing_firm):
    _profile(billing_firm, billing_firm.helios, reception_number_required=True)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    checks = _checks(helios, readiness.MISSING_RECEPTION)
    assert len(checks) == 2 and "Chloé David" in {c["consultant"] for c in checks}
    with tenant_context(billing_firm.tenant):
        lines = {str(t.lines.get().pk) for t in billing_firm.timesheets.values()}
    assert {c["timesheet_line"] for c in checks} == lines
    assert {c["level"] for c in checks} == {"blocked"}
    assert helios.readiness == "blocked"
    with tenant_context(billing_firm.tenant):
        for check in checks:
            helios = services.reception_number_set(
                actor=billing_firm.adv.membership,
                invoice=helios,
                timesheet_line_id=check["timesheet_line"],
                number=f"REC-{check['consultant'][:3]}",
            )
    assert _checks(helios, readiness.MISSING_RECEPTION) == []
    assert helios.readiness == "ready"


def test_missing_client_signed_timesheet_blocks_until_the_client_approves(billing_firm):
    _profile(billing_firm, billing_firm.helios, signed_timesheet_required=True)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert len(_checks(helios, readiness.MISSING_SIGNED_TIMESHEET)) == 2
    assert helios.readiness == "blocked"
    with tenant_context(billing_firm.tenant):
        for timesheet in billing_firm.timesheets.values():
            ClientApprovalFactory(
                timesheet=timesheet, deal=billing_firm.tm_deal, status=ClientApprovalStatus.APPROVED
            )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (_checks(helios, readiness.MISSING_SIGNED_TIMESHEET), helios.readiness) == ([], "ready")


def test_missing_milestone_document_blocks_until_attached(billing_firm):
    billing_firm.build()
    orion = billing_firm.draft_of(billing_firm.orion)
    (check,) = _checks(orion, readiness.MISSING_MILESTONE_DOCUMENT)
    assert check["level"] == "blocked" and "Lot 2" in check["message"]
    assert check["responsible"] == str(billing_firm.manager.membership.pk)
    billing_firm.attach_missing_pv()
    billing_firm.build()
    orion = billing_firm.draft_of(billing_firm.orion)
    assert (_checks(orion, readiness.MISSING_MILESTONE_DOCUMENT), orion.readiness) == ([], "ready")


def test_no_recipients_blocks(billing_firm):
    with tenant_context(billing_firm.tenant):
        Contact.objects.filter(client=billing_firm.helios).update(invoice_delivery="")
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    (check,) = _checks(helios, readiness.MISSING_RECIPIENTS)
    assert (check["level"], check["responsible"]) == ("blocked", str(billing_firm.adv.membership.pk))
    assert helios.readiness == "blocked"


def test_incomplete_client_identity_blocks(billing_firm):
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.helios.pk).update(siren="")
        Client.objects.filter(pk=billing_firm.orion.pk).update(billing_line1="", head_office_line1="")
    billing_firm.build()
    for client in (billing_firm.helios, billing_firm.orion):
        draft = billing_firm.draft_of(client)
        assert [c["level"] for c in _checks(draft, readiness.MISSING_CLIENT_IDENTITY)] == ["blocked"]
    # a foreign client needs no SIREN
    assert _checks(billing_firm.draft_of(billing_firm.nova), readiness.MISSING_CLIENT_IDENTITY) == []


def test_public_client_without_service_code_asks_for_an_action(billing_firm):
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.helios.pk).update(is_public_sector=True)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert [c["level"] for c in _checks(helios, readiness.MISSING_SERVICE_CODE)] == ["action"]
    assert helios.readiness == "action"
    _profile(billing_firm, billing_firm.helios, chorus_service_code="SERV-42")
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (_checks(helios, readiness.MISSING_SERVICE_CODE), helios.service_code, helios.readiness) == (
        [],
        "SERV-42",
        "ready",
    )


def test_public_client_without_engagement_number_blocks_when_required(billing_firm):
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.helios.pk).update(is_public_sector=True)
    _profile(billing_firm, billing_firm.helios, chorus_service_code="SERV-42", chorus_engagement_required=True)
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    assert [c["level"] for c in _checks(helios, readiness.MISSING_ENGAGEMENT)] == ["blocked"]
    with tenant_context(billing_firm.tenant):
        helios = services.pre_invoice_update(actor=billing_firm.adv.membership, invoice=helios, po_number="EJ-1234")
    assert (_checks(helios, readiness.MISSING_ENGAGEMENT), helios.readiness) == ([], "ready")


def test_platform_deposit_is_information_with_the_instructions(billing_firm):
    _profile(
        billing_firm,
        billing_firm.helios,
        einvoicing_platform="other",
        platform_name="Coupa",
        platform_url="https://helios.coupahost.com",
        platform_instructions="Déposer le PDF et le CRA signé.",
    )
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    (check,) = _checks(helios, readiness.PLATFORM_DEPOSIT)
    assert (check["level"], check["platform"], check["instructions"], check["url"]) == (
        "info",
        "Coupa",
        "Déposer le PDF et le CRA signé.",
        "https://helios.coupahost.com",
    )
    assert helios.readiness == "ready"


def test_pre_invoice_notes_are_information(billing_firm):
    _profile(billing_firm, billing_firm.helios, pre_invoice_notes="Joindre le relevé d'astreintes.")
    with tenant_context(billing_firm.tenant):
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(pre_invoice_notes="Référence projet P-12.")
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    (check,) = _checks(helios, readiness.PRE_INVOICE_NOTES)
    assert check["level"] == "info"
    assert check["message"] == "Joindre le relevé d'astreintes.\nRéférence projet P-12."
    assert helios.readiness == "ready"


def test_issuing_a_blocked_pre_invoice_is_refused_with_its_reasons_and_changes_nothing(billing_firm):
    billing_firm.build()
    orion = billing_firm.draft_of(billing_firm.orion)
    helios = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        before = Invoice.objects.values().get(pk=orion.pk)
        with pytest.raises(InvoiceBlocked) as refused:
            services.invoice_issue(actor=billing_firm.adv.membership, invoice=orion)
        assert len(refused.value.reasons) == 1 and "Lot 2" in refused.value.reasons[0]
        assert refused.value.status == 409
        assert NumberCounter.objects.count() == 0
        after = Invoice.objects.values().get(pk=orion.pk)
        assert {k: v for k, v in after.items() if k != "updated_at"} == {
            k: v for k, v in before.items() if k != "updated_at"
        }
    # in bulk: the ready one is issued, the blocked one refused with its reasons
    result = billing_firm.issue([helios, orion])
    assert [i.pk for i in result.issued] == [helios.pk]
    assert list(result.refused) == [str(orion.pk)]
    assert "Lot 2" in result.refused[str(orion.pk)][0]
    with tenant_context(billing_firm.tenant):
        orion = Invoice.objects.get(pk=orion.pk)
        assert (orion.status, orion.number) == ("draft", None)
        assert NumberCounter.objects.get().last_number == 1
