"""The supplier invoices page (/t/<slug>/einvoicing/suppliers/): contractors' invoices received,
with the amount expected from their approved days, approved or refused; the contractors' companies;
the invoices entered by hand (manual path)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from adv.tenancy import errors as domain
from adv.tenancy.models import Membership
from adv.ui.pages import raise_http
from adv.ui.permissions import require_role

from . import access, suppliers
from .forms_suppliers import DecisionForm, IdentityForm, ManualInvoiceForm, SupplierFilterForm
from .models import SupplierIdentity, SupplierInvoice

readers = require_role(*sorted(access.billing_access.READ_ROLES))
PAGE = 100


def _require_manage(request) -> None:
    if not access.can_manage(request.membership):
        raise PermissionDenied(_("La facturation est réservée à l'ADV et aux administrateurs."))


def _page(request, *, identity_form=None, manual_form=None, status=200):
    form = SupplierFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    rows = SupplierInvoice.objects.select_related("supplier__membership__user").order_by("-issue_date", "-received_at")
    if chosen.get("state"):
        rows = rows.filter(state=chosen["state"])
    if chosen.get("match"):
        rows = rows.filter(match=chosen["match"])
    identities = SupplierIdentity.objects.select_related("membership__user").order_by("company_name")
    missing = (Membership.objects.filter(is_contractor=True, is_active=True, supplier_identity__isnull=True)
               .select_related("user").order_by("user__last_name"))
    return render(request, "einvoicing/suppliers.html", {
        "form": form, "rows": list(rows[:PAGE]), "identities": list(identities), "missing": list(missing),
        "identity_form": identity_form or IdentityForm(), "manual_form": manual_form or ManualInvoiceForm(),
        "can_manage": access.can_manage(request.membership),
    }, status=status)


@readers
@require_GET
def suppliers_page(request, tenant_slug):
    return _page(request)


@readers
@require_POST
def identity_save(request, tenant_slug):
    _require_manage(request)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            suppliers.supplier_identity_save(actor=request.membership, **form.cleaned_data)
        except domain.DomainError as error:
            raise_http(error)
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Fournisseur enregistré."))
            return redirect("einvoicing:suppliers", tenant_slug=tenant_slug)
    return _page(request, identity_form=form, status=400)


@readers
@require_POST
def manual_enter(request, tenant_slug):
    _require_manage(request)
    form = ManualInvoiceForm(request.POST)
    if form.is_valid():
        try:
            suppliers.supplier_invoice_enter(actor=request.membership, **form.cleaned_data)
        except domain.DomainError as error:
            raise_http(error)
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Facture fournisseur enregistrée."))
            return redirect("einvoicing:suppliers", tenant_slug=tenant_slug)
    return _page(request, manual_form=form, status=400)


@readers
@require_POST
def decide(request, tenant_slug, pk):
    _require_manage(request)
    if not SupplierInvoice.objects.filter(pk=pk).exists():
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Décision illisible."))
        return redirect("einvoicing:suppliers", tenant_slug=tenant_slug)
    try:
        suppliers.supplier_invoice_decide(actor=request.membership, invoice_id=pk,
                                          approve=form.cleaned_data["decision"] == "approve",
                                          reason=form.cleaned_data["reason"])
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Décision enregistrée : elle est transmise au fournisseur par la plateforme."))
    return redirect("einvoicing:suppliers", tenant_slug=tenant_slug)
