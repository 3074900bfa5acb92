"""Reports of deals (unsigned deals, due and blocked milestones, commissions, each with a CSV /
XLSX export), the firm's rules for deals (admins), and the panel of a client's deals.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from adv import exports as tables
from adv.tenancy import errors as domain
from adv.ui import threads
from adv.ui.pages import is_partial, raise_http
from adv.ui.permissions import require_admin
from clients.models import Client

from . import access, exports, selectors, services
from .forms import CommissionFilterForm, DealPolicyForm, MilestoneFilterForm, UnsignedFilterForm
from .models import DealPolicy
from .views import require, viewers

ROWS_PER_PAGE = 50
EXPORT_FORMATS = ("csv", "xlsx")


def _export(columns, rows, *, stem: str, sheet: str, fmt: str) -> FileResponse:
    return tables.table_response(columns, rows, stem=stem, sheet=sheet, fmt=fmt)


def _querystring_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# --- Unsigned deals ---------------------------------------------------------------------------------


@viewers
@require_GET
def unsigned_report(request, tenant_slug):
    membership = request.membership
    now = timezone.now()
    form = UnsignedFilterForm(request.GET or None)
    filters = (form if request.GET else UnsignedFilterForm({})).filters(me=membership)
    queryset = selectors.unsigned_deals(actor=membership, filters=filters, now=now)
    show_rates = selectors.rates_visible(membership)
    policy = selectors.policy_get()
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        deals = selectors.deal_chases_attach(selectors.decorate(list(queryset), now=now, policy=policy))
        return _export(
            exports.unsigned_columns(show_rates=show_rates), exports.unsigned_rows(deals, show_rates=show_rates, now=now),
            stem=_("affaires-non-signees"), sheet=_("Affaires non signées"), fmt=fmt,
        )
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.deal_chases_attach(selectors.decorate(list(page.object_list), now=now, policy=policy))
    for deal in page.object_list:
        deal.age_bucket = selectors.age_bucket(deal.provisional_age or 0)
    threads.attach(request.membership, "deal", page.object_list)
    context = {
        "filter_form": form,
        "filters": filters,
        "filtered": filters.active,
        "page": page,
        "summary": selectors.unsigned_summary(queryset, now=now),
        "policy": policy,
        "show_rates": show_rates,
        "export_query": _querystring_without(request, "page", "export"),
        "buckets": selectors.AGE_BUCKETS,
    }
    template = "deals/reports/_unsigned_results.html" if is_partial(request) else "deals/reports/unsigned.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Due and blocked milestones ---------------------------------------------------------------------


@viewers
@require_GET
def milestone_report(request, tenant_slug):
    membership = request.membership
    now = timezone.now()
    form = MilestoneFilterForm(request.GET or None)
    filters = (form if request.GET else MilestoneFilterForm({})).filters(me=membership)
    queryset = selectors.milestone_report(actor=membership, filters=filters)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return _export(
            exports.milestone_columns(), exports.milestone_rows(list(queryset), now=now),
            stem=_("echeances"), sheet=_("Échéances"), fmt=fmt,
        )
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.milestone_chases_attach(list(page.object_list))
    for milestone in page.object_list:
        milestone.responsible = selectors.milestone_responsible(milestone)
        milestone.blocked_days = selectors.milestone_blocked_days(milestone, now)
    policy = selectors.policy_get()
    context = {
        "filter_form": form,
        "filters": filters,
        "filtered": filters.active,
        "page": page,
        "policy": policy,
        "export_query": _querystring_without(request, "page", "export"),
    }
    template = "deals/reports/_milestones_results.html" if is_partial(request) else "deals/reports/milestones.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Commissions ------------------------------------------------------------------------------------


@viewers
@require_GET
def commissions(request, tenant_slug):
    """Every deal with its signature status: only signed deals are commissionable."""
    membership = request.membership
    require(selectors.rates_visible(membership), _("Votre rôle ne donne pas accès aux commissions."))
    form = CommissionFilterForm(request.GET or None)
    filters = (form if request.GET else CommissionFilterForm({})).filters(me=membership)
    queryset = selectors.commission_deals(actor=membership, filters=filters)
    fmt = request.GET.get("export")
    if fmt in EXPORT_FORMATS:
        return _export(
            exports.commission_columns(), exports.commission_rows(queryset.iterator(chunk_size=500)),
            stem=_("commissions"), sheet=_("Commissions"), fmt=fmt,
        )
    page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    totals = {"signed": 0, "unsigned": 0}
    for status, in queryset.order_by().values_list("status"):
        totals["signed" if selectors.is_signed_status(status) else "unsigned"] += 1
    context = {
        "page": page, "totals": totals, "filter_form": form, "filtered": filters.active,
        "export_query": _querystring_without(request, "page", "export"),
    }
    return render(request, "deals/reports/commissions.html", context)


# --- The firm's rules for deals (admins) -------------------------------------------------------


@require_admin
@require_http_methods(["GET", "POST"])
def deal_settings(request, tenant_slug):
    current = selectors.policy_get()
    form = DealPolicyForm(request.POST or None, instance=current if current.pk else DealPolicy())
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_update(actor=request.membership, **form.cleaned_data)
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Les règles des affaires sont enregistrées."))
            return redirect("deals:settings", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/settings.html", {"form": form}, status=status)


# --- Deals of one client (a panel the client page may load) ---------------------------------------


@viewers
@require_GET
def client_panel(request, tenant_slug, client_pk):
    try:
        client = Client.objects.get(pk=client_pk)
    except (Client.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Ce client n'existe pas."))
    deals = selectors.client_deals(actor=request.membership, client=client)
    context = {"client": client, "deals": deals, "policy": selectors.policy_get(), "can_edit": access.can_edit_deals(request.membership)}
    template = "deals/_client_panel.html" if is_partial(request) else "deals/client_panel.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
