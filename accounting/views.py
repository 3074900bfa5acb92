"""Accounting pages: the export page (admins, ADV, the accountant: run and download exports, the
list of those already run), the account mapping and the clients' auxiliary accounts (admins, ADV;
the accountant reads them)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.tenancy import errors as domain
from adv.ui.pages import raise_http
from adv.ui.permissions import require_role
from clients.models import Client

from . import access, defaults, fec, selectors, services
from .downloads import file_response
from .errors import MappingIncomplete
from .forms import ExportForm, MappingForm, last_year, vat_rows
from .models import AccountingExport

readers = require_role(*sorted(access.EXPORT_ROLES))


def _require_configure(request) -> None:
    if not access.can_configure(request.membership):
        raise PermissionDenied(_("Le plan de comptes est modifié par l'ADV et les administrateurs."))


@readers
@require_http_methods(["GET", "POST"])
def exports_page(request, tenant_slug):
    missing: list[str] = []
    status = 200
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                export = services.export_run(
                    actor=request.membership, kind=data["kind"], start=data["start"], end=data["end"],
                    separator=fec.SEPARATORS.get(data.get("separator") or "pipe", fec.PIPE),
                )
            except MappingIncomplete as error:
                missing = error.missing
            except domain.DomainError as error:
                raise_http(error)
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return file_response(export)
        status = 400
    else:
        start, end = last_year()
        form = ExportForm(initial={"start": start, "end": end, "kind": "fec", "separator": "pipe"})
    context = {
        "form": form,
        "missing": missing,
        "page_obj": selectors.exports_page(request.GET.get("page")),
        "can_configure": access.can_configure(request.membership),
    }
    return render(request, "accounting/exports.html", context, status=status)


@readers
@require_GET
def export_download(request, tenant_slug, pk):
    return file_response(get_object_or_404(AccountingExport, pk=pk))


@readers
@require_http_methods(["GET", "POST"])
def mapping_page(request, tenant_slug):
    current = services.mapping()
    can_configure = access.can_configure(request.membership)
    vat = [{"rate": v.rate, "account": v.account, "label": v.label} for v in services.vat_accounts(current)]
    status = 200
    if request.method == "POST":
        _require_configure(request)
        form = MappingForm(request.POST, instance=current)
        vat = vat_rows(request.POST)
        if form.is_valid():
            try:
                services.mapping_update(
                    actor=request.membership, vat_accounts=vat,
                    **{name: form.cleaned_data[name] for name in MappingForm.Meta.fields},
                )
            except domain.DomainError as error:
                raise_http(error)
                form.add_domain_error(error)
            else:
                messages.success(request, _("Le plan de comptes est enregistré."))
                return redirect("accounting:mapping", tenant_slug=tenant_slug)
        status = 400
    else:
        form = MappingForm(instance=current)
    if not can_configure:
        for field in form.fields.values():
            field.disabled = True
    # two blank rows to add a rate
    rows = [*vat, {"rate": "", "account": "", "label": ""}, {"rate": "", "account": "", "label": ""}]
    context = {"form": form, "vat_rows": rows, "can_configure": can_configure, "help": defaults.HELP}
    return render(request, "accounting/mapping.html", context, status=status)


@readers
@require_GET
def client_accounts(request, tenant_slug):
    q = (request.GET.get("q") or "").strip()
    context = {
        "page_obj": selectors.client_accounts_page(q=q, page_number=request.GET.get("page")),
        "q": q,
        "filter_query": urlencode({"q": q}),
        "can_configure": access.can_configure(request.membership),
    }
    return render(request, "accounting/client_accounts.html", context)


@readers
@require_POST
def client_accounts_generate(request, tenant_slug):
    _require_configure(request)
    count = services.client_accounts_generate(actor=request.membership)
    messages.success(request, _("%(count)s compte(s) auxiliaire(s) créé(s).") % {"count": count})
    return redirect("accounting:client_accounts", tenant_slug=tenant_slug)


@readers
@require_POST
def client_account_set(request, tenant_slug, pk):
    _require_configure(request)
    client = get_object_or_404(Client, pk=pk)
    try:
        account = services.client_account_set(actor=request.membership, client=client, number=request.POST.get("number", ""))
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Compte auxiliaire de %(client)s : %(number)s.") % {"client": client.legal_name, "number": account.number}
        )
    query = urlencode({k: v for k, v in (("q", request.POST.get("q", "")), ("page", request.POST.get("page", ""))) if v})
    url = redirect("accounting:client_accounts", tenant_slug=tenant_slug).url
    return redirect(f"{url}?{query}" if query else url)
