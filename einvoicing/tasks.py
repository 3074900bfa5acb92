"""Celery entry points of e-invoicing: thin, idempotent, in the firm's context."""

from __future__ import annotations

from celery import shared_task

from adv.broker import send_task
from adv.tenancy.tasks import fan_out, tenant_task

from . import connectors


@tenant_task(bind=True, autoretry_for=(connectors.PlatformError,), max_retries=8, retry_backoff=60,
             retry_backoff_max=7200)
def submit_invoice(self, tenant_id, submission_id) -> str:
    from .sending import submission_attempt

    outcome = submission_attempt(submission_id)
    if outcome == "waiting":  # the PDF is being rendered
        raise self.retry(countdown=30, max_retries=40)
    return outcome


@tenant_task(autoretry_for=(connectors.PlatformError,), max_retries=8, retry_backoff=60, retry_backoff_max=7200)
def send_report(tenant_id, report_id) -> str:
    from .reporting import report_send

    return report_send(report_id)


@tenant_task(autoretry_for=(connectors.PlatformError,), max_retries=3, retry_backoff=30)
def directory_lookup(tenant_id, client_id) -> str:
    from .directory import client_lookup

    entry = client_lookup(client_id)
    return "none" if entry is None else ("found" if entry.found else "missing")


@tenant_task(autoretry_for=(), max_retries=0)
def fetch_statuses(tenant_id) -> dict:
    """Poll the firm's platforms, then queue what is due (retries a broker outage dropped)."""
    from .lifecycle import statuses_fetch
    from .sending import due_reports, due_submissions

    try:
        counts = statuses_fetch()
    except connectors.PlatformError as exc:
        counts = {"error": exc.message}
    for submission_id in due_submissions():
        send_task(submit_invoice, tenant_id, submission_id, recovery="the next sweep")
    for report_id in due_reports():
        send_task(send_report, tenant_id, report_id, recovery="the next sweep")
    from .suppliers import due_supplier_statuses, supplier_invoices_fetch

    try:
        counts["suppliers"] = supplier_invoices_fetch()
    except connectors.PlatformError as exc:
        counts["suppliers"] = {"error": exc.message}
    for invoice_id in due_supplier_statuses():
        send_task(send_supplier_status, tenant_id, invoice_id, recovery="the next sweep")
    return counts


@tenant_task(autoretry_for=(connectors.PlatformError,), max_retries=8, retry_backoff=60, retry_backoff_max=7200)
def send_supplier_status(tenant_id, invoice_id) -> str:
    """The firm's decision on a supplier invoice, sent back to the platform."""
    from .suppliers import supplier_status_send

    return supplier_status_send(invoice_id)


@shared_task
def fetch_statuses_all() -> int:
    """Beat: every firm's statuses and due retries, one task per firm."""
    return fan_out(fetch_statuses)


