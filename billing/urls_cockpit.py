"""Cockpit and pre-invoice pages (see billing/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("run/", views.run_start, name="run_start"),
    path("run/progress/", views.run_progress, name="run_progress"),
    path("run/<uuid:pk>/resume/", views.run_resume, name="run_resume"),
    path("columns/", views.columns_save, name="columns_save"),
    path("issue/", views.issue_selected, name="issue_selected"),
    path("pre-invoices/<uuid:pk>/", views.pre_invoice, name="pre_invoice"),
    path("pre-invoices/<uuid:pk>/chase/", views.chase, name="chase"),
    path("pre-invoices/<uuid:pk>/reception/", views.reception_set, name="reception_set"),
    path("pre-invoices/<uuid:pk>/lines/", views.line_add, name="line_add"),
    path("pre-invoices/<uuid:pk>/lines/<uuid:line_pk>/", views.line_update, name="line_update"),
    path("pre-invoices/<uuid:pk>/lines/<uuid:line_pk>/delete/", views.line_delete, name="line_delete"),
    path("pre-invoices/<uuid:pk>/discount/", views.discount_add, name="discount_add"),
    path("pre-invoices/<uuid:pk>/issue/", views.pre_invoice_issue, name="pre_invoice_issue"),
    path("pre-invoices/<uuid:pk>/preview.pdf", views.pre_invoice_preview, name="pre_invoice_preview"),
]
