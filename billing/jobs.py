"""Long billing actions run by the workers: issuing or sending many invoices (`BillingJob`).

Starting writes the job (the invoices in their final order) and queues one task after commit, so
the request answers at once. The task works through the list in batches of `BATCH_SIZE`; each
batch is one transaction that locks the job row, issues (or sends) its invoices and moves the job's
`position` past them. Consequences:

- numbers are still taken by `services.invoices_issue` under the counter lock, batch after batch,
  in the job's order (the client's name, then the draft's age), without gap;
- a retried or duplicated task resumes after the last committed batch: nothing is issued or sent
  twice (a worker killed mid-batch rolls the batch back, numbers included);
- after each batch the creator's open pages are nudged over the live channel
  (`notifications.live.push_page_event`) and read the progress themselves.

Refused invoices are kept with their reasons (`errors`) and listed when the job ends. A send waits
for the PDFs of the invoices at the head of its list (rendered after issuing) a bounded time.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from notifications.live import push_page_event_on_commit

from . import access, services
from .errors import BillingErrorCode
from .models import BillingJob, Invoice, InvoiceStatus, JobKind, JobStatus, RenderStatus

BATCH_SIZE = getattr(settings, "BILLING_JOB_BATCH_SIZE", 25)
# A send waits for PDFs still rendering: at most this many passes (the task retries every few seconds).
MAX_WAITS = 60
LIVE_EVENT = "billing.job"


def _dispatch(job: BillingJob) -> None:
    from .tasks import run_job

    send_task_on_commit(run_job, str(require_tenant_id()), str(job.pk), recovery="the job stays running: resume it")


def _ordered_drafts(ids: list[str]) -> list[str]:
    """The issue order of `invoices_issue` (client name, then age), over the whole job; unknown ids last
    (they are refused with their reason)."""
    known = list(
        Invoice.objects.filter(pk__in=ids)
        .order_by("client__legal_name", "created_at", "id")
        .values_list("pk", flat=True)
    )
    ordered = [str(pk) for pk in known]
    seen = set(ordered)
    return ordered + [pk for pk in ids if pk not in seen]


def _ordered_issued(ids: list[str]) -> list[str]:
    order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField())
    known = [str(pk) for pk in Invoice.objects.filter(pk__in=ids).order_by(order).values_list("pk", flat=True)]
    seen = set(known)
    return known + [pk for pk in ids if pk not in seen]


@transaction.atomic
def job_issue_start(
    *,
    actor: Membership,
    invoice_ids,
    issue_date: datetime.date | None = None,
    month: datetime.date | None = None,
    refused: dict | None = None,
) -> BillingJob:
    """Issue these pre-invoices in the background. What can be refused at once is (a date in the future
    or before the series' last one); each invoice's own refusals come at the end of the job."""
    access.require_bill(actor)
    issue_date = issue_date or timezone.localdate()
    if issue_date > timezone.localdate():
        raise DomainError(
            _("La date de facture ne peut pas être dans le futur."),
            code=BillingErrorCode.ISSUE_DATE_FUTURE,
            field="issue_date",
        )
    # Checked again under the counter lock by each batch; here it answers the request at once.
    services.require_chronological(issue_date, exclude=[])
    refused = refused or {}
    ids = _ordered_drafts([pk for pk in dict.fromkeys(str(pk) for pk in invoice_ids) if pk not in refused])
    return _create(JobKind.ISSUE, actor, ids, refused, month=month, issue_date=issue_date)


def _create(kind: str, actor: Membership, ids: list[str], refused: dict, **fields) -> BillingJob:
    """The job, with the ids refused before it starts (unknown to the caller) already counted."""
    job = BillingJob.objects.create(
        kind=kind,
        created_by=actor,
        invoice_ids=ids,
        errors=refused,
        failed_count=len(refused),
        total=len(ids) + len(refused),
        status=JobStatus.RUNNING if ids else JobStatus.DONE,
        finished_at=None if ids else timezone.now(),
        **fields,
    )
    if ids:
        _dispatch(job)
    return job


@transaction.atomic
def job_send_start(
    *, actor: Membership, invoice_ids, month: datetime.date | None = None, refused: dict | None = None
) -> BillingJob:
    """Send these issued invoices (email, through the outbox) in the background."""
    access.require_bill(actor)
    refused = refused or {}
    ids = _ordered_issued([pk for pk in dict.fromkeys(str(pk) for pk in invoice_ids) if pk not in refused])
    return _create(JobKind.SEND, actor, ids, refused, month=month)


@transaction.atomic
def job_resume(*, actor: Membership, job: BillingJob) -> BillingJob:
    """Queue a job's task again (a lost task, a broker that was away): it goes on after the last batch."""
    access.require_bill(actor)
    job = BillingJob.objects.select_for_update().get(pk=job.pk)
    if job.status == JobStatus.RUNNING:
        _dispatch(job)
    return job


def _payload(job: BillingJob) -> dict:
    return {
        "kind": LIVE_EVENT,
        "job": str(job.pk),
        "status": job.status,
        "done": job.done_count,
        "failed": job.failed_count,
        "total": job.total,
    }


def _finish(job: BillingJob, status: str = JobStatus.DONE, error: str = "") -> None:
    job.status, job.error, job.finished_at = status, error[:2000], timezone.now()


def _issue_batch(job: BillingJob, batch: list[str], actor: Membership) -> None:
    try:
        with transaction.atomic():
            result = services.invoices_issue(actor=actor, invoice_ids=batch, issue_date=job.issue_date)
    except DomainError as error:
        # The whole batch is refused (the date is now before the series' last one, rights withdrawn):
        # so is the rest of the job, with the same reason.
        rest = job.invoice_ids[job.position :]
        job.errors.update({pk: [str(error.message)] for pk in rest})
        job.failed_count += len(rest)
        job.position = len(job.invoice_ids)
        _finish(job, JobStatus.FAILED, str(error.message))
        return
    job.succeeded += [str(invoice.pk) for invoice in result.issued]
    job.errors.update({pk: [str(r) for r in reasons] for pk, reasons in result.refused.items()})
    job.done_count += len(result.issued)
    job.failed_count += len(result.refused)


def _pdfs_pending(batch: list[str]) -> bool:
    return Invoice.objects.filter(pk__in=batch, number__isnull=False, render_status=RenderStatus.PENDING).exists()


def _send_batch(job: BillingJob, batch: list[str], actor: Membership) -> None:
    invoices = {str(i.pk): i for i in Invoice.objects.filter(pk__in=batch)}
    for pk in batch:
        invoice = invoices.get(pk)
        if invoice is None:
            job.errors[pk] = [_("Facture introuvable.")]
            job.failed_count += 1
            continue
        if invoice.status != InvoiceStatus.ISSUED:
            reason = (
                _("Déjà envoyée.")
                if invoice.status in (InvoiceStatus.SENT, InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID)
                else _("Pas encore émise.")
                if invoice.is_draft
                else _("Cette facture n'est pas à envoyer.")
            )
            job.errors[pk] = [reason]
            job.failed_count += 1
            continue
        try:
            with transaction.atomic():
                services.invoice_send(actor=actor, invoice=invoice)
        except DomainError as error:
            job.errors[pk] = [str(error.message)]
            job.failed_count += 1
        else:
            job.succeeded.append(pk)
            job.done_count += 1


def job_step(job_id) -> str:
    """One batch of the job, in one transaction. Returns `more`, `wait` (a send whose PDFs are not
    ready yet: try again in a moment), `done`, `busy` (another worker holds the job) or `gone`."""
    with transaction.atomic():
        job = BillingJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None:
            return "busy" if BillingJob.objects.filter(pk=job_id).exists() else "gone"
        if job.status != JobStatus.RUNNING:
            return "done"
        batch = job.invoice_ids[job.position : job.position + BATCH_SIZE]
        actor = Membership.objects.filter(pk=job.created_by_id).select_related("user").first()
        if batch and actor is None:
            _finish(job, JobStatus.FAILED, _("La personne qui a lancé ce traitement n'est plus membre."))
        elif batch and job.kind == JobKind.SEND and job.waits < MAX_WAITS and _pdfs_pending(batch):
            job.waits += 1
            job.save(update_fields=["waits", "updated_at"])
            return "wait"
        elif batch and job.kind == JobKind.ISSUE:
            _issue_batch(job, batch, actor)
        elif batch:
            _send_batch(job, batch, actor)
        if job.status == JobStatus.RUNNING:
            job.position += len(batch)
            if job.position >= len(job.invoice_ids):
                _finish(job)
        job.save()
        push_page_event_on_commit(actor.user_id if actor else None, _payload(job))
        return "more" if job.status == JobStatus.RUNNING else "done"


def job_run(job_id) -> str:
    """Every batch left, one transaction each (the task's body); stops at a wait or when another
    worker holds the job."""
    while True:
        outcome = job_step(job_id)
        if outcome != "more":
            return outcome


@transaction.atomic
def job_failed(job_id, error: str) -> None:
    """The task gave up (its retries are spent): the job is shown failed, with what is done kept."""
    job = BillingJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status != JobStatus.RUNNING:
        return
    _finish(job, JobStatus.FAILED, error)
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    creator = Membership.objects.filter(pk=job.created_by_id).values_list("user_id", flat=True).first()
    push_page_event_on_commit(creator, _payload(job))


def job_run_now(job: BillingJob) -> BillingJob:
    """The whole job in this process (commands, tests, benchmarks): nothing goes to the broker."""
    job_run(job.pk)
    job.refresh_from_db()
    return job


def rendered_count(job: BillingJob) -> int:
    """How many of the job's issued invoices have their PDF (rendering follows issuing)."""
    if job.kind != JobKind.ISSUE or not job.succeeded:
        return 0
    return Invoice.objects.filter(pk__in=job.succeeded, render_status=RenderStatus.DONE).count()
