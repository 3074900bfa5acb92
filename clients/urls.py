"""Client pages, under /t/<tenant_slug>/clients/ (namespace "clients").

Documents (urls_documents.py) and expected documents, reports and import (urls_reports.py)
add their pages to the same namespace; their panels are loaded by the client page.
"""

from django.urls import include, path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create_view, name="create"),
    path("<uuid:pk>/", views.client_detail, name="detail"),
    path("<uuid:pk>/edit/", views.client_edit, name="edit"),
    path("<uuid:pk>/rename/", views.client_rename_view, name="rename"),
    path("<uuid:pk>/archive/", views.client_archive_view, name="archive"),
    path("<uuid:pk>/unarchive/", views.client_unarchive_view, name="unarchive"),
    path("<uuid:pk>/delete/", views.client_delete_view, name="delete"),
    path("<uuid:pk>/history/", views.client_history, name="history"),
    path("<uuid:pk>/billing/", views.billing_profile_edit, name="billing_edit"),
    path("<uuid:pk>/billing/platform-password/", views.platform_password_reveal, name="platform_password"),
    path("<uuid:pk>/contacts/new/", views.contact_create_view, name="contact_create"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/edit/", views.contact_edit_view, name="contact_edit"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/delete/", views.contact_delete_view, name="contact_delete"),
    path("", include("clients.urls_documents")),
    path("", include("clients.urls_reports")),
]
