"""Issued invoices, credit notes, payments and reports pages (see billing/urls.py)."""

from django.urls import path

from . import views_invoices as views
from . import views_reports

urlpatterns = [
    path("", views.invoice_list, name="invoices"),
    path("to-deposit/", views.to_deposit, name="to_deposit"),
    path("overdue/", views.overdue, name="overdue"),
    path("bank-import/", views.bank_import_view, name="bank_import"),
    path("export/", views.export_zip, name="export_zip"),
    path("month/", views_reports.month_summary, name="month"),
    path("month/fae.csv", views_reports.month_fae_csv, name="month_fae_csv"),
    path("settings/", views_reports.billing_settings, name="settings"),
    path("settings/validate/", views_reports.settings_validate, name="settings_validate"),
    path("<uuid:pk>/", views.invoice_detail, name="invoice"),
    path("<uuid:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("<uuid:pk>/xml/", views.invoice_xml, name="invoice_xml"),
    path("<uuid:pk>/render-status/", views.invoice_render_status, name="invoice_render_status"),
    path("<uuid:pk>/retry/", views.invoice_retry, name="invoice_retry"),
    path("<uuid:pk>/send/", views.invoice_send, name="invoice_send"),
    path("<uuid:pk>/deposit/", views.invoice_deposit, name="invoice_deposit"),
    path("<uuid:pk>/payments/", views.payment_create, name="payment_create"),
    path("<uuid:pk>/payments/<uuid:payment_pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("<uuid:pk>/credit-notes/", views.credit_note_create, name="credit_note_create"),
]
