"""Deal pages, under /t/<tenant_slug>/deals/ (namespace "deals")."""

from django.urls import path

from . import views, views_children, views_reports

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("new/", views.deal_create, name="create"),
    path("reports/unsigned/", views_reports.unsigned_report, name="unsigned"),
    path("reports/milestones/", views_reports.milestone_report, name="milestones"),
    path("reports/commissions/", views_reports.commissions, name="commissions"),
    path("settings/", views_reports.deal_settings, name="settings"),
    path("clients/<uuid:client_pk>/", views_reports.client_panel, name="client_panel"),
    path("<uuid:pk>/", views.deal_detail, name="detail"),
    path("<uuid:pk>/edit/", views.deal_edit, name="edit"),
    path("<uuid:pk>/validate/", views.deal_validate, name="validate"),
    path("<uuid:pk>/sign/", views.deal_sign, name="sign"),
    path("<uuid:pk>/activate/", views.deal_activate, name="activate"),
    path("<uuid:pk>/close/", views.deal_close, name="close"),
    path("<uuid:pk>/lost/", views.deal_lost, name="lost"),
    path("<uuid:pk>/instructions/", views.deal_instructions, name="instructions"),
    path("<uuid:pk>/history/", views.deal_history, name="history"),
    path("<uuid:pk>/proof-of-order/", views.deal_proof_of_order, name="proof_of_order"),
    path("<uuid:pk>/assignments/new/", views_children.assignment_create, name="assignment_create"),
    path("<uuid:pk>/assignments/<uuid:assignment_pk>/", views_children.assignment_edit, name="assignment_edit"),
    path("<uuid:pk>/purchase-orders/new/", views_children.purchase_order_create, name="purchase_order_create"),
    path("<uuid:pk>/purchase-orders/<uuid:po_pk>/", views_children.purchase_order_edit, name="purchase_order_edit"),
    path("<uuid:pk>/milestones/", views_children.milestone_schedule, name="schedule"),
    path("<uuid:pk>/milestones/<uuid:milestone_pk>/attach/", views_children.milestone_attach, name="milestone_attach"),
    path("<uuid:pk>/milestones/<uuid:milestone_pk>/event/", views_children.milestone_event, name="milestone_event"),
    path("<uuid:pk>/subscriptions/new/", views_children.subscription_create, name="subscription_create"),
    path("<uuid:pk>/subscriptions/<uuid:subscription_pk>/", views_children.subscription_edit, name="subscription_edit"),
    path("<uuid:pk>/documents/attach/", views_children.document_attach, name="document_attach"),
    path("<uuid:pk>/documents/upload/", views_children.document_upload, name="document_upload"),
    path("<uuid:pk>/documents/<uuid:document_pk>/detach/", views_children.document_detach, name="document_detach"),
]
