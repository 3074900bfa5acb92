"""Billing pages, under /t/<tenant_slug>/billing/ (namespace "billing"): the month's cockpit and
pre-invoices, then under invoices/ the issued invoices, credit notes, payments and reports."""

from django.urls import include, path

from .views import cockpit, invoices, jobs, pre_invoices, reports

app_name = "billing"

cockpit_patterns = [
    path("", cockpit.cockpit, name="cockpit"),
    path("run/", cockpit.run_start, name="run_start"),
    path("run/progress/", cockpit.run_progress, name="run_progress"),
    path("run/<uuid:pk>/resume/", cockpit.run_resume, name="run_resume"),
    path("columns/", cockpit.columns_save, name="columns_save"),
    path("issue/", cockpit.issue_selected, name="issue_selected"),
    path("jobs/<uuid:pk>/", jobs.job_progress, name="job"),
    path("jobs/<uuid:pk>/send/", jobs.job_send, name="job_send"),
    path("jobs/<uuid:pk>/resume/", jobs.job_resume, name="job_resume"),
    path("pre-invoices/<uuid:pk>/", pre_invoices.pre_invoice, name="pre_invoice"),
    path("pre-invoices/<uuid:pk>/chase/", cockpit.chase, name="chase"),
    path("pre-invoices/<uuid:pk>/reception/", cockpit.reception_set, name="reception_set"),
    path("pre-invoices/<uuid:pk>/lines/", pre_invoices.line_add, name="line_add"),
    path("pre-invoices/<uuid:pk>/lines/<uuid:line_pk>/", pre_invoices.line_update, name="line_update"),
    path("pre-invoices/<uuid:pk>/lines/<uuid:line_pk>/delete/", pre_invoices.line_delete, name="line_delete"),
    path("pre-invoices/<uuid:pk>/discount/", pre_invoices.discount_add, name="discount_add"),
    path("pre-invoices/<uuid:pk>/issue/", pre_invoices.pre_invoice_issue, name="pre_invoice_issue"),
    path("pre-invoices/<uuid:pk>/preview.pdf", pre_invoices.pre_invoice_preview, name="pre_invoice_preview"),
]

invoice_patterns = [
    path("", invoices.invoice_list, name="invoices"),
    path("to-deposit/", invoices.to_deposit, name="to_deposit"),
    path("overdue/", invoices.overdue, name="overdue"),
    path("bank-import/", invoices.bank_import_view, name="bank_import"),
    path("export/", invoices.export_zip, name="export_zip"),
    path("month/", reports.month_summary, name="month"),
    path("month/fae.csv", reports.month_fae_csv, name="month_fae_csv"),
    path("settings/", reports.billing_settings, name="settings"),
    path("settings/validate/", reports.settings_validate, name="settings_validate"),
    path("<uuid:pk>/", invoices.invoice_detail, name="invoice"),
    path("<uuid:pk>/pdf/", invoices.invoice_pdf, name="invoice_pdf"),
    path("<uuid:pk>/xml/", invoices.invoice_xml, name="invoice_xml"),
    path("<uuid:pk>/render-status/", invoices.invoice_render_status, name="invoice_render_status"),
    path("<uuid:pk>/retry/", invoices.invoice_retry, name="invoice_retry"),
    path("<uuid:pk>/send/", invoices.invoice_send, name="invoice_send"),
    path("<uuid:pk>/deposit/", invoices.invoice_deposit, name="invoice_deposit"),
    path("<uuid:pk>/payments/", invoices.payment_create, name="payment_create"),
    path("<uuid:pk>/payments/<uuid:payment_pk>/cancel/", invoices.payment_cancel, name="payment_cancel"),
    path("<uuid:pk>/credit-notes/", invoices.credit_note_create, name="credit_note_create"),
]

urlpatterns = [
    path("", include(cockpit_patterns)),
    path("invoices/", include(invoice_patterns)),
]
