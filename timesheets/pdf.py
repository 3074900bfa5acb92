"""The printable timesheet of one consultant, one month and one deal, ready for the client's
signature: an HTML template (templates/timesheets/pdf/timesheet.html) rendered by WeasyPrint.

Days only, never a rate: the client signs the time, the invoice carries the money.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import calendar as cal
from .models import Timesheet, TimesheetEntry, TimesheetLine, TimeUnit
from .selectors import quantity_text, requires
from .services import policy

ZERO = Decimal("0")


def pdf_context(*, timesheet: Timesheet, deal) -> dict:
    """What the printable timesheet shows (3 queries: the lines, their entries, the policy)."""
    rules = policy()
    lines = list(
        TimesheetLine.objects.filter(timesheet=timesheet, assignment__deal=deal).select_related("assignment").order_by("assignment__start_date", "id")
    )
    regular: dict = {}
    extra: dict = {}
    for entry in TimesheetEntry.objects.filter(line__in=lines).only("day", "quantity", "is_extra"):
        target = extra if entry.is_extra else regular
        target[entry.day] = target.get(entry.day, ZERO) + entry.quantity
    days = []
    for day in cal.month_days(timesheet.month, rules.holiday_country):
        days.append(
            {
                "date": day.date,
                "weekday": formats.date_format(day.date, "l"),
                "holiday": day.holiday,
                "off": not day.is_working_day,
                "quantity": quantity_text(regular.get(day.date)),
                "extra": quantity_text(extra.get(day.date)),
            }
        )
    total = sum(regular.values(), ZERO)
    extra_total = sum(extra.values(), ZERO)
    consultant = timesheet.consultant
    tenant = timesheet.tenant
    month_label = formats.date_format(timesheet.month, "F Y")
    footer = f"{tenant.legal_name or tenant.name} · {deal.reference} · {month_label}"
    return {
        "footer_css": mark_safe(re.sub(r'[<>"\\\n\r]', " ", footer)),  # noqa: S308 - quotes and brackets removed: inside a CSS string in <style>
        "days_halves": [days[:16], days[16:]],
        "tenant": tenant,
        "client": deal.client,
        "deal": deal,
        "timesheet": timesheet,
        "consultant_name": consultant.user.get_full_name() or consultant.user.email,
        "is_contractor": consultant.is_contractor,
        "month_label": month_label,
        "days": days,
        "total": quantity_text(total) or "0",
        "extra_total": quantity_text(extra_total),
        "has_extra": bool(extra),
        "unit_label": _("heures") if rules.unit == TimeUnit.HOURS else _("jours"),
        "unit_is_hours": rules.unit == TimeUnit.HOURS,
        "reception_numbers": sorted({line.reception_number for line in lines if line.reception_number}),
        "reception_required": any(line.assignment.reception_number_required for line in lines)
        or requires(deal, "reception_number_required"),
        "comments": [line.comment for line in lines if line.comment],
        "periods": [(line.assignment.start_date, line.assignment.end_date) for line in lines],
        "instructions": deal.consultant_instructions,
        "generated_at": timezone.localtime(),
    }


def pdf_html(*, timesheet: Timesheet, deal) -> str:
    return render_to_string("timesheets/pdf/timesheet.html", pdf_context(timesheet=timesheet, deal=deal))


def pdf_bytes(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def timesheet_pdf(*, timesheet: Timesheet, deal) -> bytes:
    return pdf_bytes(pdf_html(timesheet=timesheet, deal=deal))


def pdf_filename(*, timesheet: Timesheet, deal) -> str:
    """CRA-2026-05-AFF-2026-0007-durand-camille.pdf (ASCII, no spaces)."""
    user = timesheet.consultant.user
    name = unicodedata.normalize("NFKD", f"{user.last_name}-{user.first_name}").encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-").lower() or "consultant"
    reference = re.sub(r"[^A-Za-z0-9-]+", "-", deal.reference).strip("-")
    return f"CRA-{timesheet.month:%Y-%m}-{reference}-{name}.pdf"
