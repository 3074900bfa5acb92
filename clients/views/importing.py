"""The import of clients and contacts from a CSV or XLSX file: upload and dry run, confirmation,
and the template file. Views parse, call `clients.importing`, render."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv import exports as tables
from adv.tenancy.roles import ADV_ROLES
from adv.ui.permissions import require_role

from .. import importing
from ..forms import ImportUploadForm

importers = require_role(*sorted(ADV_ROLES))

IMPORT_CACHE_SECONDS = 3600

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _import_cache_key(request, token: str) -> str:
    return f"clients:import:{request.tenant.pk}:{request.membership.pk}:{token}"


def _import_page(request, form, status: int = 200):
    return render(
        request, "clients/import.html", {"form": form, "columns": importing.COLUMNS}, status=status
    )


@importers
@require_http_methods(["GET", "POST"])
def client_import(request, tenant_slug):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        return _import_page(request, form)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        report = importing.import_run(actor=request.membership, data=data, filename=upload.name, commit=False)
    except importing.ImportFileError as error:
        form.add_error("file", error.message)
        return _import_page(request, form, status=400)
    token = ""
    if report.is_valid:
        token = uuid.uuid4().hex
        cache.set(_import_cache_key(request, token), {"data": data, "filename": upload.name}, IMPORT_CACHE_SECONDS)
    return render(request, "clients/import_dry_run.html", {"report": report, "token": token, "upload_form": ImportUploadForm()})


@importers
@require_POST
def client_import_confirm(request, tenant_slug):
    token = request.POST.get("token", "")
    payload = cache.get(_import_cache_key(request, token)) if _TOKEN.match(token) else None
    if payload is None:
        messages.error(request, _("Ce fichier n'est plus disponible (plus d'une heure s'est écoulée). Déposez-le à nouveau."))
        return redirect("clients:import", tenant_slug=tenant_slug)
    try:
        report = importing.import_run(actor=request.membership, data=payload["data"], filename=payload["filename"], commit=True)
    except importing.ImportFileError as error:
        messages.error(request, error.message)
        return redirect("clients:import", tenant_slug=tenant_slug)
    if not report.committed:
        # Something changed since the dry run (a SIREN taken, a member deactivated): nothing written.
        return render(
            request, "clients/import_dry_run.html",
            {"report": report, "token": "", "upload_form": ImportUploadForm(), "changed_since_dry_run": True}, status=400,
        )
    cache.delete(_import_cache_key(request, token))
    messages.success(
        request,
        _("Import terminé : %(created)s client(s) créé(s), %(updated)s mis à jour, %(contacts_created)s contact(s) créé(s), %(contacts_updated)s mis à jour.")
        % {
            "created": report.count("client", "created"),
            "updated": report.count("client", "updated"),
            "contacts_created": report.count("contact", "created"),
            "contacts_updated": report.count("contact", "updated"),
        },
    )
    try:
        return redirect("clients:list", tenant_slug=tenant_slug)
    except NoReverseMatch:
        return redirect("clients:import", tenant_slug=tenant_slug)


@importers
@require_GET
def client_import_template(request, tenant_slug):
    file_format = request.GET.get("format", "csv")
    if file_format == "xlsx":
        body, content_type = importing.template_xlsx(), tables.XLSX_CONTENT_TYPE
    elif file_format == "csv":
        body, content_type = importing.template_csv(), tables.CSV_CONTENT_TYPE
    else:
        raise Http404(_("Format inconnu."))
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="modele-import-clients.{file_format}"'
    return response
