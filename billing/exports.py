"""Exports of billing: a zip of the Factur-X files of issued invoices, the FAE list as CSV."""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from adv.exports import Column, table_csv

from . import access
from .models import Invoice, RenderStatus


@dataclass
class ZipExport:
    content: bytes
    filename: str
    count: int


def _safe(number: str) -> str:
    return number.replace("/", "-")


def invoices_for_zip(*, month: datetime.date | None = None, ids=None):
    found = Invoice.objects.filter(number__isnull=False, render_status=RenderStatus.DONE).exclude(pdf_file="")
    if ids:
        found = found.filter(pk__in=list(ids))
    elif month is not None:
        found = found.filter(month=month)
    else:
        return Invoice.objects.none()
    return found.order_by("kind", "number")


def invoices_zip(*, actor, month: datetime.date | None = None, ids=None) -> ZipExport | None:
    """The PDFs (Factur-X, XML embedded) and the XML files; None when no rendered invoice matches."""
    access.require_read(actor)
    invoices = list(invoices_for_zip(month=month, ids=ids))
    if not invoices:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            with invoice.pdf_file.open("rb") as handle:
                archive.writestr(f"{_safe(invoice.number)}.pdf", handle.read())
            if invoice.xml_file:
                with invoice.xml_file.open("rb") as handle:
                    archive.writestr(f"xml/{_safe(invoice.number)}.xml", handle.read())
    suffix = month.strftime("%Y-%m") if month is not None and not ids else datetime.date.today().isoformat()
    return ZipExport(buffer.getvalue(), f"factures-{suffix}.zip", len(invoices))


def fae_reasons(checks: list[dict]) -> list[str]:
    """Why a pre-invoice is not billed: its blocking checks, then those needing an action."""
    ordered = sorted(
        (c for c in checks or [] if c.get("level") in ("blocked", "action")), key=lambda c: c["level"] != "blocked"
    )
    return [c.get("message", "") for c in ordered]


def accrued_revenue_csv(rows, month: datetime.date) -> bytes:
    """The FAE list: one row per unissued pre-invoice with why it is not billed."""
    columns = [
        Column(_("Mois")), Column(_("Client")), Column(_("Affaire")), Column(_("Montant HT"), "money"),
        Column(_("État")), Column(_("Raisons")), Column(_("Escaladée le"), "date"),
    ]
    table = [
        [
            month.strftime("%Y-%m"),
            str(invoice.client),
            invoice.deal.reference if invoice.deal_id else "",
            invoice.total_net,
            invoice.get_readiness_display(),
            " | ".join(fae_reasons(invoice.checks)),
            timezone.localtime(invoice.escalated_at).date() if invoice.escalated_at else None,
        ]
        for invoice in rows
    ]
    with table_csv(columns, table) as file:
        return file.read()
