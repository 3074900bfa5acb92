"""Collections pages, under /t/<tenant_slug>/dunning/ (namespace "dunning")."""

from django.urls import path

from . import views

app_name = "dunning"

urlpatterns = [
    path("", views.dunning_settings, name="settings"),
    path("steps/", views.step_save, name="step_add"),
    path("steps/<uuid:pk>/", views.step_save, name="step_update"),
    path("steps/<uuid:pk>/delete/", views.step_delete, name="step_delete"),
    path("invoices/<uuid:pk>/remind/", views.invoice_action, {"action": "remind"}, name="invoice_remind"),
    path("invoices/<uuid:pk>/pause/", views.invoice_action, {"action": "pause"}, name="invoice_pause"),
    path("invoices/<uuid:pk>/resume/", views.invoice_action, {"action": "resume"}, name="invoice_resume"),
    path("invoices/<uuid:pk>/promise/", views.invoice_action, {"action": "promise"}, name="invoice_promise"),
    path("clients/<uuid:pk>/", views.client_settings, name="client_settings"),
]
