"""An issued invoice cannot change: the database trigger refuses any write of what it says (even
through the ORM or raw SQL, bypassing the services), the services answer 409, its life (status,
sending, payments) still moves on, and a failure while issuing leaves nothing half-issued."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from adv.tenancy.context import tenant_context
from billing import numbering, services
from billing.errors import InvoiceImmutable
from billing.models import ISSUED_INVOICE_IMMUTABLE, Invoice, InvoiceLine, NumberCounter
from billing.services import issuing
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(billing_firm) -> Invoice:
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)])
    assert not result.refused
    return result.issued[0]


FROZEN = ("number", "kind", "client_id", "total_net", "total_vat", "total_gross", "issue_date", "due_date", "seller",
          "buyer", "legal_mentions", "po_number", "notes", "vat_regime")  # fmt: skip


def snapshot(invoice_id) -> tuple:
    """What the invoice says, and its lines, as stored."""
    invoice = Invoice.objects.filter(pk=invoice_id).values(*FROZEN).get()
    lines = list(InvoiceLine.objects.filter(invoice_id=invoice_id).order_by("id").values())
    return invoice, lines


def refused(action) -> str:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        action()
    return str(raised.value)


@pytest.mark.parametrize(
    "changes",
    [
        {"total_net": Decimal("1.00")},
        {"total_vat": Decimal("0.00")},
        {"total_gross": Decimal("1.00")},
        {"number": "F2026-99999"},
        {"issue_date": datetime.date(2026, 12, 1)},
        {"due_date": datetime.date(2027, 12, 1)},
        {"po_number": "PO-FAKE"},
        {"notes": "changed"},
        {"buyer": {"name": "Someone else"}},
        {"vat_regime": "exempt"},
        {"kind": "credit_note"},
    ],
)
def test_the_trigger_refuses_an_orm_update_of_a_frozen_column(billing_firm, issued, changes):
    with tenant_context(billing_firm.tenant):
        before = snapshot(issued.pk)
        message = refused(lambda: Invoice.objects.filter(pk=issued.pk).update(**changes))
        assert ISSUED_INVOICE_IMMUTABLE in message
        assert snapshot(issued.pk) == before


def test_the_trigger_refuses_changing_the_client_and_a_model_save(billing_firm, issued):
    with tenant_context(billing_firm.tenant):
        before = snapshot(issued.pk)
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            lambda: Invoice.objects.filter(pk=issued.pk).update(client=billing_firm.orion)
        )
        invoice = Invoice.objects.get(pk=issued.pk)
        invoice.total_net = Decimal("0.01")
        assert ISSUED_INVOICE_IMMUTABLE in refused(invoice.save)
        assert snapshot(issued.pk) == before


def test_the_trigger_refuses_raw_sql_on_the_invoice_and_its_lines(billing_firm, issued):
    with tenant_context(billing_firm.tenant):
        before = snapshot(issued.pk)
        line_id = InvoiceLine.objects.filter(invoice_id=issued.pk).values_list("id", flat=True).first()

        def sql(statement, params):
            def run():
                with connection.cursor() as cursor:
                    cursor.execute(statement, params)

            return run

        assert ISSUED_INVOICE_IMMUTABLE in refused(
            sql("UPDATE billing_invoice SET total_gross = total_gross + 1 WHERE id = %s", [issued.pk])
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            sql("UPDATE billing_invoice SET number = NULL, status = 'draft' WHERE id = %s", [issued.pk])
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(sql("DELETE FROM billing_invoice WHERE id = %s", [issued.pk]))
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            sql("UPDATE billing_invoiceline SET unit_price = 1 WHERE id = %s", [line_id])
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(sql("DELETE FROM billing_invoiceline WHERE id = %s", [line_id]))
        assert snapshot(issued.pk) == before


def test_the_trigger_refuses_deleting_the_invoice_and_adding_changing_or_deleting_lines(billing_firm, issued):
    with tenant_context(billing_firm.tenant):
        before = snapshot(issued.pk)
        line = InvoiceLine.objects.filter(invoice_id=issued.pk).first()
        assert ISSUED_INVOICE_IMMUTABLE in refused(lambda: Invoice.objects.filter(pk=issued.pk).delete())
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            lambda: InvoiceLine.objects.create(
                invoice_id=issued.pk,
                label="Ajout",
                quantity=Decimal("1"),
                unit_price=Decimal("1"),
                vat_rate=Decimal("20"),
                net_amount=Decimal("1.00"),
            )
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            lambda: InvoiceLine.objects.filter(pk=line.pk).update(label="Autre chose")
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            lambda: InvoiceLine.objects.filter(pk=line.pk).update(
                invoice_id=billing_firm.draft_of(billing_firm.nova).pk
            )
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(lambda: InvoiceLine.objects.filter(pk=line.pk).delete())
        # moving a draft's line onto the issued invoice is an insert into it: refused too
        nova_line = InvoiceLine.objects.filter(invoice__client=billing_firm.nova).first()
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            lambda: InvoiceLine.objects.filter(pk=nova_line.pk).update(invoice_id=issued.pk)
        )
        assert snapshot(issued.pk) == before


def test_the_life_of_an_issued_invoice_still_moves_on(billing_firm, issued):
    now = datetime.datetime(2026, 11, 3, 10, tzinfo=datetime.UTC)
    with tenant_context(billing_firm.tenant):
        before = snapshot(issued.pk)
        Invoice.objects.filter(pk=issued.pk).update(
            status="partially_paid",
            sent_at=now,
            amount_paid=Decimal("100.00"),
            deposited_at=now,
            deposit_reference="CPP-1",
            render_status="failed",
            render_error="boom",
        )
        invoice = Invoice.objects.get(pk=issued.pk)
        assert (invoice.status, invoice.sent_at, invoice.amount_paid) == ("partially_paid", now, Decimal("100.00"))
        assert snapshot(issued.pk) == before


def test_the_rendered_files_are_written_once(billing_firm, issued):
    invoice = billing_firm.render(issued)
    with tenant_context(billing_firm.tenant):
        assert ISSUED_INVOICE_IMMUTABLE in refused(
            lambda: Invoice.objects.filter(pk=invoice.pk).update(pdf_sha256="0" * 64)
        )
        assert ISSUED_INVOICE_IMMUTABLE in refused(lambda: Invoice.objects.filter(pk=invoice.pk).update(xml_file="x"))
        assert Invoice.objects.get(pk=invoice.pk).pdf_sha256 == invoice.pdf_sha256


def test_the_services_answer_409_on_an_issued_invoice(billing_firm, issued):
    actor = billing_firm.adv.membership
    with tenant_context(billing_firm.tenant):
        before = snapshot(issued.pk)
        line = InvoiceLine.objects.filter(invoice_id=issued.pk).first()
        attempts = [
            lambda: services.line_add(actor=actor, invoice=issued, label="Ajout", quantity="1", unit_price="10"),
            lambda: services.line_update(actor=actor, line=line, label="Reformulé"),
            lambda: services.line_delete(actor=actor, line=line),
            lambda: services.discount_add(actor=actor, invoice=issued, amount="10"),
            lambda: services.pre_invoice_update(actor=actor, invoice=issued, po_number="PO-1"),
            lambda: services.pre_invoice_update(actor=actor, invoice=issued, notes="Autre"),
        ]
        for attempt in attempts:
            with pytest.raises(InvoiceImmutable) as raised:
                attempt()
            assert raised.value.status == 409
            assert raised.value.code == "invoice_immutable"
        with pytest.raises(InvoiceImmutable):
            services.invoice_issue(actor=actor, invoice=issued)
        assert snapshot(issued.pk) == before


@pytest.mark.parametrize("where", ["take_numbers", "after_issue", "second_invoice"])
def test_a_failure_while_issuing_leaves_nothing_half_issued(billing_firm, monkeypatch, where):
    firm = billing_firm
    firm.build()
    helios, nova = firm.draft_of(firm.helios), firm.draft_of(firm.nova)
    with tenant_context(firm.tenant):
        # a first invoice, so that the counter exists
        services.invoices_issue(
            actor=firm.adv.membership, invoice_ids=[helios.pk], issue_date=datetime.date(2026, 11, 2)
        )
        counter_before = NumberCounter.objects.get(series="invoice", year=2026).last_number
    firm.build()  # nothing changes for Nova
    # given a second pre-invoice for Helios (a manual one) and Nova's
    with tenant_context(firm.tenant):
        extra = Invoice.objects.create(
            month=nova.month, group_key="manual:extra", client=firm.helios, readiness="ready",
            total_net=Decimal("10.00"), total_vat=Decimal("2.00"), total_gross=Decimal("12.00"),
        )  # fmt: skip
        InvoiceLine.objects.create(
            invoice=extra, label="Frais", quantity=Decimal("1"), unit="C62", unit_price=Decimal("10"),
            vat_rate=Decimal("20"), net_amount=Decimal("10.00"),
        )  # fmt: skip
        nova_before = snapshot(nova.pk)
        timesheet_locks = dict(Timesheet.objects.values_list("id", "locked_at"))

    class Boom(Exception):
        pass

    if where == "take_numbers":
        original = numbering.take_numbers

        def explode(*args, **kwargs):
            original(*args, **kwargs)  # the counter is incremented, then the step fails
            raise Boom

        monkeypatch.setattr(numbering, "take_numbers", explode)
    else:
        original_after = issuing._after_issue
        calls = []

        def explode(invoice, now):
            original_after(invoice, now)
            calls.append(invoice.pk)
            if where == "after_issue" or len(calls) == 2:
                raise Boom

        monkeypatch.setattr(issuing, "_after_issue", explode)
    # when issuing both fails half-way
    with tenant_context(firm.tenant), pytest.raises(Boom):
        services.invoices_issue(
            actor=firm.adv.membership, invoice_ids=[nova.pk, extra.pk], issue_date=datetime.date(2026, 11, 5)
        )
    # then both are still pre-invoices without number, the counter did not move, nothing was locked
    with tenant_context(firm.tenant):
        for pk in (nova.pk, extra.pk):
            current = Invoice.objects.get(pk=pk)
            assert (current.status, current.number, current.issue_date) == ("draft", None, None)
        assert snapshot(nova.pk) == nova_before
        assert NumberCounter.objects.get(series="invoice", year=2026).last_number == counter_before
        assert dict(Timesheet.objects.values_list("id", "locked_at")) == timesheet_locks
    # and once the failure is gone, the next numbers follow without gap
    monkeypatch.undo()
    with tenant_context(firm.tenant):
        result = services.invoices_issue(
            actor=firm.adv.membership, invoice_ids=[nova.pk, extra.pk], issue_date=datetime.date(2026, 11, 5)
        )
    assert sorted(i.number for i in result.issued) == ["F2026-00002", "F2026-00003"]


def test_a_failure_while_issuing_time_leaves_the_timesheets_unlocked(billing_firm, monkeypatch):
    firm = billing_firm
    firm.build()
    helios = firm.draft_of(firm.helios)

    class Boom(Exception):
        pass

    original_after = issuing._after_issue

    def explode(invoice, now):
        original_after(invoice, now)  # timesheets are locked here, inside the transaction
        raise Boom

    monkeypatch.setattr(issuing, "_after_issue", explode)
    with tenant_context(firm.tenant), pytest.raises(Boom):
        services.invoices_issue(actor=firm.adv.membership, invoice_ids=[helios.pk])
    with tenant_context(firm.tenant):
        assert not Timesheet.objects.filter(locked_at__isnull=False).exists()
        current = Invoice.objects.get(pk=helios.pk)
        assert (current.status, current.number) == ("draft", None)
        assert not NumberCounter.objects.filter(last_number__gt=0).exists()
