"""Timesheet pages, under /t/<tenant_slug>/timesheets/ (the closing calendar, reminders and
reports come from closing/urls.py). The public client approval page is /approve/<token>/
(adv/urls.py, timesheets/public.py)."""

from django.urls import include, path

from . import views

app_name = "timesheets"

urlpatterns = [
    path("", views.my_month, name="index"),
    path("me/", views.my_month, name="mine"),
    path("me/<int:year>/<int:month>/", views.month_page, name="month"),
    # Someone else's month, reached from the approval queue (ADV, managers).
    path("approvals/members/<uuid:membership_pk>/<int:year>/<int:month>/", views.member_month_page, name="member_month"),
    path("<uuid:pk>/save/", views.timesheet_save, name="save"),
    path("<uuid:pk>/reception/", views.timesheet_reception, name="reception"),
    path("<uuid:pk>/approve/", views.timesheet_approve, name="approve"),
    path("<uuid:pk>/reject/", views.timesheet_reject, name="reject"),
    path("<uuid:pk>/reopen/", views.timesheet_reopen, name="reopen"),
    path("<uuid:pk>/pdf/<uuid:deal_pk>/", views.timesheet_pdf, name="pdf"),
    path("<uuid:pk>/client-approvals/<uuid:approval_pk>/send/", views.client_approval_send, name="client_approval_send"),
    path("<uuid:pk>/client-approvals/<uuid:approval_pk>/upload/", views.client_approval_upload, name="client_approval_upload"),
    path("approvals/", views.approval_queue, name="queue"),
    path("approvals/approve/", views.approval_queue_approve, name="queue_approve"),
    path("", include("timesheets.closing.urls")),
]
