"""Pages of what hangs off a deal: staffing, purchase orders, the milestone schedule (edited in
one form that must add up), milestone documents and events, subscriptions, and the documents
attached to the deal. Each form calls one service; a refused input changes nothing and shows
why next to the field.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from adv.tenancy import errors as domain
from adv.tenancy.roles import PROJECT_MANAGER_ROLES
from adv.ui.pages import raise_http
from documents import access as document_access
from documents.models import Document

from . import access, selectors, services
from .forms import (
    AssignmentForm,
    DocumentAttachForm,
    MilestoneAttachForm,
    MilestoneEventForm,
    PurchaseOrderForm,
    ScheduleFormSet,
    SubscriptionForm,
    schedule_initial,
)
from .models import Assignment, Deal, DealType, Milestone, MilestoneStatus, PurchaseOrder, Subscription
from .views import deal_copy_or_404, deal_or_404, detail_url, require, upload_form, viewers


def _child_or_404(model, deal: Deal, pk):
    try:
        return model.objects.select_related("deal").get(deal=deal, pk=pk)
    except (model.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Cet élément n'existe pas."))


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


# --- Staffing -------------------------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def assignment_create(request, tenant_slug, pk):
    deal = deal_copy_or_404(request, pk)
    require(access.can_staff(request.membership), _("Votre rôle ne permet pas de staffer des consultants."))
    form = AssignmentForm(request.POST or None, deal=deal)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(
                actor=request.membership, deal=deal, consultant=form.cleaned_data["consultant"], **form.service_fields()
            )
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Affectation de %(name)s à l'affaire enregistrée.") % {"name": assignment.consultant.user})
            return redirect(detail_url(tenant_slug, deal, "staffing"))
    context = {"form": form, "deal": deal, "assignment": None, "show_rates": selectors.rates_visible(request.membership)}
    return render(request, "deals/assignment_form.html", context, status=_status(request))


@viewers
@require_http_methods(["GET", "POST"])
def assignment_edit(request, tenant_slug, pk, assignment_pk):
    deal = deal_copy_or_404(request, pk)
    assignment = _child_or_404(Assignment, deal, assignment_pk)
    require(access.can_staff(request.membership), _("Votre rôle ne permet pas de staffer des consultants."))
    form = AssignmentForm(request.POST or None, deal=deal, assignment=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(actor=request.membership, assignment=assignment, **form.service_fields())
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Staffing de %(name)s enregistré.") % {"name": assignment.consultant.user})
            return redirect(detail_url(tenant_slug, deal, "staffing"))
    shown = _child_or_404(Assignment, deal, assignment_pk)
    context = {"form": form, "deal": deal, "assignment": shown, "show_rates": selectors.rates_visible(request.membership)}
    return render(request, "deals/assignment_form.html", context, status=_status(request))


# --- Purchase orders -------------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def purchase_order_create(request, tenant_slug, pk):
    return _purchase_order_form(request, tenant_slug, pk, None)


@viewers
@require_http_methods(["GET", "POST"])
def purchase_order_edit(request, tenant_slug, pk, po_pk):
    return _purchase_order_form(request, tenant_slug, pk, po_pk)


def _purchase_order_form(request, tenant_slug, pk, po_pk):
    deal = deal_copy_or_404(request, pk)
    purchase_order = _child_or_404(PurchaseOrder, deal, po_pk) if po_pk else None
    require(access.can_edit_deals(request.membership))
    form = PurchaseOrderForm(request.POST or None, deal=deal, actor=request.membership, purchase_order=purchase_order)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.purchase_order_save(
                actor=request.membership, deal=deal, purchase_order=purchase_order, **form.cleaned_data
            )
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Bon de commande %(number)s enregistré.") % {"number": saved.number})
            return redirect(detail_url(tenant_slug, deal, "orders"))
    shown = _child_or_404(PurchaseOrder, deal, po_pk) if po_pk else None
    return render(request, "deals/purchase_order_form.html", {"form": form, "deal": deal, "purchase_order": shown}, status=_status(request))


# --- Milestones -------------------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def milestone_schedule(request, tenant_slug, pk):
    """The whole schedule in one form; the service refuses it unless it adds up."""
    deal = deal_or_404(request, pk)
    require(access.can_manage_milestones(request.membership, deal), _("Votre rôle ne permet pas de modifier l'échéancier."))
    if deal.deal_type != DealType.FIXED_PRICE:
        raise Http404(_("Les échéances concernent les affaires au forfait."))
    milestones = list(deal.milestones.all())
    invoiced = [m for m in milestones if m.status == MilestoneStatus.INVOICED]
    editable = [m for m in milestones if m.status != MilestoneStatus.INVOICED]
    types = selectors.document_type_choices()
    managers = selectors.member_choices(roles=PROJECT_MANAGER_ROLES)
    formset = ScheduleFormSet(
        request.POST or None, prefix="m", initial=None if request.POST else schedule_initial(editable), types=types, managers=managers,
    )
    error = None
    if request.method == "POST" and formset.is_valid():
        items = formset.items()
        try:
            services.milestone_schedule_replace(actor=request.membership, deal=deal, items=items)
        except domain.DomainError as exc:
            raise_http(exc)
            error = exc.message
        else:
            messages.success(request, _("Échéancier de l'affaire %(reference)s enregistré.") % {"reference": deal.reference})
            return redirect(detail_url(tenant_slug, deal, "milestones"))
    invoiced_total = sum((m.amount for m in invoiced), 0)
    context = {
        "deal": deal,
        "formset": formset,
        "invoiced": invoiced,
        "invoiced_total": invoiced_total,
        "remaining_total": (deal.ordered_amount - invoiced_total) if deal.ordered_amount is not None else None,
        "error": error,
    }
    return render(request, "deals/schedule_form.html", context, status=_status(request))


@viewers
@require_POST
def milestone_attach(request, tenant_slug, pk, milestone_pk):
    deal = deal_copy_or_404(request, pk)
    milestone = _child_or_404(Milestone, deal, milestone_pk)
    require(access.can_manage_milestones(request.membership, deal))
    documents = selectors.milestone_document_choices(actor=request.membership, deal=deal)
    form = MilestoneAttachForm(request.POST, documents=documents, milestone=milestone)
    if form.is_valid():
        try:
            milestone = services.milestone_attach_document(actor=request.membership, milestone=milestone, document=form.cleaned_data["document"])
        except domain.DomainError as error:
            raise_http(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Document joint à l'échéance « %(label)s » (%(status)s).") % {
                "label": milestone.label, "status": milestone.get_status_display().lower(),
            })
    else:
        messages.error(request, _("Choisissez un document du bon type pour l'échéance « %(label)s ».") % {"label": milestone.label})
    return redirect(detail_url(tenant_slug, deal, "milestones"))


@viewers
@require_POST
def milestone_event(request, tenant_slug, pk, milestone_pk):
    deal = deal_copy_or_404(request, pk)
    milestone = _child_or_404(Milestone, deal, milestone_pk)
    require(access.can_manage_milestones(request.membership, deal))
    form = MilestoneEventForm(request.POST)
    if form.is_valid():
        try:
            milestone = services.milestone_record_event(actor=request.membership, milestone=milestone, occurred_on=form.cleaned_data["occurred_on"])
        except domain.DomainError as error:
            raise_http(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Événement enregistré : l'échéance « %(label)s » est %(status)s.") % {
                "label": milestone.label, "status": milestone.get_status_display().lower(),
            })
    else:
        messages.error(request, _("Indiquez la date de l'événement."))
    return redirect(detail_url(tenant_slug, deal, "milestones"))


# --- Subscriptions ----------------------------------------------------------------------------------


@viewers
@require_http_methods(["GET", "POST"])
def subscription_create(request, tenant_slug, pk):
    return _subscription_form(request, tenant_slug, pk, None)


@viewers
@require_http_methods(["GET", "POST"])
def subscription_edit(request, tenant_slug, pk, subscription_pk):
    return _subscription_form(request, tenant_slug, pk, subscription_pk)


def _subscription_form(request, tenant_slug, pk, subscription_pk):
    deal = deal_copy_or_404(request, pk)
    subscription = _child_or_404(Subscription, deal, subscription_pk) if subscription_pk else None
    require(access.can_edit_deals(request.membership))
    if deal.deal_type != DealType.SUBSCRIPTION:
        raise Http404(_("Les abonnements concernent les affaires de type abonnement."))
    form = SubscriptionForm(request.POST or None, deal=deal, subscription=subscription)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.subscription_save(actor=request.membership, deal=deal, subscription=subscription, **form.cleaned_data)
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Abonnement « %(label)s » enregistré ; prochaine facturation le %(day)s.") % {
                "label": saved.label, "day": saved.next_billing_date.strftime("%d/%m/%Y"),
            })
            return redirect(detail_url(tenant_slug, deal, "subscriptions"))
    shown = _child_or_404(Subscription, deal, subscription_pk) if subscription_pk else None
    return render(request, "deals/subscription_form.html", {"form": form, "deal": deal, "subscription": shown}, status=_status(request))


# --- Documents of the deal --------------------------------------------------------------------------


@viewers
@require_POST
def document_attach(request, tenant_slug, pk):
    deal = deal_copy_or_404(request, pk)
    require(document_access.can_upload_documents(request.membership), _("Votre rôle ne permet pas de rattacher des documents."))
    form = DocumentAttachForm(request.POST, documents=selectors.attachable_documents(actor=request.membership, deal=deal))
    if form.is_valid():
        try:
            document = services.document_attach_to_deal(actor=request.membership, deal=deal, document=form.cleaned_data["document"])
        except domain.DomainError as error:
            raise_http(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("« %(title)s » est rattaché à l'affaire.") % {"title": document.title})
    else:
        messages.error(request, _("Choisissez un document du client à rattacher."))
    return redirect(detail_url(tenant_slug, deal, "documents"))


@viewers
@require_POST
def document_detach(request, tenant_slug, pk, document_pk):
    deal = deal_copy_or_404(request, pk)
    try:
        document = Document.objects.get(deal=deal, pk=document_pk)
    except (Document.DoesNotExist, ValidationError, ValueError):
        raise Http404(_("Ce document n'existe pas."))
    require(document_access.can_upload_documents(request.membership), _("Votre rôle ne permet pas de détacher des documents."))
    try:
        services.document_detach_from_deal(actor=request.membership, deal=deal, document=document)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("« %(title)s » n'est plus rattaché à l'affaire (il reste sur la fiche client).") % {"title": document.title})
    return redirect(detail_url(tenant_slug, deal, "documents"))


@viewers
@require_http_methods(["GET", "POST"])
def document_upload(request, tenant_slug, pk):
    """Upload a file to the client record and attach it to the deal (one transaction)."""
    deal = deal_copy_or_404(request, pk)
    require(document_access.can_upload_documents(request.membership), _("Votre rôle ne permet pas de déposer des documents."))
    # ?milestone=<id>: the document a blocked milestone waits for, attached to it in the same step.
    milestone = _child_or_404(Milestone, deal, request.GET["milestone"]) if request.GET.get("milestone") else None
    if milestone is not None:
        require(access.can_manage_milestones(request.membership, deal), _("Votre rôle ne permet pas de modifier les échéances."))
    initial = {"document_type": milestone.required_document_type_id} if milestone is not None else None
    form = upload_form(request.membership, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "document_type": data["document_type"], "title": data["title"], "upload": data["file"], "signed_on": data["signed_on"],
            "valid_until": data["valid_until"], "security_level": data["security_level"],
        }
        try:
            if milestone is not None:
                milestone = services.milestone_document_upload(actor=request.membership, milestone=milestone, **fields)
            else:
                document = services.deal_document_upload(actor=request.membership, deal=deal, **fields)
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            if milestone is not None:
                messages.success(request, _("Document joint à l'échéance « %(label)s » (%(status)s).") % {
                    "label": milestone.label, "status": milestone.get_status_display().lower(),
                })
                return redirect(detail_url(tenant_slug, deal, "milestones"))
            messages.success(request, _("« %(title)s » est enregistré sur la fiche client et rattaché à l'affaire.") % {"title": document.title})
            return redirect(detail_url(tenant_slug, deal, "documents"))
    context = {"form": form, "deal": deal, "milestone": milestone}
    return render(request, "deals/document_upload.html", context, status=_status(request))
