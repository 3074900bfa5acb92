"""Reporting pages, under /t/<tenant_slug>/reporting/ (namespace "reporting")."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.revenue, name="revenue"),
    path("accruals/", views.accruals, name="accruals"),
    path("receivables/", views.receivables, name="receivables"),
    path("close/", views.close, name="close"),
    path("invoices/", views.invoices, name="invoices"),
    path("monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("recipients/", views.recipients, name="recipients"),
]
