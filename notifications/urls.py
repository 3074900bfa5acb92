"""Under /t/<tenant_slug>/notifications/ (see adv/urls.py)."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("<uuid:pk>/read/", views.notification_mark_read, name="mark_read"),
    path("<uuid:pk>/open/", views.notification_open, name="open"),
    path("preferences/", views.preferences, name="preferences"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:key>/<str:language>/", views.template_edit, name="template_edit"),
    path("templates/<str:key>/<str:language>/preview/", views.template_preview, name="template_preview"),
    path("templates/<str:key>/<str:language>/reset/", views.template_reset, name="template_reset"),
    path("emails/", views.email_list, name="emails"),
    path("emails/<uuid:pk>/retry/", views.email_retry, name="email_retry"),
]
