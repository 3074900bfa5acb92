"""Filter sets of the billing API (django-filter): `?month=2026-10&readiness=blocked&client=<uuid>`."""

from __future__ import annotations

import django_filters
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from adv.months import first_day

from .models import OPEN_STATUSES, BillingRun, Invoice, InvoiceStatus, Payment, Readiness, RunStatus


def _filter_month(queryset, name, value):
    month = first_day(value)
    if month is None:
        raise ValidationError({name: ["Mois invalide : attendu AAAA-MM."]})
    return queryset.filter(month=month)


def _month_filter() -> django_filters.CharFilter:
    return django_filters.CharFilter(
        method=lambda qs, name, value: _filter_month(qs, name, value), help_text="`YYYY-MM`."
    )


class BillingRunFilter(django_filters.FilterSet):
    month = _month_filter()
    status = django_filters.MultipleChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = BillingRun
        fields = ["month", "status"]


class PreInvoiceFilter(django_filters.FilterSet):
    month = _month_filter()
    readiness = django_filters.MultipleChoiceFilter(
        choices=Readiness.choices, help_text="One or more of ready, action, blocked (repeat the parameter)."
    )
    client = django_filters.UUIDFilter(field_name="client_id")
    deal = django_filters.UUIDFilter(field_name="deal_id")

    class Meta:
        model = Invoice
        fields = ["month", "readiness", "client", "deal"]


class InvoiceFilter(django_filters.FilterSet):
    month = _month_filter()
    status = django_filters.MultipleChoiceFilter(
        choices=[c for c in InvoiceStatus.choices if c[0] != InvoiceStatus.DRAFT],
        help_text="One or more statuses (repeat the parameter).",
    )
    client = django_filters.UUIDFilter(field_name="client_id")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", help_text="true: open invoices past their due date."
    )
    number = django_filters.CharFilter(field_name="number", lookup_expr="icontains", help_text="Part of the number.")

    class Meta:
        model = Invoice
        fields = ["month", "status", "client", "overdue", "number"]

    def filter_overdue(self, queryset, name, value):
        balance = ExpressionWrapper(
            F("total_gross") - F("amount_paid") - F("amount_credited"),
            output_field=DecimalField(max_digits=16, decimal_places=2),
        )
        queryset = queryset.annotate(open_balance=balance)
        late = Q(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate(), open_balance__gt=0)
        return queryset.filter(late) if value else queryset.exclude(late)


class CreditNoteFilter(django_filters.FilterSet):
    month = _month_filter()
    client = django_filters.UUIDFilter(field_name="client_id")
    invoice = django_filters.UUIDFilter(field_name="credited_invoice_id", help_text="Credit notes of this invoice.")
    number = django_filters.CharFilter(field_name="number", lookup_expr="icontains")

    class Meta:
        model = Invoice
        fields = ["month", "client", "invoice", "number"]


class PaymentFilter(django_filters.FilterSet):
    invoice = django_filters.UUIDFilter(field_name="invoice_id")
    method = django_filters.MultipleChoiceFilter(choices=Payment._meta.get_field("method").choices)

    class Meta:
        model = Payment
        fields = ["invoice", "method"]
