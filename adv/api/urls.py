"""URLs of the REST API, included twice by adv/urls.py:

- `/api/v1/` (namespace "api"): bearer-token clients (integrations);
- `/t/<tenant_slug>/api/v1/` (namespace "session-api"): the browsable API for people logged in
  to the application. Views there receive the `tenant_slug` keyword (the base classes in
  `adv.api.viewsets` drop it: the tenant is `request.tenant`).

The OpenAPI schema is at /api/v1/schema/, Swagger UI at /api/v1/docs/ and ReDoc at
/api/v1/redoc/: public, served without any CDN (drf-spectacular-sidecar).
"""

from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views


class ApiRouter(DefaultRouter):
    """DefaultRouter with the non-viewset endpoints listed in the API root, and no `.json`
    format suffixes (content negotiation uses the Accept header)."""

    include_format_suffixes = False
    extra_root_entries = {"me": "me"}

    def get_api_root_view(self, api_urls=None):
        api_root_dict = {prefix: self.routes[0].name.format(basename=basename) for prefix, _, basename in self.registry}
        api_root_dict.update(self.extra_root_entries)
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = ApiRouter()

# --- Core resources (adv.api) --------------------------------------------------------------
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("users", views.UserViewSet, basename="user")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("tokens", views.ApiTokenViewSet, basename="token")

# --- Register here ------------------------------------------------------------------------
# Each app registers its viewsets below, one line each, in the app's own block, e.g.:
#     from clients.api import ClientViewSet
#     router.register("clients", ClientViewSet, basename="client")
# Viewsets derive from adv.api.viewsets.TenantGenericViewSet (tenant-scoped, see its docstring);
# the cross-tenant security tests discover the routes registered here by themselves.

# clients (client records)
from clients.api import ClientViewSet, ContactViewSet  # noqa: E402

router.register("clients", ClientViewSet, basename="client")
router.register("contacts", ContactViewSet, basename="contact")

# clients (documents, document types, expected documents)
from documents.api import DocumentRequirementViewSet, DocumentTypeViewSet, DocumentViewSet  # noqa: E402

router.register("documents", DocumentViewSet, basename="document")
router.register("document-types", DocumentTypeViewSet, basename="document-type")
router.register("document-requirements", DocumentRequirementViewSet, basename="document-requirement")

# deals (deals, staffing, milestones, subscriptions, purchase orders)
from deals.api import AssignmentViewSet, DealViewSet, MilestoneViewSet, PurchaseOrderViewSet, SubscriptionViewSet  # noqa: E402

router.register("deals", DealViewSet, basename="deal")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")

# timesheets (monthly CRA, approval workflow)
from timesheets.api import TimesheetViewSet  # noqa: E402

router.register("timesheets", TimesheetViewSet, basename="timesheet")

# billing (runs, pre-invoices, invoices, credit notes, payments)
from billing.api import BillingRunViewSet, CreditNoteViewSet, InvoiceViewSet, PaymentViewSet, PreInvoiceViewSet  # noqa: E402

router.register("billing-runs", BillingRunViewSet, basename="billing-run")
router.register("pre-invoices", PreInvoiceViewSet, basename="pre-invoice")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("payments", PaymentViewSet, basename="payment")

# webhooks (outgoing webhooks: endpoints, delivery log)
from webhooks.api import DeliveryViewSet, EndpointViewSet  # noqa: E402

router.register("webhooks", EndpointViewSet, basename="webhook")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")


# The client portal's staff API (portal/api.py): invite, list, resend, revoke portal contacts.
from portal.api import PortalContactViewSet  # noqa: E402

router.register("portal-contacts", PortalContactViewSet, basename="portal-contact")
# dunning (collections: plan, steps, reminders sent, an invoice's dunning and its actions)
from dunning.api import DunningInvoiceViewSet, DunningPlanViewSet, DunningStepViewSet, ReminderViewSet  # noqa: E402

router.register("dunning/plans", DunningPlanViewSet, basename="dunning-plan")
router.register("dunning/steps", DunningStepViewSet, basename="dunning-step")
router.register("dunning/reminders", ReminderViewSet, basename="dunning-reminder")
router.register("dunning/invoices", DunningInvoiceViewSet, basename="dunning-invoice")
# billing jobs (bulk issue and send run by the workers)
from billing.api_jobs import BillingJobViewSet  # noqa: E402

router.register("billing-jobs", BillingJobViewSet, basename="billing-job")


# accounting (FEC, CSV journal, export log, account mapping)
from accounting import api as accounting_api  # noqa: E402

router.register("accounting/exports", accounting_api.ExportViewSet, basename="accounting-export")
accounting_paths = [
    path("accounting/fec/", accounting_api.FecView.as_view(), name="accounting-fec"),
    path("accounting/sales-journal/", accounting_api.SalesJournalView.as_view(), name="accounting-sales-journal"),
    path("accounting/mapping/", accounting_api.MappingView.as_view(), name="accounting-mapping"),
]

# chat (conversations, messages, presence)
from chat.api import ConversationViewSet, MessageViewSet, PresenceView  # noqa: E402

# reporting (revenue, FAE, PCA, receivables with aged balance and DSO, the close): read-only views
from reporting.api import urlpatterns as reporting_paths  # noqa: E402

router.register("conversations", ConversationViewSet, basename="conversation")
router.register("messages", MessageViewSet, basename="message")
chat_paths = [path("presence/", PresenceView.as_view(), name="presence")]

# einvoicing (submissions to the platforms with their lifecycle history, e-reporting; retries)
from einvoicing.api import EReportViewSet, SubmissionViewSet, SupplierInvoiceViewSet  # noqa: E402

router.register("einvoicing/submissions", SubmissionViewSet, basename="einvoicing-submission")
router.register("einvoicing/reports", EReportViewSet, basename="einvoicing-report")
router.register("einvoicing/supplier-invoices", SupplierInvoiceViewSet, basename="einvoicing-supplier-invoice")

# ReDoc's bundle adds one <style> (its scrollbars' CSS) as it loads, before it can be handed the
# nonce: that exact content (and the empty element it starts as) is allowed by its hash, on this
# page only. Another version of the bundle (drf-spectacular-sidecar) has another hash: the
# browser tests report the violation.
REDOC_STYLE_HASHES = {"style-src": [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
]}

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): no inline script under the CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
         name="swagger-ui"),
    path("redoc/", csp_update(REDOC_STYLE_HASHES)(
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")), name="redoc"),
    # Views that are not viewsets, before the router's patterns.
    *reporting_paths,
    *accounting_paths,
    *chat_paths,
    *router.urls,
    # Last: any other address under the API answers a problem+json 404 (401 without credentials).
    re_path(r"^.*$", views.ApiNotFoundView.as_view(), name="not-found"),
]
