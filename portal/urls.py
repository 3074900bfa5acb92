"""The client portal's pages, under /p/<tenant_slug>/ (adv/urls.py)."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("link/<str:token>/", views.link, name="link"),
    path("logout/", views.logout, name="logout"),
    path("language/", views.language, name="language"),
    path("logo/", views.logo, name="logo"),
    path("timesheets/", views.timesheets, name="timesheets"),
    path("milestones/", views.milestones, name="milestones"),
    path("milestones/<uuid:pk>/draft.pdf", views.milestone_draft, name="milestone_draft"),
    path("references/", views.references, name="references"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<uuid:pk>/dispute/", views.invoice_dispute, name="invoice_dispute"),
    path("invoices/<uuid:pk>/<str:which>/", views.invoice_file, name="invoice_file"),
    path("account/", views.account, name="account"),
]
