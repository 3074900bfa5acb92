"""Pages of deals: the list, the deal form, the deal page with its tabs, the lifecycle actions
(validate provisionally, sign, activate, close, mark lost), instructions, history and the proof
of order. Staffing, purchase orders, milestones, subscriptions and documents are in
views_children.py; reports and settings in views_reports.py. Views parse, call one selector or
service, and render.

Roles (deals/rules.py): consultants get 403 on every deal page; the accountant, the project
manager and the manager read; admin, ADV and sales edit; admin and ADV validate and sign.
Another tenant's deal answers 404, like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.network import client_ip
from adv.tenancy import errors as domain
from adv.tenancy.models import Role
from adv.ui.pages import is_partial, raise_http
from adv.ui.permissions import require_role
from clients.models import Client
from documents import access as document_access

from . import access, rules, selectors, services
from .errors import MissingDocuments
from .forms import DealFilterForm, DealForm, InstructionsForm, LostForm, SignForm
from .models import TRANSITIONS, Deal, DealStatus, DealType

DEALS_PER_PAGE = 25
HISTORY_PER_PAGE = 30
TABS = ("staffing", "orders", "milestones", "subscriptions", "documents", "instructions", "history")

viewers = require_role(*sorted(access.VIEW_ROLES))


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("Votre rôle ne permet pas cette action sur les affaires."))


def deal_or_404(request, pk) -> Deal:
    try:
        return selectors.deal_get(actor=request.membership, pk=pk)
    except (Deal.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Cette affaire n'existe pas."))


def deal_copy_or_404(request, pk) -> Deal:
    try:
        return selectors.deal_for_update(actor=request.membership, pk=pk)
    except (Deal.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Cette affaire n'existe pas."))


def detail_url(tenant_slug: str, deal: Deal, tab: str = "") -> str:
    url = reverse("deals:detail", kwargs={"tenant_slug": tenant_slug, "pk": deal.pk})
    return f"{url}?tab={tab}#{tab}" if tab else url


def deal_permissions(membership, deal: Deal | None = None) -> dict:
    finished = deal is not None and deal.status in (DealStatus.CLOSED, DealStatus.LOST)
    return {
        "can_edit": access.can_edit_deals(membership) and not finished,
        "can_validate": access.can_validate_deals(membership),
        "can_staff": access.can_staff(membership) and not finished,
        "can_manage_milestones": deal is not None and access.can_manage_milestones(membership, deal) and not finished,
        "can_upload": document_access.can_upload_documents(membership),
        "show_rates": selectors.rates_visible(membership),
    }


# --- List --------------------------------------------------------------------------------------------


@viewers
@require_GET
def deal_list(request, tenant_slug):
    membership = request.membership
    form = DealFilterForm(request.GET or None)
    filters = (form if request.GET else DealFilterForm({})).filters(me=membership)
    page = Paginator(selectors.deal_list_rows(actor=membership, filters=filters), DEALS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.decorate(list(page.object_list))
    context = {
        "filter_form": form,
        "filters": filters,
        "page": page,
        "filtered": filters.active,
        "counts": selectors.status_counts(actor=membership),
        **deal_permissions(membership),
    }
    template = "deals/_list_results.html" if is_partial(request) else "deals/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Create, edit ---------------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def deal_create(request, tenant_slug):
    membership = request.membership
    require(access.can_edit_deals(membership))
    initial = {"deal_type": DealType.T_AND_M, "start_date": timezone.localdate(), "currency": "EUR"}
    client_id = request.GET.get("client")
    if client_id:  # "Nouvelle affaire" from a client's page
        client = Client.objects.filter(pk=client_id).first() if _is_uuid(client_id) else None
        if client is not None:
            initial["client"] = client.pk
    if membership.role == Role.SALES:
        initial["sales_owner"] = membership.pk
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_create(actor=membership, client=form.cleaned_data["client"], **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("L'affaire %(reference)s est créée (brouillon).") % {"reference": deal.reference})
            return redirect(detail_url(tenant_slug, deal))
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/form.html", {"form": form, "deal": None}, status=status)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@viewers
@require_http_methods(["GET", "POST"])
def deal_edit(request, tenant_slug, pk):
    deal = deal_copy_or_404(request, pk)
    require(access.can_edit_deals(request.membership))
    form = DealForm(request.POST or None, deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_update(actor=request.membership, deal=deal, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("L'affaire %(reference)s est enregistrée.") % {"reference": deal.reference})
            return redirect(detail_url(tenant_slug, deal))
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/form.html", {"form": form, "deal": deal_copy_or_404(request, pk)}, status=status)


# --- Deal page ---------------------------------------------------------------------------------------


ACTION_TARGETS = {
    "validate": DealStatus.PROVISIONAL, "sign": DealStatus.SIGNED, "activate": DealStatus.ACTIVE,
    "close": DealStatus.CLOSED, "lost": DealStatus.LOST,
}


def _actions(membership, deal: Deal) -> dict:
    """The lifecycle buttons the deal's status allows (models.TRANSITIONS) and the role may use."""
    next_statuses = TRANSITIONS[deal.status]
    allowed = {name: target in next_statuses for name, target in ACTION_TARGETS.items()}
    can_validate = access.can_validate_deals(membership)
    return {
        "validate": allowed["validate"] and can_validate,
        "sign": allowed["sign"] and can_validate,
        "activate": allowed["activate"] and can_validate,
        "close": allowed["close"] and can_validate,
        "lost": allowed["lost"] and access.can_edit_deals(membership),
    }


@viewers
@require_GET
def deal_detail(request, tenant_slug, pk):
    membership = request.membership
    deal = deal_or_404(request, pk)
    now = timezone.now()
    policy = selectors.policy_get()
    selectors.decorate([deal], now=now, policy=policy)
    assignments = list(deal.assignments.all())
    milestones = selectors.milestone_chases_attach(list(deal.milestones.all()))
    subscriptions = list(deal.subscriptions.all())
    documents = selectors.deal_documents(actor=membership, deal=deal)
    permissions = deal_permissions(membership, deal)
    milestone_documents = selectors.milestone_document_choices(actor=membership, deal=deal) if permissions["can_manage_milestones"] else []
    stake = sum(((a.planned_days or 0) * a.daily_rate for a in assignments if a.is_active), 0)
    for milestone in milestones:
        milestone.candidates = [d for d in milestone_documents if d.document_type_id == milestone.required_document_type_id]
        milestone.blocked_days = selectors.milestone_blocked_days(milestone, now)
        milestone.responsible = milestone.project_manager or deal.project_manager
    total_scheduled = sum((m.amount for m in milestones), 0)
    tab = request.GET.get("tab", "")
    default_tab = "milestones" if deal.deal_type == DealType.FIXED_PRICE else (
        "subscriptions" if deal.deal_type == DealType.SUBSCRIPTION else "staffing"
    )
    attachable = selectors.attachable_documents(actor=membership, deal=deal) if permissions["can_upload"] else []
    chases, escalation = selectors.deal_chases(deal) if deal.is_provisional else ([], None)
    context = {
        "deal": deal,
        "policy": policy,
        "actions": _actions(membership, deal),
        "assignments": assignments,
        "active_assignments": sum(1 for a in assignments if a.is_active),
        "amount_at_stake": stake,
        "purchase_orders": list(deal.purchase_orders.all()),
        "milestones": milestones,
        "total_scheduled": total_scheduled,
        "subscriptions": subscriptions,
        "documents": documents,
        "attachable": attachable,
        "milestone_documents": milestone_documents,
        "recipients": list(deal.invoice_recipients.all()),
        "profile": getattr(deal.client, "billing_profile", None),
        "staffable": deal.status in rules.STAFFABLE,
        "chases": chases,
        "escalation": escalation,
        "tab": tab if tab in TABS else default_tab,
        "today": timezone.localdate(),
        "lost_form": LostForm(),
        "upload_form": upload_form(membership) if permissions["can_upload"] else None,
        **permissions,
    }
    return render(request, "deals/detail.html", context)


def upload_form(membership, data=None, files=None, initial=None):
    from .forms import DealDocumentUploadForm

    return DealDocumentUploadForm(data, files, actor=membership, auto_id="id_upload_%s", initial=initial)


# --- Lifecycle ---------------------------------------------------------------------------------


def _transition(request, tenant_slug, pk, service, success: str):
    deal = deal_copy_or_404(request, pk)
    try:
        deal = service(actor=request.membership, deal=deal)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"reference": deal.reference})
    return redirect(detail_url(tenant_slug, deal))


@viewers
@require_POST
def deal_validate(request, tenant_slug, pk):
    return _transition(
        request, tenant_slug, pk, services.deal_validate_provisionally,
        _("L'affaire %(reference)s est validée provisoirement : les consultants peuvent être staffés. Elle reste signalée jusqu'à sa signature."),
    )


@viewers
@require_POST
def deal_activate(request, tenant_slug, pk):
    return _transition(request, tenant_slug, pk, services.deal_activate, _("L'affaire %(reference)s est en cours."))


@viewers
@require_POST
def deal_close(request, tenant_slug, pk):
    return _transition(request, tenant_slug, pk, services.deal_close, _("L'affaire %(reference)s est clôturée."))


@viewers
@require_http_methods(["GET", "POST"])
def deal_sign(request, tenant_slug, pk):
    membership = request.membership
    deal = deal_copy_or_404(request, pk)
    require(access.can_validate_deals(membership), _("Seuls l'ADV et les administrateurs enregistrent la signature."))
    missing = rules.missing_for_signature(deal)
    form = SignForm(request.POST or None, deal=deal, reason_required=bool(missing))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deal = services.deal_sign(
                actor=membership, deal=deal, signed_on=data["signed_on"], signed_by_contact=data["signed_by_contact"],
                override_reason=data["override_reason"],
            )
        except MissingDocuments as error:
            missing = error.missing
            form.add_error("override_reason", _("Déposez les documents manquants, ou indiquez un motif pour signer sans."))
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            if deal.signature_override_reason:
                messages.warning(request, _("L'affaire %(reference)s est signée sans tous ses documents ; le motif est enregistré.") % {"reference": deal.reference})
            else:
                messages.success(request, _("L'affaire %(reference)s est signée.") % {"reference": deal.reference})
            return redirect(detail_url(tenant_slug, deal))
    status = 400 if request.method == "POST" else 200
    shown = deal_copy_or_404(request, pk)
    context = {
        "form": form, "deal": shown, "missing": missing, "documents_url": detail_url(tenant_slug, shown, "documents"),
        "orders_url": detail_url(tenant_slug, shown, "orders"),
    }
    return render(request, "deals/sign.html", context, status=status)


@viewers
@require_http_methods(["GET", "POST"])
def deal_lost(request, tenant_slug, pk):
    deal = deal_copy_or_404(request, pk)
    require(access.can_edit_deals(request.membership))
    form = LostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_mark_lost(actor=request.membership, deal=deal, reason=form.cleaned_data["reason"])
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("L'affaire %(reference)s est marquée perdue.") % {"reference": deal.reference})
            return redirect(detail_url(tenant_slug, deal))
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/lost.html", {"form": form, "deal": deal_copy_or_404(request, pk)}, status=status)


# --- Instructions and billing overrides -----------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def deal_instructions(request, tenant_slug, pk):
    deal = deal_or_404(request, pk)
    require(access.can_edit_deals(request.membership))
    form = InstructionsForm(request.POST or None, deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(actor=request.membership, deal=deal, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Consignes de l'affaire %(reference)s enregistrées.") % {"reference": deal.reference})
            return redirect(detail_url(tenant_slug, deal, "instructions"))
    status = 400 if request.method == "POST" else 200
    return render(request, "deals/instructions_form.html", {"form": form, "deal": deal}, status=status)


# --- History, proof of order ----------------------------------------------------------------------


@viewers
@require_GET
def deal_history(request, tenant_slug, pk):
    deal = deal_copy_or_404(request, pk)
    events = selectors.deal_history_events(actor=request.membership, deal=deal)
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.deal_history_rows(page.object_list, show_rates=selectors.rates_visible(request.membership))
    context = {"deal": deal, "page": page, "rows": rows}
    template = "deals/_history.html" if is_partial(request) else "deals/history.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@viewers
@require_GET
def deal_proof_of_order(request, tenant_slug, pk):
    from .exports import deal_proof_of_order_build

    deal = deal_or_404(request, pk)
    proof = deal_proof_of_order_build(actor=request.membership, deal=deal, ip_address=client_ip(request))
    if proof is None:
        messages.info(
            request,
            _("Aucun document contractuel n'est rattaché à l'affaire %(reference)s : déposez le devis signé ou le bon de commande dans l'onglet Documents.")
            % {"reference": deal.reference},
        )
        return redirect(detail_url(tenant_slug, deal, "documents"))
    response = FileResponse(proof.file, as_attachment=True, filename=proof.filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response
