"""Filter sets of the e-invoicing API: `?status=205&invoice=<uuid>`, `?state=failed`."""

import django_filters

from .models import (
    EReport,
    ReportKind,
    ReportState,
    Submission,
    SubmissionState,
    SupplierInvoice,
    SupplierInvoiceState,
    SupplierMatch,
)
from .statuses import Lifecycle


class SubmissionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Lifecycle.choices, help_text="The lifecycle status code (XP Z12-012).")
    state = django_filters.ChoiceFilter(choices=SubmissionState.choices)
    invoice = django_filters.UUIDFilter(field_name="invoice_id")

    class Meta:
        model = Submission
        fields = ["status", "state", "invoice"]


class EReportFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ReportState.choices)
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    invoice = django_filters.UUIDFilter(field_name="invoice_id")

    class Meta:
        model = EReport
        fields = ["state", "kind", "invoice"]


class SupplierInvoiceFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=SupplierInvoiceState.choices)
    match = django_filters.ChoiceFilter(choices=SupplierMatch.choices)
    month = django_filters.DateFilter(help_text="The month billed (its first day).")

    class Meta:
        model = SupplierInvoice
        fields = ["state", "match", "month"]
