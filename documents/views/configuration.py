"""The administration of documents (admins): the firm's document types and the documents every
client, prospect or deal is expected to have."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError
from adv.ui.permissions import require_admin

from .. import selectors, services
from ..forms import DocumentTypeForm, RequirementForm
from ..models import DocumentRequirement, DocumentType

# --- Document types ------------------------------------------------------------------------------


@require_admin
@require_GET
def document_type_list(request, tenant_slug):
    from django.db.models import Count

    types = selectors.document_type_list().annotate(document_count=Count("documents", distinct=True))
    return render(request, "documents/types_list.html", {"types": types})


@require_admin
@require_http_methods(["GET", "POST"])
def document_type_create(request, tenant_slug):
    form = DocumentTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_type = services.document_type_save(actor=request.membership, **form.service_fields())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Le type « %(name)s » est créé.") % {"name": document_type.name})
            return redirect("clients:document_types", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/type_form.html", {"form": form, "document_type": None}, status=status)


def _document_type_or_404(pk) -> DocumentType:
    document_type = DocumentType.objects.filter(tenant_id=require_tenant_id(), pk=pk).first()
    if document_type is None:
        raise Http404(_("Ce type de document n'existe pas."))
    return document_type


@require_admin
@require_http_methods(["GET", "POST"])
def document_type_edit(request, tenant_slug, pk):
    document_type = _document_type_or_404(pk)
    form = DocumentTypeForm(request.POST or None, instance=document_type)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_type_save(
                actor=request.membership, document_type=_document_type_or_404(pk), **form.service_fields()
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Le type « %(name)s » est enregistré.") % {"name": form.cleaned_data["name"]})
            return redirect("clients:document_types", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/type_form.html", {"form": form, "document_type": document_type}, status=status)


@require_admin
@require_POST
def document_type_toggle(request, tenant_slug, pk):
    document_type = _document_type_or_404(pk)
    services.document_type_save(actor=request.membership, document_type=document_type, is_active=not document_type.is_active)
    if document_type.is_active:
        messages.success(request, _("Le type « %(name)s » est réactivé.") % {"name": document_type.name})
    else:
        messages.success(
            request,
            _("Le type « %(name)s » est désactivé : il n'est plus proposé au dépôt, les documents existants le gardent.")
            % {"name": document_type.name},
        )
    return redirect("clients:document_types", tenant_slug=tenant_slug)


# --- Administration: expected documents -----------------------------------------------------------


@require_admin
@require_GET
def document_requirement_list(request, tenant_slug):
    requirements = list(selectors.requirement_list())
    groups = [
        (scope, label, [r for r in requirements if r.applies_to == scope])
        for scope, label in DocumentRequirement._meta.get_field("applies_to").choices
    ]
    return render(request, "documents/requirements_list.html", {"groups": groups, "count": len(requirements)})


def _requirement_or_404(pk) -> DocumentRequirement:
    requirement = DocumentRequirement.objects.select_related("document_type").filter(tenant_id=require_tenant_id(), pk=pk).first()
    if requirement is None:
        raise Http404(_("Ce document attendu n'existe pas."))
    return requirement


@require_admin
@require_http_methods(["GET", "POST"])
def document_requirement_create(request, tenant_slug):
    initial = {"applies_to": request.GET.get("applies_to")} if request.GET.get("applies_to") else None
    form = RequirementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            requirement = services.requirement_save(actor=request.membership, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("« %(name)s » est maintenant attendu.") % {"name": requirement})
            return redirect("clients:document_requirements", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/requirement_form.html", {"form": form, "requirement": None}, status=status)


@require_admin
@require_http_methods(["GET", "POST"])
def document_requirement_edit(request, tenant_slug, pk):
    requirement = _requirement_or_404(pk)
    form = RequirementForm(request.POST or None, instance=requirement)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_save(actor=request.membership, requirement=_requirement_or_404(pk), **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Le document attendu est enregistré."))
            return redirect("clients:document_requirements", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/requirement_form.html", {"form": form, "requirement": requirement}, status=status)


@require_admin
@require_POST
def document_requirement_delete(request, tenant_slug, pk):
    requirement = _requirement_or_404(pk)
    label = str(requirement)
    services.requirement_delete(actor=request.membership, requirement=requirement)
    messages.success(request, _("« %(name)s » n'est plus attendu.") % {"name": label})
    return redirect("clients:document_requirements", tenant_slug=tenant_slug)
