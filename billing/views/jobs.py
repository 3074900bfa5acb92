"""A bulk issue or send running in the workers (billing/jobs.py), as a panel of the cockpit: its
progress while it runs (refreshed when the live channel says a batch is done, and slowly polled in
case the nudge is lost), then what was issued or sent and what was refused, with the reasons.

Anyone who reads billing sees a job of the firm; starting, resuming and sending need the right to bill.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from adv.tenancy import errors as domain
from adv.ui.pages import is_partial, raise_http

from .. import access, jobs
from ..models import BillingJob, Invoice, JobKind, JobStatus
from .helpers import readers, require_bill

# Issued invoices listed by name in the finished panel; beyond, a count and the invoices list.
LISTED = 50
# A job with no batch done for this long may have lost its task (a broker outage): offer to resume.
STALLED_AFTER = datetime.timedelta(minutes=2)


def job_or_404(pk) -> BillingJob:
    try:
        job = BillingJob.objects.filter(pk=pk).first()
    except (ValidationError, ValueError):
        job = None
    if job is None:
        raise Http404(_("Ce traitement n'existe pas."))
    return job


def job_url(tenant_slug: str, job: BillingJob) -> str:
    return reverse("billing:job", kwargs={"tenant_slug": tenant_slug, "pk": job.pk})


def _cockpit_with_job(tenant_slug: str, job: BillingJob) -> str:
    url = reverse("billing:cockpit", kwargs={"tenant_slug": tenant_slug})
    month = f"month={job.month:%Y-%m}&" if job.month else ""
    return f"{url}?{month}job={job.pk}"


def job_context(request, job: BillingJob) -> dict:
    """The panel's context: a few queries whatever the job's size (names of the listed rows only)."""
    tenant_slug = request.tenant.slug
    finished = job.status != JobStatus.RUNNING
    listed, refused = [], []
    if finished:
        shown = job.succeeded[:LISTED]
        rows = {
            str(row["pk"]): row
            for row in Invoice.objects.filter(pk__in=shown + list(job.errors)).values(
                "pk", "number", "client__legal_name", "client__trade_name", "status"
            )
        }

        def name(pk):
            row = rows.get(pk)
            return (row["client__trade_name"] or row["client__legal_name"]) if row else ""

        for pk in shown:
            if pk in rows:
                listed.append(
                    {
                        "number": rows[pk]["number"],
                        "client": name(pk),
                        "url": reverse("billing:invoice", kwargs={"tenant_slug": tenant_slug, "pk": pk}),
                    }
                )
        for pk, reasons in job.errors.items():
            row = rows.get(pk)
            url = ""
            if row is not None:
                target = "billing:pre_invoice" if row["status"] == "draft" else "billing:invoice"
                url = reverse(target, kwargs={"tenant_slug": tenant_slug, "pk": pk})
            refused.append({"client": name(pk) or _("Introuvable"), "reasons": reasons, "url": url})
    stalled = not finished and timezone.now() - job.updated_at > STALLED_AFTER
    unsent = (
        finished
        and job.kind == JobKind.ISSUE
        and bool(job.succeeded)
        and not BillingJob.objects.filter(kind=JobKind.SEND, invoice_ids__contains=job.succeeded[:1]).exists()
    )
    return {
        "job": job,
        "job_url": job_url(tenant_slug, job),
        "finished": finished,
        "rendered": jobs.rendered_count(job),
        "listed": listed,
        "more": max(0, len(job.succeeded) - len(listed)),
        "refused": refused,
        "stalled": stalled,
        "can_send": unsent and access.can_bill(request.membership),
        "can_bill": access.can_bill(request.membership),
    }


@readers
@require_GET
@never_cache
def job_progress(request, tenant_slug, pk):
    job = job_or_404(pk)
    if not is_partial(request):
        return redirect(_cockpit_with_job(tenant_slug, job))
    response = render(request, "billing/_job_progress.html", job_context(request, job))
    if job.status != JobStatus.RUNNING and request.GET.get("was") == JobStatus.RUNNING and job.kind == JobKind.ISSUE:
        # The issue has just ended: the table below must lose the issued rows. The page reloads on the
        # same address (`?job=`), which shows this panel again.
        response["HX-Refresh"] = "true"
    return response


@readers
@require_POST
def job_send(request, tenant_slug, pk):
    """Send what an issue job issued (the button of its finished panel)."""
    require_bill(request)
    issued = job_or_404(pk)
    try:
        job = jobs.job_send_start(actor=request.membership, invoice_ids=issued.succeeded, month=issued.month)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return redirect(_cockpit_with_job(tenant_slug, issued))
    return redirect(_cockpit_with_job(tenant_slug, job))


@readers
@require_POST
def job_resume(request, tenant_slug, pk):
    require_bill(request)
    job = job_or_404(pk)
    try:
        job = jobs.job_resume(actor=request.membership, job=job)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    return redirect(_cockpit_with_job(tenant_slug, job))
