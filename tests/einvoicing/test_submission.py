"""Sending issued invoices through the platform (emulator): one flow per invoice, retries never
make a second one, faults leave the invoice issued with the failure shown."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from adv.tenancy.context import tenant_context
from billing.models import Invoice
from einvoicing import connectors, directory, lifecycle, sending
from einvoicing.models import DirectoryEntry, PlatformCall, Submission, SubmissionState
from tests.billing.support import OCTOBER

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def issued_helios(firm) -> Invoice:
    firm.build()
    draft = firm.draft_of(firm.helios)
    with tenant_context(firm.tenant):
        directory.client_lookup(firm.helios.pk)
    firm.build()
    firm.issue([firm.draft_of(firm.helios)])
    return firm.render(_reload(firm, draft.pk))


def _reload(firm, pk) -> Invoice:
    with tenant_context(firm.tenant):
        return Invoice.objects.get(pk=pk)


def submission_of(firm, invoice) -> Submission:
    with tenant_context(firm.tenant):
        return Submission.objects.get(invoice=invoice)


@time_machine.travel(NOW, tick=False)
def test_issuing_creates_one_submission_and_the_attempt_deposits_the_flow(platform_firm):
    invoice = issued_helios(platform_firm)
    submission = submission_of(platform_firm, invoice)
    assert submission.state == SubmissionState.PENDING and submission.channel == "xp_z12_013"
    with tenant_context(platform_firm.tenant):
        assert sending.submission_attempt(submission.pk) == "submitted"
        submission.refresh_from_db()
        invoice.refresh_from_db()
        assert submission.platform_id.startswith("FLW-")
        assert invoice.deposit_reference == submission.platform_id and invoice.status == "sent"
        assert sending.submission_attempt(submission.pk) == "already"
        calls = list(PlatformCall.objects.values_list("operation", "outcome"))
    assert ("submit", "ok") in calls
    assert len(platform_firm.emulator.flows) == 1


@time_machine.travel(NOW, tick=False)
def test_a_timeout_after_the_platform_took_the_flow_never_makes_a_second_one(platform_firm):
    invoice = issued_helios(platform_firm)
    submission = submission_of(platform_firm, invoice)
    platform_firm.emulator.transport.lose_next_answer = 1
    with tenant_context(platform_firm.tenant):
        with pytest.raises(connectors.PlatformError):
            sending.submission_attempt(submission.pk)
        submission.refresh_from_db()
        assert submission.state == SubmissionState.PENDING and submission.attempts == 1
        assert submission.next_attempt_at == NOW + datetime.timedelta(minutes=1)
        assert "pas répondu" in submission.last_error
        invoice.refresh_from_db()
        assert invoice.number and invoice.status == "issued"  # stays issued, number final
        assert sending.submission_attempt(submission.pk) == "submitted"
        submission.refresh_from_db()
        assert PlatformCall.objects.filter(operation="find", outcome="ok").exists()
    assert len(platform_firm.emulator.flows) == 1
    assert submission.platform_id == next(iter(platform_firm.emulator.flows))


@time_machine.travel(NOW, tick=False)
def test_a_platform_error_500_or_garbage_is_retried_later(platform_firm):
    invoice = issued_helios(platform_firm)
    submission = submission_of(platform_firm, invoice)
    platform_firm.emulator.faults[:] = ["error_500", "garbage"]
    with tenant_context(platform_firm.tenant):
        for _ in range(2):
            with pytest.raises(connectors.PlatformError) as raised:
                # the token call takes the first fault; the answer is retryable either way
                sending.submission_attempt(submission.pk)
            assert raised.value.retryable
        submission.refresh_from_db()
        assert submission.attempts == 2 and submission.state == SubmissionState.PENDING
        assert sending.submission_attempt(submission.pk) == "submitted"
    assert len(platform_firm.emulator.flows) == 1


@time_machine.travel(NOW, tick=False)
def test_wrong_credentials_fail_the_submission_for_good_and_tell_the_issuer(platform_firm):
    from notifications.models import Notification

    invoice = issued_helios(platform_firm)
    platform_firm.emulator.client_secret = "rotated"
    submission = submission_of(platform_firm, invoice)
    with tenant_context(platform_firm.tenant):
        assert sending.submission_attempt(submission.pk) == "failed"
        submission.refresh_from_db()
        assert submission.state == SubmissionState.FAILED and "Identifiants refusés" in submission.last_error
        assert Notification.objects.filter(event="einvoicing.submission_failed").exists()
    assert not platform_firm.emulator.flows


@time_machine.travel(NOW, tick=False)
def test_a_client_missing_from_the_directory_blocks_its_pre_invoice(platform_firm):
    from clients.models import Client

    with tenant_context(platform_firm.tenant):
        Client.objects.filter(pk=platform_firm.helios.pk).update(siren="552100554")
        directory.client_lookup(platform_firm.helios.pk)
        entry = DirectoryEntry.objects.get(client=platform_firm.helios)
        assert not entry.found
    platform_firm.build()
    draft = platform_firm.draft_of(platform_firm.helios)
    codes = {c["code"]: c for c in draft.checks}
    assert codes[directory.DIRECTORY_MISSING]["level"] == "blocked"
    assert codes[directory.DIRECTORY_MISSING]["fix"]["view"] == "clients:edit"
    assert draft.readiness == "blocked"


@time_machine.travel(NOW, tick=False)
def test_a_client_found_in_the_directory_has_its_routing_address_stored(platform_firm):
    with tenant_context(platform_firm.tenant):
        entry = directory.client_lookup(platform_firm.helios.pk)
    assert entry.found and entry.routing_address == f"0225:{platform_firm.helios.siren}"
    platform_firm.build()
    draft = platform_firm.draft_of(platform_firm.helios)
    assert not [c for c in draft.checks if c["code"].startswith("directory_")]


@time_machine.travel(NOW, tick=False)
def test_foreign_clients_are_not_submitted_but_reported_as_transactions(platform_firm):
    from einvoicing.models import EReport
    from einvoicing.reporting import report_send

    platform_firm.build()
    nova = platform_firm.draft_of(platform_firm.nova, OCTOBER)
    platform_firm.issue([nova])
    with tenant_context(platform_firm.tenant):
        assert not Submission.objects.filter(invoice=nova).exists()
        report = EReport.objects.get(invoice=nova, kind="transaction")
        assert report_send(report.pk) == "sent"
        report.refresh_from_db()
        assert report.state == "sent" and report.platform_id
    data = next(iter(platform_firm.emulator.reports.values()))["data"]
    assert data["buyerCountry"] == "DE" and data["vatRegime"] == "reverse_charge"


def test_unknown_flow_is_ignored(platform_firm):
    with tenant_context(platform_firm.tenant):
        outcome = lifecycle.status_apply(
            connectors.StatusUpdate(event_id="x", flow_id="FLW-NOPE", code="205", occurred_at=NOW), source="poll"
        )
    assert outcome == "unknown"
