"""URL map. Tenant pages live under /t/<tenant_slug>/ (TenantMiddleware resolves the firm);
the API under /api/v1/ (bearer token) and /t/<tenant_slug>/api/v1/ (session, browsable).

Every view under /t/<tenant_slug>/ receives the `tenant_slug` keyword argument.
"""

from django.contrib import admin
from django.urls import include, path

from adv.ui import csp, health, pickers
from adv.ui import views as ui_views
from clients import pickers as client_pickers
from clients import urls as client_urls
from documents import urls as document_urls
from timesheets import public as timesheet_public

tenant_patterns = [
    path("", include("adv.ui.urls")),
    # Autocomplete suggestions (adv/ui/pickers.py): people by role, clients.
    path("pickers/members/", pickers.members_picker, name="picker_members"),
    path("pickers/clients/", client_pickers.clients_picker, name="picker_clients"),
    path("notifications/", include("notifications.urls")),
    # The client pages and their documents' pages share the path and the namespace "clients".
    path("clients/", include((client_urls.urlpatterns + document_urls.urlpatterns, client_urls.app_name))),
    path("deals/", include("deals.urls")),
    path("timesheets/", include("timesheets.urls")),
    path("billing/", include("billing.urls")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("portal/", include("portal.staff_urls")),
    path("reporting/", include("reporting.urls")),
    path("accounting/", include("accounting.urls")),
    path("dunning/", include("dunning.urls")),
    path("chat/", include("chat.urls")),
    path("api/v1/", include(("adv.api.urls", "api"), namespace="session-api")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("csp-report/", csp.report, name="csp_report"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("adv.api.urls", "api"), namespace="api")),
    path("t/<slug:tenant_slug>/", include(tenant_patterns)),
    path("p/<slug:tenant_slug>/", include("portal.urls")),  # the client portal (portal/session.py)
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", ui_views.language_switch, name="language_switch"),
    path("", ui_views.home, name="home"),
    # A client's signatory approves a consultant's month without an account (single-use link).
    path("approve/<str:token>/", timesheet_public.client_approval_page, name="client_approval"),
    path("", include("einvoicing.urls")),
    path("", include("adv.users.urls")),
]

handler403 = "adv.ui.views.error_403"
handler404 = "adv.ui.views.error_404"
handler500 = "adv.ui.views.error_500"
