"""Documents of a client, and the administration of document types and expected documents.

Included by clients/urls.py (app_name "clients"), itself mounted under /t/<tenant_slug>/clients/.
"""

from django.urls import path

from . import views_documents as views

urlpatterns = [
    path("<uuid:client_pk>/documents/", views.document_panel, name="document_panel"),
    path("<uuid:client_pk>/documents/upload/", views.document_upload, name="document_upload"),
    path("<uuid:client_pk>/documents/<uuid:pk>/", views.document_detail, name="document_detail"),
    path("<uuid:client_pk>/documents/<uuid:pk>/edit/", views.document_edit, name="document_edit"),
    path("<uuid:client_pk>/documents/<uuid:pk>/versions/", views.document_version_add, name="document_version_add"),
    path("<uuid:client_pk>/documents/<uuid:pk>/download/", views.document_download, name="document_download"),
    path("<uuid:client_pk>/documents/<uuid:pk>/preview/", views.document_preview, name="document_preview"),
    path("<uuid:client_pk>/documents/<uuid:pk>/preview-pane/", views.document_preview_pane, name="document_preview_pane"),
    path("<uuid:client_pk>/documents/<uuid:pk>/grants/", views.document_grant_add, name="document_grant_add"),
    path(
        "<uuid:client_pk>/documents/<uuid:pk>/grants/<uuid:member_pk>/revoke/",
        views.document_grant_revoke,
        name="document_grant_revoke",
    ),
    path("document-types/", views.document_type_list, name="document_types"),
    path("document-types/new/", views.document_type_create, name="document_type_create"),
    path("document-types/<uuid:pk>/", views.document_type_edit, name="document_type_edit"),
    path("document-types/<uuid:pk>/toggle/", views.document_type_toggle, name="document_type_toggle"),
    path("expected-documents/", views.document_requirement_list, name="document_requirements"),
    path("expected-documents/new/", views.document_requirement_create, name="document_requirement_create"),
    path("expected-documents/<uuid:pk>/", views.document_requirement_edit, name="document_requirement_edit"),
    path("expected-documents/<uuid:pk>/delete/", views.document_requirement_delete, name="document_requirement_delete"),
]
