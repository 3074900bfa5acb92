"""Reads of e-invoicing, scoped to the firm, with the columns shown and a constant query count."""

from __future__ import annotations

from django.db.models import Count

from .models import EReport, PlatformCall, StatusEvent, Submission
from .statuses import DISPUTED, Lifecycle

PAGE = 100


def invoice_tracking(invoice_id) -> dict:
    """Everything the invoice page shows about the platform: the submission, its history, the
    e-reports (three queries)."""
    submission = Submission.objects.filter(invoice_id=invoice_id).first()
    events = list(
        StatusEvent.objects.filter(invoice_id=invoice_id)
        .order_by("occurred_at", "created_at")
        .values("code", "occurred_at", "reason_code", "reason", "source")
    )
    reports = list(
        EReport.objects.filter(invoice_id=invoice_id)
        .order_by("created_at")
        .values("id", "kind", "state", "attempts", "last_error", "next_attempt_at", "sent_at", "payload")
    )
    return {"submission": submission, "events": events, "reports": reports}


def submissions(status: str = "", state: str = ""):
    rows = Submission.objects.all()
    if status:
        rows = rows.filter(status=status)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at").values(
        "invoice_id", "invoice__number", "invoice__buyer", "invoice__total_gross", "invoice__currency", "channel",
        "state", "platform_id", "status", "status_at", "status_reason", "last_error", "next_attempt_at", "attempts",
    )[:PAGE]


def status_counts() -> dict:
    return dict(Submission.objects.exclude(status="").values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def cockpit_summary() -> dict:
    """The counts the cockpit shows: what needs the ADV (rejected, refused, disputed, failed)."""
    counts = status_counts()
    failed = Submission.objects.filter(state="failed").count()
    return {
        "rejected": counts.get(Lifecycle.REJETEE, 0),
        "refused": counts.get(Lifecycle.REFUSEE, 0),
        "disputed": sum(counts.get(code, 0) for code in DISPUTED),
        "failed": failed,
        "total": sum(counts.values()),
    }


def reports(state: str = ""):
    rows = EReport.objects.all()
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at").values(
        "id", "kind", "state", "attempts", "last_error", "next_attempt_at", "sent_at", "invoice_id", "invoice__number",
        "payload",
    )[:PAGE]


def recent_calls(limit: int = 20):
    return PlatformCall.objects.order_by("-started_at").values(
        "connector", "operation", "request_id", "started_at", "duration_ms", "outcome", "http_status",
        "payload_sha256", "error",
    )[:limit]
