"""Submitting issued invoices to the platform: one Submission per invoice, created when it is
issued, attempted by a Celery task after commit and retried with backoff.

Idempotency: the submission's tracking id is sent as the platform's idempotency key, and a retry
first asks the platform whether a flow already exists for it (an answer lost to a timeout after the
platform created the flow), so a retry never creates a second flow.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.errors import Conflict
from adv.tenancy.models import Membership
from billing import signals as billing_signals
from billing.models import Invoice, InvoiceStatus, RenderStatus

from . import access, connectors, routing
from .account import account
from .errors import EinvoicingErrorCode
from .models import DirectoryEntry, EReport, Submission, SubmissionState

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8… minutes, at most 2 hours."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


def invoices_route(invoice_ids) -> list[str]:
    """For invoices just issued: a pending submission for each one reached through a platform, a
    transaction report for each non-domestic sale; their tasks are queued after commit. Returns the
    submission ids."""
    settings = account()
    created = []
    invoices = Invoice.objects.filter(pk__in=list(invoice_ids), number__isnull=False).select_related(
        "client__billing_profile"
    )
    for invoice in invoices:
        channel = routing.channel_for(invoice.client, settings)
        if channel is not None:
            submission, made = Submission.objects.get_or_create(
                invoice=invoice, defaults={"channel": channel, "tracking_id": uuid.uuid4().hex}
            )
            if made:
                created.append(str(submission.pk))
                _queue(submission)
        elif routing.reports_transactions(invoice.client, settings):
            from .reporting import transaction_report_create

            transaction_report_create(invoice)
    return created


def _queue(submission: Submission, countdown: int = 0) -> None:
    from .tasks import submit_invoice

    send_task_on_commit(submit_invoice, str(submission.tenant_id), str(submission.pk),
                        recovery="the e-invoicing sweep retries due submissions")


def flow_of(invoice: Invoice, submission: Submission) -> connectors.OutgoingFlow:
    with default_storage.open(invoice.pdf_file.name, "rb") as handle:
        content = handle.read()
    entry = DirectoryEntry.objects.filter(client_id=invoice.client_id).only("routing_address").first()
    buyer = invoice.buyer or {}
    profile = getattr(invoice.client, "billing_profile", None)
    return connectors.OutgoingFlow(
        tracking_id=submission.tracking_id,
        number=invoice.number,
        filename=f"{submission.tracking_id}.pdf",
        content=content,
        buyer_siren=buyer.get("siren", ""),
        buyer_siret=buyer.get("siret", ""),
        routing_address=entry.routing_address if entry else "",
        is_credit_note=invoice.is_credit_note,
        engagement_number=invoice.engagement_number,
        service_code=invoice.service_code or (profile.chorus_service_code if profile else ""),
    )


def connector_for(channel: str, settings=None) -> connectors.Connector | None:
    settings = settings or account()
    if channel == routing.CHORUS_PRO:
        return connectors.chorus_for(settings)
    connector = connectors.platform_for(settings)
    return connector if connector.automatic else None


def submission_attempt(submission_id) -> str:
    """One attempt at handing the invoice to its platform. Returns "submitted", "already",
    "waiting" (its PDF is not rendered yet), "missing"; raises PlatformError when a retry is due
    (the attempt is recorded first)."""
    submission = Submission.objects.select_related("invoice__client__billing_profile").filter(pk=submission_id).first()
    if submission is None:
        return "missing"
    if submission.state == SubmissionState.SUBMITTED:
        return "already"
    invoice = submission.invoice
    if invoice.render_status != RenderStatus.DONE or not invoice.pdf_file:
        return "waiting"
    connector = connector_for(submission.channel)
    if connector is None:
        _failed(submission.pk, _("Aucune plateforme configurée pour ce client."), final=True)
        return "failed"
    try:
        flow_id = connector.find(submission.tracking_id) if submission.attempts else None
        if not flow_id:
            flow_id = connector.submit(flow_of(invoice, submission))
    except connectors.PlatformError as exc:
        final = not exc.retryable or submission.attempts + 1 >= MAX_ATTEMPTS
        _failed(submission.pk, exc.message, final=final, errors=exc.errors)
        if final:
            return "failed"
        raise
    _submitted(submission.pk, flow_id)
    return "submitted"


@transaction.atomic
def _failed(submission_id, error: str, *, final: bool, errors=None) -> None:
    submission = Submission.objects.select_for_update().select_related("invoice").get(pk=submission_id)
    if submission.state == SubmissionState.SUBMITTED:
        return
    submission.attempts += 1
    submission.last_error = error[:2000]
    submission.errors = errors or submission.errors
    now = timezone.now()
    submission.next_attempt_at = None if final else now + retry_delay(submission.attempts)
    submission.state = SubmissionState.FAILED if final else SubmissionState.PENDING
    submission.save(update_fields=["attempts", "last_error", "errors", "next_attempt_at", "state", "updated_at"])
    if final:
        _tell(submission.invoice, "einvoicing.submission_failed", {"number": submission.invoice.number, "error": error[:300]})


@transaction.atomic
def _submitted(submission_id, flow_id: str) -> None:
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    if submission.state == SubmissionState.SUBMITTED:
        return
    now = timezone.now()
    submission.state = SubmissionState.SUBMITTED
    submission.platform_id = flow_id[:100]
    submission.attempts += 1
    submission.submitted_at = now
    submission.next_attempt_at = None
    submission.last_error = ""
    submission.save()
    invoice = Invoice.objects.select_for_update().get(pk=submission.invoice_id)
    invoice.deposited_at = now
    invoice.deposit_reference = flow_id[:100]
    if invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.SENT
    invoice.sent_at = invoice.sent_at or now
    invoice.save(update_fields=["deposited_at", "deposit_reference", "status", "sent_at", "updated_at"])
    billing_signals.invoice_sent.send(sender=Invoice, invoice_id=str(invoice.pk), actor_id=None, channel="platform")


def _tell(invoice: Invoice, event: str, context: dict) -> None:
    from notifications.services import notify

    recipients = [m for m in (invoice.issued_by, getattr(invoice.client, "adv_owner", None)) if m is not None]
    if recipients:
        notify(recipients=list({m.pk: m for m in recipients}.values()), event=event, target=invoice, context=context,
               url=reverse("billing:invoice", kwargs={"tenant_slug": invoice.tenant.slug, "pk": invoice.pk}))


@transaction.atomic
def submission_retry(*, actor: Membership, invoice: Invoice) -> Submission:
    """A person asks for another attempt at a submission that failed."""
    access.require_manage(actor)
    submission = Submission.objects.select_for_update().filter(invoice_id=invoice.pk).first()
    if submission is None or submission.state == SubmissionState.SUBMITTED:
        raise Conflict(_("Cette facture n'a pas de transmission en échec."), code=EinvoicingErrorCode.NOT_RETRYABLE)
    submission.state = SubmissionState.PENDING
    submission.next_attempt_at = None
    submission.save(update_fields=["state", "next_attempt_at", "updated_at"])
    _queue(submission)
    return submission


def due_submissions(now=None) -> list[str]:
    """Pending submissions whose retry is due, or that wait for their PDF (the sweep queues them)."""
    now = now or timezone.now()
    return [
        str(pk)
        for pk in Submission.objects.filter(state=SubmissionState.PENDING)
        .exclude(next_attempt_at__gt=now)
        .values_list("pk", flat=True)[:500]
    ]


def due_reports(now=None) -> list[str]:
    now = now or timezone.now()
    return [
        str(pk)
        for pk in EReport.objects.filter(state="pending").exclude(next_attempt_at__gt=now).values_list("pk", flat=True)[:500]
    ]

