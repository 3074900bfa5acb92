"""Pages of the month-end close, under /t/<tenant_slug>/timesheets/closing/ (included by
timesheets/urls.py, namespace "timesheets")."""

from django.urls import path

from . import views

urlpatterns = [
    path("closing/", views.closing_calendar, name="closing"),
    path("closing/<int:year>/<int:month>/", views.closing_calendar_edit, name="closing_edit"),
    path("closing/rules/", views.closing_policy, name="closing_policy"),
    path("closing/reminders/", views.grouped_reminders, name="reminders"),
    path("closing/late/", views.late_report, name="late_report"),
    path("closing/completion/", views.completion, name="completion"),
]
