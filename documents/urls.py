"""Document pages, under /t/<tenant_slug>/clients/ beside the client pages and in the same
namespace ("clients", as before the documents app: the paths and names of these pages did not
change). adv/urls.py mounts clients.urls and these patterns together.
"""

from django.urls import path

from .views import checklist, configuration, documents

urlpatterns = [
    path("<uuid:client_pk>/documents/", documents.document_panel, name="document_panel"),
    path("<uuid:client_pk>/documents/upload/", documents.document_upload, name="document_upload"),
    path("<uuid:client_pk>/documents/<uuid:pk>/", documents.document_detail, name="document_detail"),
    path("<uuid:client_pk>/documents/<uuid:pk>/edit/", documents.document_edit, name="document_edit"),
    path("<uuid:client_pk>/documents/<uuid:pk>/versions/", documents.document_version_add, name="document_version_add"),
    path("<uuid:client_pk>/documents/<uuid:pk>/download/", documents.document_download, name="document_download"),
    path("<uuid:client_pk>/documents/<uuid:pk>/preview/", documents.document_preview, name="document_preview"),
    path("<uuid:client_pk>/documents/<uuid:pk>/preview-pane/", documents.document_preview_pane, name="document_preview_pane"),
    path("<uuid:client_pk>/documents/<uuid:pk>/grants/", documents.document_grant_add, name="document_grant_add"),
    path(
        "<uuid:client_pk>/documents/<uuid:pk>/grants/<uuid:member_pk>/revoke/",
        documents.document_grant_revoke,
        name="document_grant_revoke",
    ),
    path("document-types/", configuration.document_type_list, name="document_types"),
    path("document-types/new/", configuration.document_type_create, name="document_type_create"),
    path("document-types/<uuid:pk>/", configuration.document_type_edit, name="document_type_edit"),
    path("document-types/<uuid:pk>/toggle/", configuration.document_type_toggle, name="document_type_toggle"),
    path("expected-documents/", configuration.document_requirement_list, name="document_requirements"),
    path("expected-documents/new/", configuration.document_requirement_create, name="document_requirement_create"),
    path("expected-documents/<uuid:pk>/", configuration.document_requirement_edit, name="document_requirement_edit"),
    path("expected-documents/<uuid:pk>/delete/", configuration.document_requirement_delete, name="document_requirement_delete"),
    path("<uuid:client_pk>/checklist/", checklist.checklist_panel, name="checklist_panel"),
    path("<uuid:client_pk>/checklist/chase/", checklist.checklist_chase, name="checklist_chase"),
    path("<uuid:client_pk>/proof-of-order/", checklist.proof_of_order, name="proof_of_order"),
    path("missing-documents/", checklist.missing_documents, name="missing_documents"),
    path("missing-documents/export/", checklist.missing_documents_export, name="missing_documents_export"),
    path("missing-documents/chase/", checklist.missing_documents_chase, name="missing_documents_chase"),
]
