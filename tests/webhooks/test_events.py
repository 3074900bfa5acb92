"""Domain signals become webhook events, written in the writing transaction (the outbox) and
dispatched after commit; a rolled-back action records and sends nothing."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from adv.broker import send_task
from adv.tenancy.context import tenant_context
from billing import services as billing_services
from billing import signals as billing_signals
from billing.models import Invoice
from documents import services as document_services
from documents.models import DocumentType
from tests.billing.support import ISSUE_DATE
from tests.webhooks.conftest import make_endpoint, resolving
from timesheets import services as timesheet_services
from timesheets.models import Timesheet
from webhooks import tasks
from webhooks.event_types import EVENT_TYPES
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

PUBLIC = {"erp.example.com": "93.184.216.34"}


@pytest.fixture
def subscribed(billing_firm):
    with resolving(PUBLIC):
        endpoint, _secret = make_endpoint(billing_firm.alice, "https://erp.example.com/hooks", event_types=list(EVENT_TYPES))
    return endpoint


def events(firm, event_type=None) -> list[Event]:
    with tenant_context(firm.tenant):
        queryset = Event.objects.order_by("created_at", "id")
        if event_type:
            queryset = queryset.filter(type=event_type)
        return list(queryset)


def issue_helios(firm) -> Invoice:
    firm.build()
    result = firm.issue([firm.draft_of(firm.helios)])
    assert not result.refused, result.refused
    return result.issued[0]


def dispatched_deliveries(callbacks) -> list[str]:
    return [
        cb.args[2] for cb in callbacks if getattr(cb, "func", None) is send_task and cb.args and cb.args[0] is tasks.deliver
    ]


def test_an_issued_invoice_becomes_one_event_and_one_delivery_queued_after_commit(billing_firm, subscribed, django_capture_on_commit_callbacks):
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.helios)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        billing_firm.issue([draft])
    issued = events(billing_firm, "invoice.issued")
    assert len(issued) == 1
    data = issued[0].payload
    with tenant_context(billing_firm.tenant):
        invoice = Invoice.objects.get(pk=draft.pk)
        delivery = Delivery.objects.get(event=issued[0])
    assert data["id"] == str(invoice.pk) and data["number"] == invoice.number and data["status"] == "issued"
    assert data["client"] == {"id": str(billing_firm.helios.pk), "name": billing_firm.helios.display_name}
    assert data["total_gross"] == f"{invoice.total_gross:.2f}" and data["month"] == "2026-10"
    assert data["issue_date"] == ISSUE_DATE.isoformat()
    assert (delivery.endpoint_id, delivery.status) == (subscribed.pk, "pending")
    assert dispatched_deliveries(callbacks) == [str(delivery.pk)]


def test_nothing_is_recorded_nor_sent_when_the_writing_transaction_rolls_back(billing_firm, subscribed, django_capture_on_commit_callbacks):
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.helios)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(RuntimeError):
        with tenant_context(billing_firm.tenant), transaction.atomic():
            billing_services.invoices_issue(actor=billing_firm.adv.membership, invoice_ids=[draft.pk], issue_date=ISSUE_DATE)
            assert Event.objects.filter(type="invoice.issued").count() == 1  # written in the transaction...
            raise RuntimeError("the action fails after the signal")
    assert events(billing_firm, "invoice.issued") == []  # ...and gone with it
    assert dispatched_deliveries(callbacks) == []


def test_no_event_is_written_when_no_enabled_endpoint_listens(billing_firm):
    with resolving(PUBLIC):
        make_endpoint(billing_firm.alice, "https://erp.example.com/hooks", event_types=["deal.signed"])
    issue_helios(billing_firm)
    assert events(billing_firm) == []


def test_a_disabled_endpoint_gets_no_delivery(billing_firm, subscribed):
    from webhooks import services

    with tenant_context(billing_firm.tenant):
        services.endpoint_update(actor=billing_firm.alice.membership, endpoint_id=subscribed.pk, is_enabled=False)
    issue_helios(billing_firm)
    with tenant_context(billing_firm.tenant):
        assert Delivery.objects.count() == 0


def test_every_domain_signal_becomes_its_event(billing_firm, subscribed):
    firm = billing_firm
    firm.build()  # Orion's second milestone lacks its PV: that pre-invoice is created blocked
    blocked = events(firm, "pre_invoice.blocked")
    assert [e.payload["id"] for e in blocked] == [str(firm.draft_of(firm.orion).pk)]
    assert blocked[0].payload["reasons"] and blocked[0].payload["client"]["id"] == str(firm.orion.pk)
    firm.build()  # still blocked: not announced again
    assert len(events(firm, "pre_invoice.blocked")) == 1

    invoice = issue_helios(firm)
    actor = firm.adv.membership
    with tenant_context(firm.tenant):
        billing_services.invoice_mark_deposited(actor=actor, invoice=invoice, reference="PA-123")
        billing_signals.invoice_status_changed.send(
            sender=Invoice, invoice_id=str(invoice.pk), status="approuvee", previous="recue", reason=""
        )
        invoice.refresh_from_db()
        payment = billing_services.payment_record(
            actor=actor, invoice=invoice, amount=invoice.total_gross, paid_on=datetime.date(2026, 11, 20), reference="VIR 42"
        )
    issued = firm.issue([firm.draft_of(firm.nova)]).issued[0]
    with tenant_context(firm.tenant):
        note = billing_services.credit_note_create(actor=actor, invoice=issued, reason="Geste commercial", amount="100")
        timesheet = Timesheet.objects.get(pk=firm.timesheets["chloe"].pk)
        Timesheet.objects.filter(pk=timesheet.pk).update(status="submitted", locked_at=None)
        timesheet_services.timesheet_approve(actor=firm.manager.membership, timesheet=Timesheet.objects.get(pk=timesheet.pk))
        document = document_services.document_upload(
            actor=firm.alice.membership, client=firm.helios, document_type=DocumentType.objects.get(code="pv-recette"),
            title="PV", upload=SimpleUploadedFile("pv.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
            deal=firm.tm_deal, security_level=3,
        )  # fmt: skip

    sent = events(firm, "invoice.sent")[0].payload
    assert (sent["id"], sent["channel"]) == (str(invoice.pk), "manual")
    status = events(firm, "invoice.status_changed")[0].payload
    assert status["platform_status"] == {"status": "approuvee", "previous": "recue", "reason": ""}
    recorded = events(firm, "payment.recorded")[0].payload
    assert recorded == {
        "id": str(payment.pk), "invoice": {"id": str(invoice.pk), "number": invoice.number}, "client": str(firm.helios.pk),
        "paid_on": "2026-11-20", "amount": f"{invoice.total_gross:.2f}", "method": "transfer", "reference": "VIR 42",
    }  # fmt: skip
    paid = events(firm, "invoice.paid")[0].payload
    assert (paid["id"], paid["status"], paid["balance"]) == (str(invoice.pk), "paid", "0.00")
    credit = events(firm, "credit_note.issued")[0].payload
    assert credit["id"] == str(note.pk) and credit["credited_invoice"] == {"id": str(issued.pk), "number": issued.number}
    approved = events(firm, "timesheet.approved")[0].payload
    assert approved["consultant"]["id"] == str(firm.chloe.membership.pk)
    assert approved["deals"] == [{"deal": str(firm.tm_deal.pk), "days": "18.00", "extra_days": "0.00"}]
    uploaded = events(firm, "document.uploaded")[0].payload
    assert uploaded["id"] == str(document.pk) and uploaded["security_level"] == 3
    assert "pv.pdf" not in json.dumps(uploaded)  # a file name is for readers cleared for the document


def test_deal_signed_event(billing_firm, subscribed):
    from deals import services as deal_services

    firm = billing_firm
    with tenant_context(firm.tenant):
        deal = deal_services.deal_create(
            actor=firm.alice.membership, client=firm.helios, deal_type="t_and_m", title="TMA",
            start_date=datetime.date(2026, 11, 1), sales_owner=firm.sales.membership, adv_owner=firm.adv.membership,
        )  # fmt: skip
        deal_services.deal_sign(actor=firm.alice.membership, deal=deal, signed_on=datetime.date(2026, 11, 2), override_reason="Signé")
    signed = events(firm, "deal.signed")[0].payload
    assert (signed["id"], signed["signed_on"], signed["client"]["id"]) == (str(deal.pk), "2026-11-02", str(firm.helios.pk))


def test_payloads_never_carry_rates(billing_firm, subscribed):
    """A timesheet's event gives days, never the sale or purchase rate of the assignment."""
    firm = billing_firm
    with tenant_context(firm.tenant):
        timesheet = Timesheet.objects.get(pk=firm.timesheets["bob"].pk)
        Timesheet.objects.filter(pk=timesheet.pk).update(status="submitted", locked_at=None)
        timesheet_services.timesheet_approve(actor=firm.alice.membership, timesheet=Timesheet.objects.get(pk=timesheet.pk))
    text = json.dumps(events(firm, "timesheet.approved")[0].payload)
    assert "rate" not in text and "650" not in text
    assert Decimal(json.loads(text)["deals"][0]["days"]) == Decimal("20")


def test_a_failing_receiver_never_undoes_the_business_action(billing_firm, subscribed, monkeypatch):
    from webhooks import payloads

    def broken(ids):
        raise ValueError("bug in a payload")

    monkeypatch.setattr(payloads, "invoices", broken)
    invoice = issue_helios(billing_firm)
    with tenant_context(billing_firm.tenant):
        assert Invoice.objects.get(pk=invoice.pk).status == "issued"
    assert events(billing_firm, "invoice.issued") == []


def test_a_ready_pre_invoice_that_turns_blocked_is_announced_once(billing_firm, subscribed):
    from deals.models import Milestone

    firm = billing_firm
    firm.attach_missing_pv()
    firm.build()  # every milestone has its PV: Orion's pre-invoice is not blocked
    assert events(firm, "pre_invoice.blocked") == []
    with tenant_context(firm.tenant):
        Milestone.objects.filter(pk=firm.milestones[1].pk).update(document=None)  # the PV is taken back
    firm.build()
    blocked = events(firm, "pre_invoice.blocked")
    assert [e.payload["id"] for e in blocked] == [str(firm.draft_of(firm.orion).pk)]
    firm.attach_missing_pv()
    firm.build()  # ready again: nothing to announce
    assert len(events(firm, "pre_invoice.blocked")) == 1
