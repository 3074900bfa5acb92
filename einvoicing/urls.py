"""E-invoicing routes: the firm's pages under /t/<tenant_slug>/einvoicing/ and the platforms'
webhook under /einvoicing/hooks/<firm id>/ (signed, no session)."""

from django.urls import include, path

from . import views, views_suppliers

app_name = "einvoicing"

tenant_patterns = [
    path("", views.submissions_page, name="submissions"),
    path("settings/", views.settings_page, name="settings"),
    path("invoices/<uuid:pk>/retry/", views.submission_retry, name="submission_retry"),
    path("reports/<uuid:pk>/retry/", views.report_retry, name="report_retry"),
    path("suppliers/", views_suppliers.suppliers_page, name="suppliers"),
    path("suppliers/identities/", views_suppliers.identity_save, name="supplier_identity_save"),
    path("suppliers/manual/", views_suppliers.manual_enter, name="supplier_manual"),
    path("suppliers/<uuid:pk>/decide/", views_suppliers.decide, name="supplier_decide"),
]

urlpatterns = [
    path("einvoicing/hooks/<uuid:tenant_id>/", views.platform_webhook, name="webhook"),
    path("t/<slug:tenant_slug>/einvoicing/", include(tenant_patterns)),
]
