"""Lifecycle statuses received from the platforms (polled on a schedule, or pushed to the signed
webhook): stored in order on the invoice's submission, and acted on.

- rejetée (the platform refused the file): the ADV in charge is told, with the platform's errors;
- refusée (the client refused it): the ADV is told, the invoice page proposes the credit note;
- en litige / suspendue: the ADV is told and `invoice_disputed` is sent (dunning pauses), and sent
  again with disputed=False when a later status ends the dispute;
- encaissée: the payment is recorded if it is not there yet;
- a status for a flow we never submitted is logged and ignored.
"""

from __future__ import annotations

import contextvars
import datetime
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from adv.tenancy import roles
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from billing import signals as billing_signals
from billing.models import OPEN_STATUSES, Invoice, InvoiceKind

from . import connectors, statuses
from .account import account
from .models import PlatformAccount, StatusEvent, StatusSource, Submission
from .statuses import Lifecycle

logger = logging.getLogger(__name__)
# Set while a payment reported by the platform is recorded: it is not reported back to it.
from_platform = contextvars.ContextVar("einvoicing_from_platform", default=False)


def statuses_fetch() -> dict:
    """Poll the firm's platforms for statuses since the last event seen; returns counts."""
    from .sending import connector_for

    settings = account()
    counts = {"applied": 0, "duplicate": 0, "unknown": 0, "ignored": 0}
    if settings.pk is None:
        return counts
    since = settings.statuses_fetched_until
    latest = since
    for channel in ("xp_z12_013", "chorus_pro"):
        connector = connector_for(channel, settings)
        if connector is None:
            continue
        for update in connector.fetch_statuses(since):
            outcome = status_apply(update, source=StatusSource.POLL)
            counts[outcome] = counts.get(outcome, 0) + 1
            if latest is None or update.occurred_at > latest:
                latest = update.occurred_at
        if channel == "chorus_pro":
            _chorus_flow_reports(connector)
    if latest != since:
        PlatformAccount.objects.filter(pk=settings.pk).update(statuses_fetched_until=latest)
    return counts


def _chorus_flow_reports(connector) -> None:
    """Chorus Pro rejects a flow in its integration report, not in the invoice's status."""
    from .chorus_reports import flow_reports_check

    flow_reports_check(connector)


def status_apply(update: connectors.StatusUpdate, *, source: str) -> str:
    """Store one status and act on it. Returns "applied", "duplicate", "unknown" or "ignored"."""
    if update.code not in statuses.CODES:
        logger.warning("E-invoicing: unknown status code %r for flow %s ignored", update.code, update.flow_id)
        return "ignored"
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("invoice__client", "invoice__issued_by", "invoice__tenant")
            .filter(platform_id=update.flow_id)
            .first()
        )
        if submission is None and update.tracking_id:
            submission = (
                Submission.objects.select_for_update(of=("self",))
                .select_related("invoice__client", "invoice__issued_by", "invoice__tenant")
                .filter(tracking_id=update.tracking_id)
                .first()
            )
        if submission is None:
            logger.warning("E-invoicing: status %s for unknown flow %s ignored", update.code, update.flow_id)
            return "unknown"
        if StatusEvent.objects.filter(event_id=update.event_id).exists():
            return "duplicate"
        try:
            with transaction.atomic():
                StatusEvent.objects.create(
                    submission=submission,
                    invoice_id=submission.invoice_id,
                    code=update.code,
                    occurred_at=update.occurred_at,
                    reason_code=update.reason_code[:40],
                    reason=(update.reason or "; ".join(str(e.get("message", e)) for e in update.errors))[:500],
                    event_id=update.event_id[:100],
                    source=source,
                )
        except IntegrityError:  # the webhook and the poll delivered it at the same time
            return "duplicate"
        previous = submission.status
        if submission.status_at is None or update.occurred_at >= submission.status_at:
            submission.status = update.code
            submission.status_at = update.occurred_at
            submission.status_reason = (update.reason or "")[:500]
            if update.code == Lifecycle.REJETEE:
                submission.errors = update.errors or [{"code": update.reason_code, "message": update.reason}]
            submission.save(update_fields=["status", "status_at", "status_reason", "errors", "updated_at"])
            _act(submission, update, previous)
    return "applied"


def _act(submission: Submission, update: connectors.StatusUpdate, previous: str) -> None:
    from .sending import _tell

    invoice = submission.invoice
    reason = update.reason or ""
    billing_signals.invoice_status_changed.send(
        sender=Invoice, invoice_id=str(invoice.pk), status=update.code, previous=previous or "", reason=reason
    )
    if update.code in (Lifecycle.REJETEE, Lifecycle.REFUSEE, Lifecycle.EN_LITIGE, Lifecycle.SUSPENDUE):
        errors = "; ".join(str(e.get("message", e)) for e in (update.errors or []))
        _tell(invoice, "einvoicing.status_alert", {
            "number": invoice.number, "client_name": (invoice.buyer or {}).get("name", str(invoice.client)),
            "status": statuses.label(update.code), "reason": " ".join(x for x in (reason, errors) if x),
        })
    if update.code in statuses.DISPUTED and previous not in statuses.DISPUTED:
        billing_signals.invoice_disputed.send(sender=Invoice, invoice_id=str(invoice.pk), disputed=True, reason=reason,
                                              source="platform")
    elif previous in statuses.DISPUTED and update.code in statuses.DISPUTE_ENDED:
        billing_signals.invoice_disputed.send(sender=Invoice, invoice_id=str(invoice.pk), disputed=False,
                                              reason=reason, source="platform")
    if update.code == Lifecycle.ENCAISSEE:
        _record_collected(invoice, update)


def _payment_actor(invoice: Invoice) -> Membership | None:
    """Who the payment is recorded for: the invoice's issuer, the client's ADV, else an admin."""
    for member in (invoice.issued_by, getattr(invoice.client, "adv_owner", None)):
        if member is not None and member.is_active and member.role in roles.ADV_ROLES:
            return member
    return Membership.objects.filter(is_active=True, role__in=list(roles.ADV_ROLES)).order_by("created_at").first()


def _record_collected(invoice: Invoice, update: connectors.StatusUpdate) -> None:
    """"Encaissée": the amount collected so far per the platform (all of it when it gives none);
    what our payments do not cover yet is recorded."""
    from billing import services as billing_services

    invoice = Invoice.objects.get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in OPEN_STATUSES or invoice.balance <= 0:
        return
    collected = update.amount if update.amount is not None else invoice.total_gross - invoice.amount_credited
    missing = min(collected - invoice.amount_paid, invoice.balance)
    if missing <= Decimal("0"):
        return
    actor = _payment_actor(invoice)
    if actor is None:
        logger.warning("E-invoicing: nobody may record the payment of %s", invoice.number)
        return
    paid_on = update.paid_on or timezone.localdate(update.occurred_at)
    paid_on = min(paid_on, timezone.localdate() + datetime.timedelta(days=1))
    token = from_platform.set(True)
    try:
        with transaction.atomic():
            billing_services.payment_record(
                actor=actor, invoice=invoice, amount=missing, paid_on=paid_on,
                reference=f"Plateforme : encaissée ({update.flow_id})",
            )
    except DomainError as exc:
        logger.warning("E-invoicing: payment of %s from the platform not recorded: %s", invoice.number, exc)
    finally:
        from_platform.reset(token)
