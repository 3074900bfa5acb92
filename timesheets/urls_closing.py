"""Pages of the month-end close, under /t/<tenant_slug>/timesheets/closing/ (included by
timesheets/urls.py, namespace "timesheets")."""

from django.urls import path

from . import views_closing

urlpatterns = [
    path("closing/", views_closing.closing_calendar, name="closing"),
    path("closing/<int:year>/<int:month>/", views_closing.closing_calendar_edit, name="closing_edit"),
    path("closing/rules/", views_closing.closing_policy, name="closing_policy"),
    path("closing/reminders/", views_closing.grouped_reminders, name="reminders"),
    path("closing/late/", views_closing.late_report, name="late_report"),
    path("closing/completion/", views_closing.completion, name="completion"),
]
