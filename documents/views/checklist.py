"""Pages of the expected documents: the checklist panel of a client (and its one-click chase),
the missing-documents report (filters, CSV / XLSX export, grouped chase) and a client's
proof-of-order zip. Views parse, call one selector or service, render.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from adv.network import client_ip
from adv.ui import threads
from adv.ui.pages import is_partial
from adv.ui.permissions import require_role

from .. import access, exports, reminders, requirements
from ..forms import MissingDocumentsFilterForm
from ..models import Document
from ..proof_of_order import client_proof_of_order_build

viewers = require_role(*sorted(access.VIEW_CLIENT_ROLES))

ROWS_PER_PAGE = 50
REPORT_SORTS = {
    "client": lambda r: (r.client.display_name.lower(), r.document_type.name.lower()),
    "type": lambda r: (r.document_type.name.lower(), r.client.display_name.lower()),
    "status": lambda r: (r.status, r.client.display_name.lower()),
    "expires": lambda r: (r.expires_on is None, r.expires_on or datetime.date.min, r.client.display_name.lower()),
    "responsible": lambda r: (
        r.responsible is None,
        str(r.responsible.user).lower() if r.responsible else "",
        r.client.display_name.lower(),
    ),
}


def _client_or_404(client_pk):
    return get_object_or_404(requirements.checklist_clients(), pk=client_pk)


def _client_page(tenant_slug: str, client, tab: str = "checklist") -> str:
    try:
        return reverse("clients:detail", kwargs={"tenant_slug": tenant_slug, "pk": client.pk}) + f"#{tab}"
    except NoReverseMatch:
        return reverse("clients:checklist_panel", kwargs={"tenant_slug": tenant_slug, "client_pk": client.pk})


# --- Checklist panel --------------------------------------------------------------------------------


def _panel_context(request, client, flash: tuple[str, str] | None = None) -> dict:
    membership = request.membership
    today = requirements.tenant_today(request.tenant)
    items = requirements.checklist(client, today=today)
    document_ids = [item.document.pk for item in items if item.document is not None]
    visible_ids = set()
    if document_ids:
        visible_ids = set(
            access.visible_documents(Document.objects.filter(pk__in=document_ids), membership).values_list("pk", flat=True)
        )
    chased_today = reminders.chased_today(client, today) if any(not item.is_present for item in items) else []
    chaseable = [
        item for item in items if not item.is_present and item.responsible is not None and item.responsible.pk != membership.pk
    ]
    return {
        "client": client,
        "items": items,
        "summary": requirements.checklist_summary(items),
        "visible_ids": visible_ids,
        "owes_documents": requirements.owes_documents(client),
        "can_chase": reminders.can_chase(membership),
        "can_upload": access.can_upload_documents(membership),
        "chaseable": chaseable,
        "chased_today": chased_today,
        "flash": flash,
        "today": today,
    }


def _render_panel(request, client, flash=None, status: int = 200):
    context = _panel_context(request, client, flash)
    template = "documents/_checklist_panel.html" if is_partial(request) else "documents/checklist_page.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@viewers
@require_GET
def checklist_panel(request, tenant_slug, client_pk):
    return _render_panel(request, _client_or_404(client_pk))


@viewers
@require_POST
def checklist_chase(request, tenant_slug, client_pk):
    client = _client_or_404(client_pk)
    if not reminders.can_chase(request.membership):
        raise PermissionDenied(_("Votre rôle ne permet pas de relancer vos collègues."))
    result = reminders.client_documents_chase(
        actor=request.membership, client=client, today=requirements.tenant_today(request.tenant)
    )
    level, text = reminders.chase_summary(result)
    if is_partial(request):
        return _render_panel(request, client, flash=(level, text))
    messages.add_message(request, getattr(messages, level.upper()), text)
    return redirect(_client_page(tenant_slug, client))


# --- Missing-documents report -------------------------------------------------------------------


def _report_rows(request, data):
    form = MissingDocumentsFilterForm(data)
    filters = form.filters()
    rows = requirements.missing_documents(today=requirements.tenant_today(request.tenant), filters=filters)
    return form, filters, rows


@viewers
@require_GET
def missing_documents(request, tenant_slug):
    form, filters, rows = _report_rows(request, request.GET or None)
    sort = request.GET.get("sort", "client")
    key = REPORT_SORTS.get(sort.lstrip("-"), REPORT_SORTS["client"])
    rows = sorted(rows, key=key, reverse=sort.startswith("-"))
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    row_threads = threads.summaries(request.membership, "client", {row.client.pk for row in page.object_list})
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "row_threads": row_threads,
        "filter_form": form,
        "filters": filters,
        "page": page,
        "total": len(rows),
        "people": len({r.responsible.pk for r in rows if r.responsible is not None}),
        "filtered": any([filters.responsible, filters.document_type, filters.status, filters.client_status]),
        "can_chase": reminders.can_chase(request.membership),
        "query": query.urlencode(),
        "sort": sort,
    }
    template = "documents/_missing_documents_results.html" if is_partial(request) else "documents/missing_documents.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@viewers
@require_GET
def missing_documents_export(request, tenant_slug):
    file_format = request.GET.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404(_("Format d'export inconnu."))
    _form, _filters, rows = _report_rows(request, request.GET)
    response = exports.missing_documents_response(rows, fmt=file_format, today=requirements.tenant_today(request.tenant))
    add_never_cache_headers(response)
    return response


@viewers
@require_POST
def missing_documents_chase(request, tenant_slug):
    if not reminders.can_chase(request.membership):
        raise PermissionDenied(_("Votre rôle ne permet pas de relancer vos collègues."))
    query = QueryDict(request.POST.get("query", ""), mutable=True)
    query.pop("page", None)
    today = requirements.tenant_today(request.tenant)
    if request.POST.get("scope") == "all":
        _form, _filters, rows = _report_rows(request, query)
        keys = [row.key for row in rows]
    else:
        keys = request.POST.getlist("rows")
    if not keys:
        messages.warning(request, _("Cochez au moins une ligne à relancer."))
    else:
        result = reminders.missing_documents_chase(actor=request.membership, row_keys=keys, today=today)
        level, text = reminders.chase_summary(result)
        messages.add_message(request, getattr(messages, level.upper()), text)
    url = reverse("clients:missing_documents", kwargs={"tenant_slug": tenant_slug})
    return redirect(f"{url}?{query.urlencode()}" if query else url)


# --- Proof of order ---------------------------------------------------------------------------------


@viewers
@require_GET
def proof_of_order(request, tenant_slug, client_pk):
    client = _client_or_404(client_pk)
    proof = client_proof_of_order_build(actor=request.membership, client=client, ip_address=client_ip(request))
    if proof is None:
        return render(request, "documents/proof_of_order_empty.html", {"client": client, "client_url": _client_page(tenant_slug, client, "documents")})
    response = FileResponse(proof.file, as_attachment=True, filename=proof.filename, content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response
