"""Celery entry points of billing: thin, idempotent, in the tenant's context."""

from __future__ import annotations

import datetime

from celery import shared_task

from adv.broker import send_task
from adv.tenancy.tasks import fan_out, jittered, tenant_task

from .escalation import escalate_due
from .figures import months_refresh
from .rendering import render_failed, render_stored, stalled_renders
from .runs import chunk_build, chunk_failed
from .services import pre_invoices_refresh

BUSY_RETRIES = 30  # a chunk held by another worker: about an hour of tries with backoff


@tenant_task(bind=True)
def build_chunk(self, tenant_id, chunk_id) -> str:
    try:
        outcome = chunk_build(chunk_id)
    except Exception as exc:
        chunk_failed(chunk_id, f"{type(exc).__name__}: {exc}", final=self.request.retries >= self.max_retries)
        raise
    if outcome == "busy":
        # Another worker holds this chunk (a duplicate dispatch, a resume): try again later, so that
        # the chunk is never dropped if that worker dies before committing it.
        raise self.retry(countdown=jittered(min(5 * 2**self.request.retries, 120)), max_retries=BUSY_RETRIES)
    return outcome


@tenant_task()
def refresh_drafts(tenant_id, groups) -> int:
    """Refresh the drafts of these [month ISO, deal id] groups (billing.refresh)."""
    return pre_invoices_refresh(groups=[tuple(g) for g in groups])


@tenant_task()
def refresh_month_expected(tenant_id, months=None) -> int:
    """Recompute the stored expected figures of these months (ISO dates; None: every stored month
    is marked stale, the recent ones recomputed). billing.figures."""
    return months_refresh(None if months is None else [datetime.date.fromisoformat(m) for m in months])


@tenant_task(bind=True)
def render_invoice(self, tenant_id, invoice_id) -> str:
    try:
        return render_stored(invoice_id)
    except Exception as exc:
        render_failed(invoice_id, f"{type(exc).__name__}: {exc}", final=self.request.retries >= self.max_retries)
        raise


@shared_task(acks_late=True)
def render_sweep_all() -> int:
    """Fan out the sweep of stalled renders to one task per active firm (beat, every 5 minutes)."""
    return fan_out(render_sweep)


@tenant_task()
def render_sweep(tenant_id) -> int:
    """Queue again the renders whose task was lost (rendering.STALLED_AFTER); returns how many."""
    return sum(
        send_task(render_invoice, tenant_id, str(pk), recovery="the next sweep tries again")
        for pk in stalled_renders()
    )


@shared_task(acks_late=True)
def escalations_all() -> int:
    """Fan out the billing-close escalation to one task per active firm (beat, hourly)."""
    return fan_out(escalate)


@tenant_task()
def escalate(tenant_id) -> int:
    return escalate_due()


JOB_WAIT_SECONDS = 5  # a send job waiting for PDFs tries again after this


@tenant_task(bind=True)
def run_job(self, tenant_id, job_id) -> str:
    """Work through a bulk issue or send (billing.jobs), batch after batch; safe to run twice."""
    from .jobs import job_failed, job_run

    try:
        outcome = job_run(job_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            job_failed(job_id, f"{type(exc).__name__}: {exc}")
        raise
    if outcome == "busy":
        raise self.retry(countdown=jittered(min(5 * 2**self.request.retries, 120)), max_retries=BUSY_RETRIES)
    if outcome == "wait":
        raise self.retry(countdown=JOB_WAIT_SECONDS, max_retries=None)
    return outcome
