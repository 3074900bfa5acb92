"""What a client signs on the portal, written down exactly: the canonical text of a consultant's
month on one deal (or of a milestone's acceptance report), its SHA-256, and the PDFs: the
firm's draft acceptance report, and the signed copies with the evidence block (who, when, from
where, the SHA-256 of the content approved).

The canonical text names the timesheet's version and every day's quantity: any change of the
timesheet after the client loaded the page changes the digest, and the approval is refused.
"""

from __future__ import annotations

import hashlib

from django.template.loader import render_to_string
from django.utils import formats, timezone

from timesheets.models import ClientApproval, TimesheetEntry


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def timesheet_content(approval: ClientApproval) -> str:
    """The consultant's month on the approval's deal, one fact per line (no rate, no absence)."""
    timesheet = approval.timesheet
    user = timesheet.consultant.user
    rows = TimesheetEntry.objects.filter(
        line__timesheet_id=timesheet.pk, line__assignment__deal_id=approval.deal_id
    ).order_by("day", "is_extra").values_list("day", "quantity", "is_extra")
    lines = [
        "adv client timesheet approval v1",
        f"firm: {timesheet.tenant_id}",
        f"client: {approval.deal.client_id} {approval.deal.client.display_name}",
        f"deal: {approval.deal.reference} {approval.deal.title}",
        f"consultant: {user.get_full_name() or user.email}",
        f"month: {timesheet.month:%Y-%m}",
        f"timesheet: {timesheet.pk} version {timesheet.version}",
    ]
    lines += [f"{day.isoformat()} {quantity:.2f}{' extra' if extra else ''}" for day, quantity, extra in rows]
    return "\n".join(lines) + "\n"


def milestone_content(milestone) -> str:
    deal = milestone.deal
    due = milestone.due_date.isoformat() if milestone.due_date else (milestone.event_occurred_on or "")
    return "\n".join([
        "adv acceptance report v1",
        f"firm: {milestone.tenant_id}",
        f"client: {deal.client_id} {deal.client.display_name}",
        f"deal: {deal.reference} {deal.title}",
        f"milestone: {milestone.pk} {milestone.label}",
        f"due: {due}",
        f"amount: {milestone.amount:.2f} {deal.currency}",
    ]) + "\n"


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def _evidence_context(signature) -> dict:
    return {
        "signature": signature,
        "contact_name": str(signature.contact.contact),
        "contact_email": signature.contact.email,
        "signed_at": formats.date_format(timezone.localtime(signature.signed_at), "DATETIME_FORMAT"),
    }


def signed_timesheet_pdf(approval: ClientApproval, signature) -> bytes:
    """The printable timesheet (timesheets/pdf.py) with the client's electronic signature."""
    from timesheets import pdf

    html = pdf.pdf_html(timesheet=approval.timesheet, deal=approval.deal)
    block = render_to_string("portal/pdf/evidence.html", _evidence_context(signature))
    return _pdf(html.replace("</body>", block + "</body>", 1))


def acceptance_html(milestone, signature=None) -> str:
    deal = milestone.deal
    return render_to_string("portal/pdf/acceptance.html", {
        "tenant": milestone.tenant if hasattr(milestone, "tenant") else None,
        "milestone": milestone, "deal": deal, "client": deal.client,
        "content_sha256": digest(milestone_content(milestone)),
        **(_evidence_context(signature) if signature else {}),
    })


def acceptance_pdf(milestone, signature=None) -> bytes:
    """The firm's draft acceptance report (PV de recette); with a signature, the signed copy."""
    return _pdf(acceptance_html(milestone, signature))
