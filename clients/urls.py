"""Client pages, under /t/<tenant_slug>/clients/ (namespace "clients").

The documents app's pages (documents/urls.py) share the path and the namespace: adv/urls.py
mounts both; their panels are loaded by the client page.
"""

from django.urls import path

from .views import importing, records

app_name = "clients"

urlpatterns = [
    path("", records.client_list, name="list"),
    path("new/", records.client_create_view, name="create"),
    path("<uuid:pk>/", records.client_detail, name="detail"),
    path("<uuid:pk>/edit/", records.client_edit, name="edit"),
    path("<uuid:pk>/rename/", records.client_rename_view, name="rename"),
    path("<uuid:pk>/archive/", records.client_archive_view, name="archive"),
    path("<uuid:pk>/unarchive/", records.client_unarchive_view, name="unarchive"),
    path("<uuid:pk>/delete/", records.client_delete_view, name="delete"),
    path("<uuid:pk>/history/", records.client_history, name="history"),
    path("<uuid:pk>/billing/", records.billing_profile_edit, name="billing_edit"),
    path("<uuid:pk>/billing/platform-password/", records.platform_password_reveal, name="platform_password"),
    path("<uuid:pk>/contacts/new/", records.contact_create_view, name="contact_create"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/edit/", records.contact_edit_view, name="contact_edit"),
    path("<uuid:pk>/contacts/<uuid:contact_pk>/delete/", records.contact_delete_view, name="contact_delete"),
    path("import/", importing.client_import, name="import"),
    path("import/confirm/", importing.client_import_confirm, name="import_confirm"),
    path("import/template/", importing.client_import_template, name="import_template"),
]
