"""Template tags that put e-invoicing on billing's pages with one include each: the invoice's
platform panel (status history, errors, retries, e-reports) and the cockpit's summary."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from .. import access, selectors, statuses
from ..account import account

register = template.Library()


@register.inclusion_tag("einvoicing/_invoice_panel.html", takes_context=True)
def einvoicing_invoice_panel(context, invoice):
    request = context.get("request")
    tracking = selectors.invoice_tracking(invoice.pk)
    submission = tracking["submission"]
    events = [{**e, "label": statuses.label(e["code"]), "tone": statuses.tone(e["code"])} for e in tracking["events"]]
    return {
        "invoice": invoice,
        "tenant": context.get("tenant") or getattr(context.get("request"), "tenant", None),
        "submission": submission,
        "status_label": statuses.label(submission.status) if submission and submission.status else "",
        "status_tone": statuses.tone(submission.status) if submission and submission.status else "secondary",
        "refused": bool(submission and submission.status == statuses.Lifecycle.REFUSEE),
        "rejected": bool(submission and submission.status == statuses.Lifecycle.REJETEE),
        "disputed": bool(submission and submission.status in statuses.DISPUTED),
        "events": events,
        "reports": [_readable(report) for report in tracking["reports"]],
        "can_manage": request is not None and access.can_manage(getattr(request, "membership", None)),
        "csrf_token": context.get("csrf_token"),
    }


def _readable(report: dict) -> dict:
    """A report with its payment's amount and date as values (the payload keeps them as text)."""
    payload = report.get("payload") or {}
    try:
        amount = Decimal(str(payload.get("amount"))) if payload.get("amount") is not None else None
        paid_on = datetime.date.fromisoformat(payload["paid_on"]) if payload.get("paid_on") else None
    except (ArithmeticError, ValueError):
        amount, paid_on = None, None
    return {**report, "amount": amount, "paid_on": paid_on}


@register.inclusion_tag("einvoicing/_cockpit_summary.html", takes_context=True)
def einvoicing_cockpit_summary(context):
    settings = account()
    return {
        "tenant": context.get("tenant") or getattr(context.get("request"), "tenant", None),
        "configured": settings.pk is not None and (settings.connector != "manual" or settings.chorus_enabled),
        "summary": selectors.cockpit_summary(),
    }


@register.filter
def lifecycle_label(code: str) -> str:
    return statuses.label(code) if code else ""


@register.filter
def lifecycle_tone(code: str) -> str:
    return statuses.tone(code) if code else "secondary"
