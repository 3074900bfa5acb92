"""The monthly management report: the month's figures (the same selectors as the pages, for the
whole firm) as a PDF rendered by WeasyPrint."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from adv.months import Month
from adv.tenancy.models import Membership

from . import selectors, tables
from .periods import Period


@dataclass
class MonthlyReport:
    month: Month
    revenue: selectors.Revenue
    accruals: selectors.Accruals
    receivables: selectors.Receivables
    close: selectors.Close

    @property
    def dso(self):
        return self.receivables.dso[-1][1] if self.receivables.dso else None


def monthly_report(actor: Membership, month: Month, country: str = "FR") -> MonthlyReport:
    """The figures of `month` (the rolling 12 months ending with it for the trends), as `actor` reads them."""
    period = Period(month - 11, month, "rolling12")
    filters = selectors.Filters()
    today = min(timezone.localdate(), month.last)
    return MonthlyReport(
        month=month,
        revenue=selectors.revenue(actor, period, filters),
        accruals=selectors.accruals(actor, period, filters),
        receivables=selectors.receivables(actor, period, filters, today),
        close=selectors.close(actor, period, filters, country),
    )


def monthly_pdf(report: MonthlyReport, tenant, language: str = "fr") -> bytes:
    from weasyprint import HTML

    with override(language):
        html = render_to_string("reporting/pdf/monthly.html", {
            "report": report, "tenant": tenant, "month_label": report.month.label(),
            "type_labels": tables.TYPE_LABELS, "bucket_labels": tables.BUCKET_LABELS,
            "generated": timezone.localtime(),
        })
    return HTML(string=html).write_pdf()


def previous_month(today: datetime.date) -> Month:
    return Month.of(today) - 1
