"""Under /t/<tenant_slug>/settings/webhooks/ (see adv/urls.py)."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<uuid:pk>/", views.endpoint_detail, name="detail"),
    path("<uuid:pk>/edit/", views.endpoint_edit, name="edit"),
    path("<uuid:pk>/rotate-secret/", views.endpoint_rotate, name="rotate"),
    path("<uuid:pk>/test/", views.endpoint_test, name="test"),
    path("<uuid:pk>/delete/", views.endpoint_delete, name="delete"),
    path("deliveries/<uuid:pk>/replay/", views.delivery_replay, name="replay"),
]
