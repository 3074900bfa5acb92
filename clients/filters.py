"""Filter sets of the clients API (django-filter): `?status=client&owner=<uuid>&archived=false`."""

from __future__ import annotations

import django_filters

from .models import Client, ClientStatus, Contact, InvoiceDelivery


class ClientFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ClientStatus.choices, help_text="One or more statuses (repeat the parameter)."
    )
    owner = django_filters.UUIDFilter(field_name="owner_id", help_text="Membership id of the sales owner.")
    adv_owner = django_filters.UUIDFilter(field_name="adv_owner_id", help_text="Membership id of the ADV in charge.")
    parent = django_filters.UUIDFilter(field_name="parent_id", help_text="Subsidiaries of this client (group).")
    is_public_sector = django_filters.BooleanFilter()
    archived = django_filters.BooleanFilter(
        method="filter_archived", help_text="true: archived clients only; false: active ones only; absent: both."
    )

    class Meta:
        model = Client
        fields = ["status", "owner", "adv_owner", "parent", "is_public_sector", "archived"]

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)


class ContactFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id", help_text="Contacts of this client.")
    invoice_delivery = django_filters.ChoiceFilter(
        choices=[c for c in InvoiceDelivery.choices if c[0]], help_text="Invoice recipients (`to`) or copies (`cc`)."
    )
    receives_invoices = django_filters.BooleanFilter(method="filter_receives_invoices")
    signs_timesheets = django_filters.BooleanFilter()
    signs_acceptance_reports = django_filters.BooleanFilter()
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Contact
        fields = ["client", "invoice_delivery", "receives_invoices", "signs_timesheets", "signs_acceptance_reports", "is_active"]

    def filter_receives_invoices(self, queryset, name, value):
        return queryset.exclude(invoice_delivery="") if value else queryset.filter(invoice_delivery="")
