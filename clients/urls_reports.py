"""Expected documents, the missing-documents report, the proof of order and the import.

Included by clients/urls.py (namespace "clients"), under /t/<tenant_slug>/clients/.
"""

from django.urls import path

from . import views_reports as views

urlpatterns = [
    path("<uuid:client_pk>/checklist/", views.checklist_panel, name="checklist_panel"),
    path("<uuid:client_pk>/checklist/chase/", views.checklist_chase, name="checklist_chase"),
    path("<uuid:client_pk>/proof-of-order/", views.proof_of_order, name="proof_of_order"),
    path("missing-documents/", views.missing_documents, name="missing_documents"),
    path("missing-documents/export/", views.missing_documents_export, name="missing_documents_export"),
    path("missing-documents/chase/", views.missing_documents_chase, name="missing_documents_chase"),
    path("import/", views.client_import, name="import"),
    path("import/confirm/", views.client_import_confirm, name="import_confirm"),
    path("import/template/", views.client_import_template, name="import_template"),
]
