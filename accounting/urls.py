"""Accounting pages, under /t/<tenant_slug>/accounting/ (namespace "accounting")."""

from django.urls import path

from . import views

app_name = "accounting"

urlpatterns = [
    path("", views.exports_page, name="exports"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
    path("mapping/", views.mapping_page, name="mapping"),
    path("clients/", views.client_accounts, name="client_accounts"),
    path("clients/generate/", views.client_accounts_generate, name="client_accounts_generate"),
    path("clients/<uuid:pk>/", views.client_account_set, name="client_account_set"),
]
