"""Staff pages of the portal, under /t/<tenant_slug>/portal/ (adv/urls.py)."""

from django.urls import path

from . import staff_views

app_name = "portal_staff"

urlpatterns = [
    path("clients/<uuid:pk>/", staff_views.client_portal, name="client"),
    path("clients/<uuid:pk>/settings/", staff_views.configure, name="configure"),
    path("clients/<uuid:pk>/invite/", staff_views.invite, name="invite"),
    path("clients/<uuid:pk>/access/<uuid:access_pk>/resend/", staff_views.resend, name="resend"),
    path("clients/<uuid:pk>/access/<uuid:access_pk>/revoke/", staff_views.revoke, name="revoke"),
]
