"""Lifecycle statuses from the platform (emulator scenarios over time), stored in order and acted
on; payments reported and "encaissée" recording the payment when it is missing."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from decimal import Decimal

import pytest
import time_machine

from adv.tenancy.context import tenant_context
from billing import services as billing_services
from billing import signals as billing_signals
from billing.models import Invoice, Payment
from einvoicing import lifecycle, sending
from einvoicing.connectors import PlatformError
from einvoicing.models import EReport, StatusEvent, Submission
from einvoicing.reporting import report_send, vat_split
from tests.einvoicing.test_submission import NOW, issued_helios

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def status(sender, **kw):
        events.append(("status", kw["status"], kw["previous"]))

    def disputed(sender, **kw):
        events.append(("disputed", kw["disputed"], kw["source"]))

    billing_signals.invoice_status_changed.connect(status, dispatch_uid="test-status")
    billing_signals.invoice_disputed.connect(disputed, dispatch_uid="test-disputed")
    yield events
    billing_signals.invoice_status_changed.disconnect(dispatch_uid="test-status")
    billing_signals.invoice_disputed.disconnect(dispatch_uid="test-disputed")


def submitted(firm, scenario="approve"):
    firm.emulator.scenarios[firm.helios.siren] = scenario
    invoice = issued_helios(firm)
    with tenant_context(firm.tenant):
        submission = Submission.objects.get(invoice=invoice)
        assert sending.submission_attempt(submission.pk) == "submitted"
    return invoice


def fetched(firm):
    with tenant_context(firm.tenant):
        lifecycle.statuses_fetch()
        submission = Submission.objects.get(invoice__client=firm.helios)
        codes = list(StatusEvent.objects.filter(submission=submission).values_list("code", flat=True))
    return submission, codes


def test_statuses_move_over_time_in_order_and_are_stored_once(platform_firm, heard):
    with time_machine.travel(NOW, tick=False) as clock:
        submitted(platform_firm)
        submission, codes = fetched(platform_firm)
        assert codes == ["200"] and submission.status == "200"
        clock.shift(datetime.timedelta(minutes=4))
        submission, codes = fetched(platform_firm)
        assert codes == ["200", "201", "202", "203"]
        clock.shift(datetime.timedelta(minutes=10))
        submission, codes = fetched(platform_firm)
        submission, again = fetched(platform_firm)  # a second poll adds nothing
    assert codes == again == ["200", "201", "202", "203", "204", "205"]
    assert submission.status == "205"
    assert [e[1] for e in heard if e[0] == "status"] == ["200", "201", "202", "203", "204", "205"]
    assert ("status", "205", "204") in heard


def test_rejected_by_the_platform_goes_back_to_the_adv_with_its_errors(platform_firm, heard):
    from notifications.models import Notification

    with time_machine.travel(NOW, tick=False):
        submitted(platform_firm, "reject")
        submission, codes = fetched(platform_firm)
    assert codes == ["213"] and submission.status == "213"
    assert submission.errors and "destinataire inconnu" in submission.errors[0]["message"]
    with tenant_context(platform_firm.tenant):
        alert = Notification.objects.get(event="einvoicing.status_alert")
    assert "Rejetée" in alert.title


def test_refused_by_the_client_is_told_with_its_reason(platform_firm, heard):
    from notifications.models import Notification

    with time_machine.travel(NOW, tick=False) as clock:
        submitted(platform_firm, "refuse")
        clock.shift(datetime.timedelta(minutes=11))
        submission, codes = fetched(platform_firm)
    assert codes[-1] == "210" and submission.status_reason.startswith("Prix unitaire")
    with tenant_context(platform_firm.tenant):
        assert Notification.objects.filter(event="einvoicing.status_alert", body__contains="Prix unitaire").exists()


def test_a_dispute_is_announced_then_its_end(platform_firm, heard):
    with time_machine.travel(NOW, tick=False) as clock:
        submitted(platform_firm, "dispute")
        clock.shift(datetime.timedelta(minutes=11))
        submission, codes = fetched(platform_firm)
        assert codes[-1] == "207"
        assert ("disputed", True, "platform") in heard
        clock.shift(datetime.timedelta(minutes=30))
        submission, codes = fetched(platform_firm)
    assert codes[-1] == "205"
    assert heard.count(("disputed", False, "platform")) == 1


def test_a_suspension_is_a_dispute_until_completed(platform_firm, heard):
    with time_machine.travel(NOW, tick=False) as clock:
        submitted(platform_firm, "suspend")
        clock.shift(datetime.timedelta(minutes=6))
        _submission, codes = fetched(platform_firm)
        assert codes[-1] == "208" and ("disputed", True, "platform") in heard
        clock.shift(datetime.timedelta(minutes=30))
        submission, codes = fetched(platform_firm)
    assert codes[-3:] == ["208", "209", "205"]
    assert heard.count(("disputed", False, "platform")) == 1


def test_encaissee_from_the_platform_records_the_missing_payment_once(platform_firm):
    with time_machine.travel(NOW, tick=False) as clock:
        invoice = submitted(platform_firm, "pay")
        clock.shift(datetime.timedelta(minutes=16))
        submission, codes = fetched(platform_firm)
        assert codes[-1] == "211"
        platform_firm.emulator.add_event(submission.platform_id, "212", amount=str(invoice.total_gross),
                                         paymentDate="2026-11-02")
        fetched(platform_firm)
        fetched(platform_firm)
        with tenant_context(platform_firm.tenant):
            invoice.refresh_from_db()
            payments = list(Payment.objects.filter(invoice=invoice))
            # a payment the platform told us about is not reported back to it
            assert not EReport.objects.filter(kind="payment").exists()
    assert invoice.status == "paid" and len(payments) == 1
    assert payments[0].amount == invoice.total_gross and payments[0].paid_on == datetime.date(2026, 11, 2)


def test_a_recorded_payment_is_reported_per_vat_rate_and_encaissee_adds_nothing(platform_firm):
    with time_machine.travel(NOW, tick=False):
        invoice = submitted(platform_firm)
        half = (invoice.total_gross / 2).quantize(Decimal("0.01"))
        with tenant_context(platform_firm.tenant):
            payment = billing_services.payment_record(
                actor=platform_firm.adv.membership, invoice=invoice, amount=half, paid_on=datetime.date(2026, 11, 2)
            )
            report = EReport.objects.get(kind="payment", key=str(payment.pk))
            assert report.payload["amounts"] == [{"vat_rate": "20.00", "amount": f"{half:.2f}", "vat": f"{half / 6:.2f}"}]
            platform_firm.emulator.faults.append("error_500")
            with pytest.raises(PlatformError):
                report_send(report.pk)
            report.refresh_from_db()
            assert report.state == "pending" and report.attempts == 1 and report.last_error
            assert report_send(report.pk) == "sent"
            assert report_send(report.pk) == "already"
        _submission, codes = fetched(platform_firm)
        assert codes[-1] == "212"
        with tenant_context(platform_firm.tenant):
            invoice.refresh_from_db()
            assert invoice.amount_paid == half  # the platform's "encaissée" echoes our payment
    sent = [r["data"] for r in platform_firm.emulator.reports.values()]
    assert len(sent) == 1 and sent[0]["paymentDate"] == "2026-11-02"


def test_vat_split_gives_the_remainder_to_the_last_rate(platform_firm):
    with time_machine.travel(NOW, tick=False):
        invoice = issued_helios(platform_firm)
    with tenant_context(platform_firm.tenant):
        parts = vat_split(invoice, Decimal("100.00"))
    assert sum(Decimal(p["amount"]) for p in parts) == Decimal("100.00")


def test_the_signed_webhook_applies_statuses_and_refuses_a_bad_signature(platform_firm, client):
    from clients import crypto
    from einvoicing.models import PlatformAccount

    with time_machine.travel(NOW, tick=False):
        invoice = submitted(platform_firm)
        with tenant_context(platform_firm.tenant):
            PlatformAccount.objects.update(webhook_secret_encrypted=crypto.encrypt("whsec"))
            flow = Submission.objects.get(invoice=invoice).platform_id
        body = json.dumps({"events": [{"eventId": "wh-1", "flowId": flow, "statusCode": "205",
                                       "statusDate": "2026-11-02T09:00:00Z"}]}).encode()
        stamp = str(int(NOW.timestamp()))
        signature = hmac.new(b"whsec", f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        url = f"/einvoicing/hooks/{platform_firm.tenant.pk}/"
        refused = client.post(url, body, content_type="application/json",
                              headers={"X-Platform-Timestamp": stamp, "X-Platform-Signature": "sha256=00"})
        assert refused.status_code == 401
        stale = client.post(url, body, content_type="application/json",
                            headers={"X-Platform-Timestamp": str(int(NOW.timestamp()) - 3600),
                                     "X-Platform-Signature": f"sha256={signature}"})
        assert stale.status_code == 401
        accepted = client.post(url, body, content_type="application/json",
                               headers={"X-Platform-Timestamp": stamp, "X-Platform-Signature": f"sha256={signature}"})
        assert accepted.status_code == 200, accepted.content
    with tenant_context(platform_firm.tenant):
        event = StatusEvent.objects.get(event_id="wh-1")
        assert event.source == "webhook" and Submission.objects.get(invoice=invoice).status == "205"
        assert Invoice.objects.get(pk=invoice.pk).number


def test_the_status_shows_on_the_invoice_page_the_list_filter_and_the_cockpit(platform_firm, client):
    with time_machine.travel(NOW, tick=False) as clock:
        invoice = submitted(platform_firm, "refuse")
        clock.shift(datetime.timedelta(minutes=11))
        fetched(platform_firm)
        client.force_login(platform_firm.adv.user)
        slug = platform_firm.tenant.slug
        page = client.get(f"/t/{slug}/billing/invoices/{invoice.pk}/").content.decode()
        assert 'data-testid="einvoicing-status">Refusée<' in page
        assert 'data-testid="einvoicing-refused"' in page and "Prix unitaire" in page
        assert page.index("Déposée") < page.index("Prise en charge")  # the history, in order
        refused = client.get(f"/t/{slug}/einvoicing/?status=210").content.decode()
        approved = client.get(f"/t/{slug}/einvoicing/?status=205").content.decode()
        cockpit = client.get(f"/t/{slug}/billing/?month=2026-10").content.decode()
    assert invoice.number in refused and invoice.number not in approved
    assert 'data-testid="einvoicing-cockpit"' in cockpit and "1 refusée" in cockpit
