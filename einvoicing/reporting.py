"""E-reporting: every payment received on an invoice under French VAT (services are taxed on
receipts) is reported with its date and amount per VAT rate; each non-domestic sale goes into the
transactions e-reporting. One EReport row per payment / sale (keyed), sent by a task after commit,
retried with backoff; its state is shown on the invoice and on the e-reporting page."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.errors import Conflict
from billing.models import Invoice, Payment, VatRegime

from . import connectors
from .account import account
from .errors import EinvoicingErrorCode
from .models import EReport, ReportKind, ReportState, Submission

CENT = Decimal("0.01")
MAX_ATTEMPTS = 8


def vat_split(invoice: Invoice, amount: Decimal) -> list[dict]:
    """A payment's amount split over the invoice's VAT rates, in proportion to each rate's gross
    (the last rate takes the rounding remainder); with the VAT it contains at each rate."""
    gross_by_rate: dict[Decimal, Decimal] = {}
    for net, rate in invoice.lines.values_list("net_amount", "vat_rate"):
        gross = net + (net * rate / 100)
        gross_by_rate[rate] = gross_by_rate.get(rate, Decimal(0)) + gross
    total = sum(gross_by_rate.values(), Decimal(0))
    if not gross_by_rate or total <= 0:
        return [{"vat_rate": "0.00", "amount": str(amount), "vat": "0.00"}]
    rates = sorted(gross_by_rate)
    parts, allocated = [], Decimal(0)
    for index, rate in enumerate(rates):
        if index == len(rates) - 1:
            share = amount - allocated
        else:
            share = (amount * gross_by_rate[rate] / total).quantize(CENT, rounding=ROUND_HALF_UP)
            allocated += share
        vat = (share * rate / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
        parts.append({"vat_rate": f"{rate:.2f}", "amount": f"{share:.2f}", "vat": f"{vat:.2f}"})
    return parts


def _queue(report: EReport) -> None:
    from .tasks import send_report

    send_task_on_commit(send_report, str(report.tenant_id), str(report.pk),
                        recovery="the e-invoicing sweep sends pending reports")


def payment_report_create(payment_id) -> EReport | None:
    """Called when a payment is recorded (billing.signals.payment_recorded)."""
    settings = account()
    if settings.connector != "xp_z12_013" or not settings.base_url:
        return None
    payment = Payment.objects.select_related("invoice").filter(pk=payment_id).first()
    if payment is None or payment.invoice.vat_regime != VatRegime.STANDARD:
        return None
    invoice = payment.invoice
    report, made = EReport.objects.get_or_create(
        kind=ReportKind.PAYMENT, key=str(payment.pk),
        defaults={"invoice": invoice, "payload": {
            "paid_on": payment.paid_on.isoformat(), "amount": str(payment.amount), "currency": invoice.currency,
            "amounts": vat_split(invoice, payment.amount),
        }},
    )
    if made:
        _queue(report)
    return report


def transaction_report_create(invoice: Invoice) -> EReport:
    """A sale to a client outside France: its transaction data for the e-reporting."""
    rows: dict[str, dict] = {}
    for net, rate in invoice.lines.values_list("net_amount", "vat_rate"):
        row = rows.setdefault(f"{rate:.2f}", {"vat_rate": f"{rate:.2f}", "net": Decimal(0)})
        row["net"] += net
    amounts = [{"vat_rate": r["vat_rate"], "net": f"{r['net']:.2f}"} for r in rows.values()]
    report, made = EReport.objects.get_or_create(
        kind=ReportKind.TRANSACTION, key=str(invoice.pk),
        defaults={"invoice": invoice, "payload": {
            "amounts": amounts, "currency": invoice.currency, "vat_regime": invoice.vat_regime,
            "buyer_country": (invoice.buyer or {}).get("country", ""),
            "buyer_vat_number": (invoice.buyer or {}).get("vat_number", ""),
        }},
    )
    if made:
        _queue(report)
    return report


def report_send(report_id) -> str:
    """Send one report (idempotent: its key is the platform's idempotency key). Raises
    PlatformError when a retry is due, after recording the attempt."""
    report = EReport.objects.select_related("invoice").filter(pk=report_id).first()
    if report is None:
        return "missing"
    if report.state == ReportState.SENT:
        return "already"
    connector = connectors.platform_for(account())
    if not connector.automatic:
        return "manual"
    invoice, data = report.invoice, report.payload
    try:
        if report.kind == ReportKind.PAYMENT:
            flow_id = Submission.objects.filter(invoice_id=invoice.pk).values_list("platform_id", flat=True).first() or ""
            platform_id = connector.report_payment(connectors.PaymentReportData(
                tracking_id=f"pay-{report.key}", invoice_number=invoice.number, invoice_date=invoice.issue_date,
                flow_id=flow_id, paid_on=_date(data["paid_on"]), currency=data["currency"], amounts=data["amounts"],
            ))
        else:
            platform_id = connector.report_transaction(connectors.TransactionReportData(
                tracking_id=f"tx-{report.key}", invoice_number=invoice.number, invoice_date=invoice.issue_date,
                buyer_country=data.get("buyer_country", ""), buyer_vat_number=data.get("buyer_vat_number", ""),
                currency=data["currency"], vat_regime=data["vat_regime"], amounts=data["amounts"],
            ))
    except connectors.PlatformError as exc:
        final = not exc.retryable or report.attempts + 1 >= MAX_ATTEMPTS
        _attempt(report.pk, error=exc.message, final=final)
        if final:
            return "failed"
        raise
    _attempt(report.pk, platform_id=platform_id)
    return "sent"


def _date(value: str):
    import datetime

    return datetime.date.fromisoformat(value)


@transaction.atomic
def _attempt(report_id, *, platform_id: str = "", error: str = "", final: bool = False) -> None:
    from .sending import retry_delay

    report = EReport.objects.select_for_update().get(pk=report_id)
    report.attempts += 1
    now = timezone.now()
    if error:
        report.last_error = error[:2000]
        report.state = ReportState.FAILED if final else ReportState.PENDING
        report.next_attempt_at = None if final else now + retry_delay(report.attempts)
    else:
        report.state, report.platform_id, report.sent_at, report.last_error = ReportState.SENT, platform_id[:100], now, ""
        report.next_attempt_at = None
    report.save()


@transaction.atomic
def report_retry(*, actor, report: EReport) -> EReport:
    from . import access

    access.require_manage(actor)
    report = EReport.objects.select_for_update().select_related("invoice").get(pk=report.pk)
    if report.state == ReportState.SENT:
        raise Conflict(_("Ce report a déjà été transmis à la plateforme."), code=EinvoicingErrorCode.REPORT_NOT_RETRYABLE)
    report.state, report.next_attempt_at = ReportState.PENDING, None
    report.save(update_fields=["state", "next_attempt_at", "updated_at"])
    _queue(report)
    return report
