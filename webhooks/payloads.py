"""The `data` of each event type: stable, documented in the README ("Webhooks"), built from the
rows with `values()` (one query per kind of row, whatever the number of ids).

What a payload carries: ids (to read the full resource through the API) and the essentials of the
API's representation of the resource; nothing a token of the firm could not read (never a
contractor's purchase rate, never a document's file name or content: a document's access depends
on the reader's clearance, its id is enough to fetch it through the API). Amounts are strings with
two decimals, dates ISO 8601, months `YYYY-MM`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum

INVOICE_FIELDS = (
    "id", "kind", "number", "status", "month", "issue_date", "due_date", "client_id", "client__legal_name",
    "client__trade_name", "deal_id", "currency", "total_net", "total_vat", "total_gross", "amount_paid",
    "amount_credited", "sent_at", "credited_invoice_id", "credited_invoice__number", "credit_reason",
)  # fmt: skip


def _text(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _month(value: datetime.date | None) -> str | None:
    return value.strftime("%Y-%m") if value else None


def _invoice(row: dict) -> dict:
    data = {
        "id": str(row["id"]),
        "kind": row["kind"],
        "number": row["number"],
        "status": row["status"],
        "month": _month(row["month"]),
        "issue_date": _text(row["issue_date"]),
        "due_date": _text(row["due_date"]),
        "client": {"id": str(row["client_id"]), "name": row["client__trade_name"] or row["client__legal_name"]},
        "deal": str(row["deal_id"]) if row["deal_id"] else None,
        "currency": row["currency"],
        "total_net": _text(row["total_net"]),
        "total_vat": _text(row["total_vat"]),
        "total_gross": _text(row["total_gross"]),
        "amount_paid": _text(row["amount_paid"]),
        "amount_credited": _text(row["amount_credited"]),
        "balance": _text(row["total_gross"] - row["amount_paid"] - row["amount_credited"]),
        "sent_at": _text(row["sent_at"]),
    }
    if row["credited_invoice_id"]:
        data["credited_invoice"] = {"id": str(row["credited_invoice_id"]), "number": row["credited_invoice__number"]}
        data["credit_reason"] = row["credit_reason"]
        for key in ("amount_paid", "balance"):
            data.pop(key)
    return data


def invoices(ids) -> dict[str, dict]:
    """`invoice.*` and `credit_note.issued`: the invoice (or credit note) as the API shows its header."""
    from billing.models import Invoice

    return {str(row["id"]): _invoice(row) for row in Invoice.objects.filter(pk__in=list(ids)).values(*INVOICE_FIELDS)}


def pre_invoice(invoice_id, reasons: list[str]) -> dict | None:
    from billing.models import Invoice

    row = (
        Invoice.objects.filter(pk=invoice_id)
        .values("id", "month", "client_id", "client__legal_name", "client__trade_name", "deal_id", "currency", "total_net")
        .first()
    )
    if row is None:
        return None
    return {
        "id": str(row["id"]),
        "month": _month(row["month"]),
        "client": {"id": str(row["client_id"]), "name": row["client__trade_name"] or row["client__legal_name"]},
        "deal": str(row["deal_id"]) if row["deal_id"] else None,
        "currency": row["currency"],
        "total_net": _text(row["total_net"]),
        "reasons": [str(reason) for reason in reasons],
    }


def payment(payment_id) -> dict | None:
    from billing.models import Payment

    row = (
        Payment.objects.filter(pk=payment_id)
        .values("id", "invoice_id", "invoice__number", "invoice__client_id", "paid_on", "amount", "method", "reference")
        .first()
    )
    if row is None:
        return None
    return {
        "id": str(row["id"]),
        "invoice": {"id": str(row["invoice_id"]), "number": row["invoice__number"]},
        "client": str(row["invoice__client_id"]),
        "paid_on": _text(row["paid_on"]),
        "amount": _text(row["amount"]),
        "method": row["method"],
        "reference": row["reference"],
    }


def timesheet(timesheet_id) -> dict | None:
    """The approved month, days worked per deal (quantities only: no rate of any kind)."""
    from timesheets.models import Timesheet, TimesheetEntry

    row = (
        Timesheet.objects.filter(pk=timesheet_id)
        .values("id", "month", "version", "status", "approved_at", "consultant_id", "consultant__user__first_name",
                "consultant__user__last_name")
        .first()
    )  # fmt: skip
    if row is None:
        return None
    per_deal = (
        TimesheetEntry.objects.filter(line__timesheet_id=timesheet_id, line__assignment__isnull=False)
        .values("line__assignment__deal_id", "is_extra")
        .annotate(days=Sum("quantity"))
        .order_by("line__assignment__deal_id", "is_extra")
    )
    totals: dict[str, dict] = {}
    for entry in per_deal:
        deal_id = str(entry["line__assignment__deal_id"])
        bucket = totals.setdefault(deal_id, {"deal": deal_id, "days": Decimal("0"), "extra_days": Decimal("0")})
        bucket["extra_days" if entry["is_extra"] else "days"] += entry["days"]
    name = f"{row['consultant__user__first_name']} {row['consultant__user__last_name']}".strip()
    return {
        "id": str(row["id"]),
        "month": _month(row["month"]),
        "version": row["version"],
        "status": row["status"],
        "approved_at": _text(row["approved_at"]),
        "consultant": {"id": str(row["consultant_id"]), "name": name},
        "deals": [{**bucket, "days": _text(bucket["days"]), "extra_days": _text(bucket["extra_days"])} for bucket in totals.values()],
    }


def deal(deal_id) -> dict | None:
    from deals.models import Deal

    row = (
        Deal.objects.filter(pk=deal_id)
        .values("id", "reference", "title", "deal_type", "status", "signed_on", "client_id", "client__legal_name",
                "client__trade_name", "currency", "start_date", "end_date")
        .first()
    )  # fmt: skip
    if row is None:
        return None
    return {
        "id": str(row["id"]),
        "reference": row["reference"],
        "title": row["title"],
        "deal_type": row["deal_type"],
        "status": row["status"],
        "signed_on": _text(row["signed_on"]),
        "client": {"id": str(row["client_id"]), "name": row["client__trade_name"] or row["client__legal_name"]},
        "currency": row["currency"],
        "start_date": _text(row["start_date"]),
        "end_date": _text(row["end_date"]),
    }


def document(document_id, version_id) -> dict | None:
    from documents.models import Document, DocumentVersion

    row = (
        Document.objects.filter(pk=document_id)
        .values("id", "client_id", "deal_id", "document_type__code", "security_level")
        .first()
    )
    if row is None:
        return None
    version = DocumentVersion.objects.filter(pk=version_id).values("id", "number", "size", "sha256").first() or {}
    return {
        "id": str(row["id"]),
        "client": str(row["client_id"]),
        "deal": str(row["deal_id"]) if row["deal_id"] else None,
        "document_type": row["document_type__code"],
        "security_level": row["security_level"],
        "version": {
            "id": str(version["id"]) if version else str(version_id),
            "number": version.get("number"),
            "size": version.get("size"),
            "sha256": version.get("sha256"),
        },
    }
