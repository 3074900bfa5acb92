"""Billing pages, under /t/<tenant_slug>/billing/ (namespace "billing"): the month's cockpit and
pre-invoices (urls_cockpit), issued invoices, credit notes, payments and reports (urls_invoices)."""

from django.urls import include, path

app_name = "billing"

urlpatterns = [
    path("", include("billing.urls_cockpit")),
    path("invoices/", include("billing.urls_invoices")),
]
