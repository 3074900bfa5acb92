"""What issuing does beyond numbering: the sources it settles, the snapshots and mentions it freezes,
the PDF rendered after commit (a failure is retried, then shown), and sending by email."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import Conflict
from billing import rendering, services
from billing.models import Invoice
from clients import services as client_services
from clients.models import BillingProfile
from deals.models import Milestone, Subscription
from notifications.models import Notification, OutboxEmail
from tests.billing.support import ISSUE_DATE
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db


def _issued(firm, client, issue_date=ISSUE_DATE) -> Invoice:
    firm.build()
    result = firm.issue([firm.draft_of(client)], issue_date=issue_date)
    assert not result.refused, result.refused
    with tenant_context(firm.tenant):
        return Invoice.objects.get(pk=result.issued[0].pk)


def test_issuing_locks_the_timesheets(billing_firm):
    _issued(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        locked = dict(Timesheet.objects.values_list("pk", "locked_at"))
    assert all(locked[t.pk] is not None for t in billing_firm.timesheets.values())


def test_issuing_marks_the_milestones_invoiced(billing_firm):
    billing_firm.attach_missing_pv()
    _issued(billing_firm, billing_firm.orion)
    with tenant_context(billing_firm.tenant):
        rows = list(Milestone.objects.filter(deal=billing_firm.fixed_deal).values_list("status", "invoiced_at"))
    assert [status for status, _at in rows] == ["invoiced", "invoiced"]
    assert all(at is not None for _status, at in rows)


def test_issuing_advances_the_subscription_one_period(billing_firm):
    _issued(billing_firm, billing_firm.nova)
    with tenant_context(billing_firm.tenant):
        subscription = Subscription.objects.get(deal=billing_firm.subscription_deal)
    assert subscription.next_billing_date == datetime.date(2026, 11, 1)


def test_issuing_snapshots_seller_and_buyer_and_a_later_rename_changes_nothing(billing_firm):
    invoice = _issued(billing_firm, billing_firm.helios)
    assert (invoice.seller["name"], invoice.seller["siren"], invoice.seller["iban"]) == (
        "Alpha Conseil SAS",
        "732829320",
        "FR7630006000011234567890189",
    )
    assert (invoice.buyer["name"], invoice.buyer["siren"], invoice.buyer["city"]) == (
        "Helios Énergies SA",
        "404833048",
        "Lyon",
    )
    with tenant_context(billing_firm.tenant):
        client_services.client_rename(
            actor=billing_firm.alice.membership,
            client=billing_firm.helios,
            legal_name="Helios Renouvelables SA",
            valid_from=timezone.localdate(),
        )
        assert Invoice.objects.get(pk=invoice.pk).buyer["name"] == "Helios Énergies SA"


def test_the_buyer_name_is_the_one_valid_on_the_issue_date(billing_firm):
    with tenant_context(billing_firm.tenant):
        # renamed from a date after the issue date: the invoice bears the former name
        client_services.client_rename(
            actor=billing_firm.alice.membership,
            client=billing_firm.nova,
            legal_name="Nova Systems GmbH",
            valid_from=ISSUE_DATE + datetime.timedelta(days=3),
        )
        # renamed from a date before the issue date: the invoice bears the new name
        client_services.client_rename(
            actor=billing_firm.alice.membership,
            client=billing_firm.helios,
            legal_name="Helios Renouvelables SA",
            valid_from=ISSUE_DATE - datetime.timedelta(days=1),
        )
    assert _issued(billing_firm, billing_firm.nova).buyer["name"] == "Nova GmbH"
    assert _issued(billing_firm, billing_firm.helios).buyer["name"] == "Helios Renouvelables SA"


def test_due_date_from_the_payment_terms(billing_firm):
    invoice = _issued(billing_firm, billing_firm.helios)
    assert invoice.due_date == datetime.date(2026, 12, 2)  # 30 days
    assert "30 jours" in invoice.payment_terms and "02/12/2026" in invoice.payment_terms
    assert services.due_date_for(datetime.date(2026, 11, 2), 45, True) == datetime.date(2026, 12, 31)
    assert services.due_date_for(datetime.date(2026, 11, 20), 45, True) == datetime.date(2027, 1, 31)
    with tenant_context(billing_firm.tenant):
        BillingProfile.objects.filter(client=billing_firm.nova).update(
            payment_terms_days=45, payment_terms_end_of_month=True
        )
    nova = _issued(billing_firm, billing_firm.nova)
    assert nova.due_date == datetime.date(2026, 12, 31)
    assert "45 jours fin de mois" in nova.payment_terms


def test_legal_mentions_and_reverse_charge(billing_firm):
    helios = _issued(billing_firm, billing_firm.helios)
    text = "\n".join(helios.legal_mentions)
    assert "Pénalités de retard" in text
    assert "40 €" in text
    assert "escompte" in text
    assert "Autoliquidation" not in text
    assert helios.total_vat == Decimal("5192.00")
    nova = _issued(billing_firm, billing_firm.nova)
    assert (nova.vat_regime, nova.total_vat, nova.total_gross) == (
        "reverse_charge",
        Decimal("0.00"),
        Decimal("1500.00"),
    )
    assert any("Autoliquidation" in mention for mention in nova.legal_mentions)


def test_a_tenant_exemption_gives_the_exempt_regime_with_its_mention_and_no_vat(billing_firm):
    mention = "TVA non applicable, art. 293 B du CGI"
    with tenant_context(billing_firm.tenant):
        services.policy_update(actor=billing_firm.adv.membership, vat_exemption_text=mention)
    helios = _issued(billing_firm, billing_firm.helios)
    assert (helios.vat_regime, helios.total_vat, helios.total_gross) == (
        "exempt",
        Decimal("0.00"),
        Decimal("25960.00"),
    )
    assert mention in helios.legal_mentions


def test_a_render_failure_is_retried_then_shown_and_the_number_kept(billing_firm, django_capture_on_commit_callbacks):
    invoice = _issued(billing_firm, billing_firm.helios)
    number = invoice.number
    with tenant_context(billing_firm.tenant):
        rendering.render_failed(invoice.pk, "OSError: disk full", final=False)
        invoice.refresh_from_db()
        assert (invoice.render_status, invoice.render_attempts) == ("pending", 1)
        assert not Notification.objects.filter(event="billing.render_failed").exists()
        rendering.render_failed(invoice.pk, "OSError: disk full", final=True)
        invoice.refresh_from_db()
        assert (invoice.render_status, invoice.render_attempts, invoice.number) == ("failed", 2, number)
        assert "disk full" in invoice.render_error
        (note,) = Notification.objects.filter(event="billing.render_failed")
        assert note.recipient_id == billing_firm.adv.user.pk
        # the retry button schedules a new render after commit
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.invoice_render_retry(actor=billing_firm.adv.membership, invoice=invoice)
        assert len(callbacks) == 1
        invoice.refresh_from_db()
        assert (invoice.render_status, invoice.render_error, invoice.number) == ("pending", "", number)
    rendered = billing_firm.render(invoice)
    assert (rendered.render_status, rendered.number) == ("done", number)
    assert rendered.pdf_file


def test_sending_waits_for_the_pdf_then_writes_one_email_with_it(billing_firm):
    invoice = _issued(billing_firm, billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        with pytest.raises(Conflict) as refused:
            services.invoice_send(actor=billing_firm.adv.membership, invoice=invoice)
        assert refused.value.code == "pdf_not_ready"
        assert OutboxEmail.objects.count() == 0
        assert Invoice.objects.get(pk=invoice.pk).status == "issued"
    invoice = billing_firm.render(invoice)
    with tenant_context(billing_firm.tenant):
        sent, email = services.invoice_send(actor=billing_firm.adv.membership, invoice=invoice)
        assert (sent.status, sent.sent_at is not None) == ("sent", True)
        assert email.to == ["factures@helios.example"]
        assert email.attachments[0]["path"] == sent.pdf_file.name
        assert email.attachments[0]["content_type"] == "application/pdf"
        assert email.attachments[0]["name"] == f"{sent.number}.pdf".replace("/", "-")
        assert OutboxEmail.objects.count() == 1
        # sending again (the sent time changed) is a new email
        _again, second = services.invoice_send(actor=billing_firm.adv.membership, invoice=sent)
        assert second.pk != email.pk
        assert OutboxEmail.objects.count() == 2
        # a replay of the first send (same sent time) returns the first email
        Invoice.objects.filter(pk=invoice.pk).update(sent_at=None)
        _replayed, third = services.invoice_send(actor=billing_firm.adv.membership, invoice=sent)
        assert third.pk == email.pk
        assert OutboxEmail.objects.count() == 2
