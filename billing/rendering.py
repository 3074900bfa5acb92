"""The issued document: an HTML template rendered by WeasyPrint as PDF/A-3b, with the Factur-X XML
(EN 16931) embedded by the `factur-x` package, stored with the SHA-256 of its bytes.

Rendering runs after the issuing transaction has committed (a Celery task): it never holds the
numbering lock, and a failure is retried, then shown on the invoice with a retry button; the
number stays given.
"""

from __future__ import annotations

import datetime
import hashlib
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from adv.tenancy.firm_settings import settings_read

from .models import BillingPolicy, Invoice, InvoiceKind, RenderStatus
from .regime import exemption_reason


def invoice_context(invoice: Invoice, lines: list | None = None) -> dict:
    from . import totals
    from .regime import vat_category

    lines = list(lines if lines is not None else invoice.lines.all())
    rules = settings_read(BillingPolicy)
    result = totals.compute(((line.net_amount, line.vat_rate) for line in lines), vat_category(invoice.vat_regime))
    annex = timesheet_annex(invoice, lines)
    return {
        "invoice": invoice,
        "lines": lines,
        "totals": result,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "exemption_reason": exemption_reason(invoice.vat_regime, rules),
        "is_credit_note": invoice.kind == InvoiceKind.CREDIT_NOTE,
        "annex": annex,
        "mentions": printed_mentions(invoice, rules),
        "tenant": invoice.tenant,
        "footer_css": _footer(invoice.seller),
    }


def printed_mentions(invoice: Invoice, rules) -> list[str]:
    """The legal mentions printed on the document. A credit note is not paid by a due date: it
    does not print the late-payment penalties and recovery indemnity (nor the early-payment
    discount) that the XML still carries for the French rules (BR-FR-05)."""
    mentions = list(invoice.legal_mentions or [])
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        terms = {rules.late_penalty_text, rules.recovery_indemnity_text, rules.discount_text}
        mentions = [m for m in mentions if m not in terms]
    return mentions


def _footer(seller: dict) -> str:
    parts = [seller.get("name", ""), seller.get("legal_form", "")]
    if seller.get("share_capital"):
        parts.append(f"capital {seller['share_capital']} €")
    if seller.get("siren"):
        parts.append(f"RCS {seller.get('rcs_city', '')} {seller['siren']}".replace("  ", " "))
    footer = " · ".join(p for p in parts if p)
    return mark_safe(re.sub(r'[<>"\\\n\r]', " ", footer))  # noqa: S308 - quotes and brackets removed: inside a CSS string in <style>


def timesheet_annex(invoice: Invoice, lines: list) -> list[dict]:
    """Per consultant, the days worked (the detail clients ask for), from the billed timesheet lines."""
    from timesheets.models import TimesheetEntry

    line_ids = [line.timesheet_line_id for line in lines if line.timesheet_line_id]
    if not line_ids:
        return []
    entries = (
        TimesheetEntry.objects.filter(line_id__in=line_ids, quantity__gt=0)
        .select_related("line__assignment__consultant__user")
        .order_by("line__assignment__consultant__user__last_name", "day")
    )
    annex: dict = {}
    for entry in entries:
        user = entry.line.assignment.consultant.user
        name = user.get_full_name() or user.email
        block = annex.setdefault(
            entry.line_id, {"consultant": name, "reception_number": entry.line.reception_number, "days": [], "total": 0}
        )
        block["days"].append({"day": entry.day, "quantity": entry.quantity, "is_extra": entry.is_extra})
        block["total"] += entry.quantity
    return list(annex.values())


def render_html(invoice: Invoice, lines: list | None = None) -> str:
    with translation.override(invoice.language or "fr"):
        return render_to_string("billing/pdf/invoice.html", invoice_context(invoice, lines))


def render_pdf_bytes(invoice: Invoice) -> tuple[bytes, bytes]:
    """(PDF with the XML embedded, XML) of an issued invoice."""
    from facturx import generate_from_binary
    from weasyprint import HTML

    from .cii import build_xml

    lines = list(invoice.lines.all())
    xml = build_xml(invoice, policy=settings_read(BillingPolicy), lines=lines)
    pdf = HTML(string=render_html(invoice, lines)).write_pdf(pdf_variant="pdf/a-3b")
    seller = invoice.seller.get("name", "")
    metadata = {
        "author": seller,
        "title": f"{seller}: {invoice.get_kind_display()} {invoice.number}",
        "subject": f"{invoice.get_kind_display()} {invoice.number}",
    }
    facturx_pdf = generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata=metadata,
        lang=invoice.language or "fr",
    )
    return align_info_with_xmp(facturx_pdf), xml


def align_info_with_xmp(pdf: bytes) -> bytes:
    """PDF/A (ISO 19005-3 6.6.2.3.1): each entry of the Info dictionary must equal its XMP
    counterpart. The factur-x package writes an XMP naming pypdf as producer, its own timestamps
    and no keywords, over WeasyPrint's Info: the Info is rewritten from the XMP."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    writer = PdfWriter(clone_from=reader)
    info = writer._info.get_object()
    if xmp is not None and xmp.pdf_producer:
        info[NameObject("/Producer")] = TextStringObject(xmp.pdf_producer)
    if xmp is not None and xmp.pdf_keywords:
        info[NameObject("/Keywords")] = TextStringObject(xmp.pdf_keywords)
    elif "/Keywords" in info:
        del info["/Keywords"]
    for key, value in (("/CreationDate", xmp and xmp.xmp_create_date), ("/ModDate", xmp and xmp.xmp_modify_date)):
        if value:
            info[NameObject(key)] = TextStringObject(value.strftime("D:%Y%m%d%H%M%S+00'00'"))
    writer._header = reader.pdf_header.encode()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def preview_pdf(invoice: Invoice) -> bytes:
    """A pre-invoice as it would be issued today (watermarked, no number, nothing saved)."""
    from weasyprint import HTML

    from .services import buyer_snapshot, current_tenant, invoice_mentions, seller_snapshot

    lines = list(invoice.lines.all())
    today = timezone.localdate()
    invoice.seller = seller_snapshot(current_tenant())
    invoice.buyer = buyer_snapshot(invoice.client, today)
    invoice.legal_mentions = invoice_mentions(invoice, settings_read(BillingPolicy))
    return HTML(string=render_html(invoice, lines)).write_pdf()


def _name(invoice: Invoice, extension: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9+_-]", "-", invoice.number)
    return f"tenants/{invoice.tenant_id}/invoices/{invoice.issue_date:%Y}/{safe}.{extension}"


def render_stored(invoice_id) -> str:
    """Render and store an issued invoice's PDF and XML once (idempotent)."""
    invoice = Invoice.objects.select_related("tenant", "deal", "credited_invoice").filter(pk=invoice_id).first()
    if invoice is None or not invoice.is_issued:
        return "missing"
    if invoice.render_status == RenderStatus.DONE and invoice.pdf_sha256:
        return "done"
    pdf, xml = render_pdf_bytes(invoice)
    # Written under names that owe nothing to a previous attempt: a retry after a crash between
    # the write and the commit leaves an unreferenced file at worst, never a wrong one.
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    pdf_name = default_storage.save(_name(invoice, f"{stamp}.pdf"), ContentFile(pdf))
    xml_name = default_storage.save(_name(invoice, f"{stamp}.xml"), ContentFile(xml))
    with transaction.atomic():
        current = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if current.render_status == RenderStatus.DONE and current.pdf_sha256:
            default_storage.delete(pdf_name)
            default_storage.delete(xml_name)
            return "done"
        current.pdf_file.name = pdf_name
        current.xml_file.name = xml_name
        current.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        current.xml_sha256 = hashlib.sha256(xml).hexdigest()
        current.render_status = RenderStatus.DONE
        current.render_error = ""
        current.render_attempts += 1
        current.save(
            update_fields=[
                "pdf_file",
                "xml_file",
                "pdf_sha256",
                "xml_sha256",
                "render_status",
                "render_error",
                "render_attempts",
                "updated_at",
            ]
        )
        _announce_rendered(current)
    return "rendered"


def _announce_rendered(invoice: Invoice) -> None:
    """Nudge the issuer's open pages (a bulk issue's panel counts the PDFs ready) after commit."""
    from adv.tenancy.models import Membership
    from notifications.live import push_page_event_on_commit

    if invoice.issued_by_id:
        user_id = Membership.objects.filter(pk=invoice.issued_by_id).values_list("user_id", flat=True).first()
        push_page_event_on_commit(user_id, {"kind": "billing.render", "invoice": str(invoice.pk)})


# A render still pending this long after its invoice last changed lost its task (a broker outage
# when it was queued): the sweep queues it again. Rendering is idempotent, so a render merely slow
# to come out of the queue and queued twice costs time, never a second file.
STALLED_AFTER = datetime.timedelta(minutes=5)


def stalled_renders(now: datetime.datetime | None = None) -> list:
    """Ids of the active firm's issued invoices whose render has waited past STALLED_AFTER."""
    now = now or timezone.now()
    return list(
        Invoice.objects.filter(
            render_status=RenderStatus.PENDING, number__isnull=False, updated_at__lt=now - STALLED_AFTER
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def render_failed(invoice_id, error: str, final: bool) -> None:
    invoice = Invoice.objects.select_for_update().filter(pk=invoice_id).first()
    if invoice is None or invoice.render_status == RenderStatus.DONE:
        return
    invoice.render_attempts += 1
    invoice.render_error = error[:2000]
    if final:
        invoice.render_status = RenderStatus.FAILED
        _tell_issuer(invoice, error)
    invoice.save(update_fields=["render_attempts", "render_error", "render_status", "updated_at"])


def _tell_issuer(invoice: Invoice, error: str) -> None:
    from notifications.services import notify

    if invoice.issued_by_id:
        notify(
            recipients=[invoice.issued_by],
            event="billing.render_failed",
            target=invoice,
            context={"number": invoice.number, "error": error[:300]},
        )
