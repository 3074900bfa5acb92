"""Pages of the documents of a client (panel, upload, versions, metadata, grants, download,
preview). The administration of document types and expected documents is `configuration.py`.

Thin: parse with a form, call one selector or service, render. The upload endpoints answer
JSON to `upload.js` (one request per file, with progress) and redirect with a message to a
plain form post (the page works without JavaScript).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from adv.ui.pages import is_partial
from adv.ui.permissions import require_member
from clients.models import Client

from .. import access, requirements, selectors, services
from ..downloads import is_previewable, serve_version
from ..files import ALLOWED_TYPES
from ..forms import (
    DocumentEditForm,
    DocumentFilterForm,
    DocumentUploadForm,
    DocumentVersionForm,
    GrantForm,
)
from ..models import Document, DocumentVersion

DOCUMENTS_PER_PAGE = 20


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _client_or_404(client_pk) -> Client:
    client = Client.objects.filter(tenant_id=require_tenant_id(), pk=client_pk).first()
    if client is None:
        raise Http404(_("Ce client n'existe pas."))
    return client


def _document_or_404(membership: Membership, client: Client, pk) -> Document:
    try:
        return selectors.document_get(actor=membership, pk=pk, client=client)
    except Document.DoesNotExist:
        raise Http404(_("Ce document n'existe pas."))


def _require_panel_access(membership: Membership, client: Client) -> None:
    """Roles that see clients open the panel; others only when a document was opened to them."""
    if access.can_view_clients(membership):
        return
    if not selectors.document_list(actor=membership, client=client).exists():
        raise PermissionDenied(_("Vous n'avez pas accès aux documents de ce client."))


def _panel_url(tenant_slug: str, client: Client) -> str:
    return reverse("clients:document_panel", kwargs={"tenant_slug": tenant_slug, "client_pk": client.pk})


def _document_url(tenant_slug: str, document: Document) -> str:
    return reverse(
        "clients:document_detail", kwargs={"tenant_slug": tenant_slug, "client_pk": document.client_id, "pk": document.pk}
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _form_errors(form) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages_] for field, messages_ in form.errors.items()}


def _error_summary(form) -> str:
    errors = form.errors
    if "file" in errors:
        return str(errors["file"][0])
    if "__all__" in errors:
        return str(errors["__all__"][0])
    return _("Corrigez les champs signalés.")


def _json_error(form, code: str) -> JsonResponse:
    """A refused upload, for upload.js: a summary, the messages per field, and the service's
    error code (e.g. `type_mismatch`: sending the same file again cannot help)."""
    return JsonResponse(
        {"ok": False, "code": code, "message": _error_summary(form), "errors": _form_errors(form)}, status=400
    )


def _expiry(document: Document, today: datetime.date, age_limits: dict | None = None) -> str:
    """valid / expiring / expired ("" without an end), from "valid until" and, for a type that
    must be recent (a K-bis of less than 90 days), from its age: the checklist's rule, so that
    the list and the checklist never disagree. Sets `document.expires_on` and `max_age_days`."""
    limits = [document.valid_until] if document.valid_until else []
    document.max_age_days = (age_limits or {}).get(document.document_type_id)
    if document.max_age_days is not None:
        start = document.signed_on or requirements.upload_day(document)
        limits.append(start + datetime.timedelta(days=document.max_age_days))
    document.expires_on = min(limits) if limits else None
    if document.expires_on is None:
        return ""
    if document.expires_on < today:
        return "expired"
    if document.expires_on <= today + datetime.timedelta(days=selectors.EXPIRING_SOON_DAYS):
        return "expiring"
    return "valid"


def _upload_limits() -> dict:
    from django.conf import settings

    return {
        "max_bytes": settings.DOCUMENT_MAX_UPLOAD_BYTES,
        "max_mb": settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
        "extensions": ",".join(sorted(ALLOWED_TYPES)),
    }


# --- The panel of a client's documents ---------------------------------------------------------


@require_member
@require_GET
def document_panel(request, tenant_slug, client_pk):
    """The client's documents (htmx partial on the client page; a full page without htmx)."""
    membership = request.membership
    client = _client_or_404(client_pk)
    _require_panel_access(membership, client)
    types = list(selectors.document_type_list())
    filter_form = DocumentFilterForm(request.GET or None, types=selectors.document_type_list())
    filters = filter_form.filters() if request.GET else {"document_type": None, "status": ""}
    today = timezone.localdate()
    age_limits = requirements.age_limits(client)
    queryset = selectors.document_list(actor=membership, client=client, today=today, age_limits=age_limits, **filters)
    page = Paginator(queryset, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    for document in page.object_list:
        document.expiry = _expiry(document, today, age_limits)
        document.previewable = document.current_version is not None and is_previewable(document.current_version)
    can_upload = access.can_upload_documents(membership)
    context = {
        "client": client,
        "page": page,
        "filter_form": filter_form,
        "filtered": bool(filters["document_type"] or filters["status"]),
        "today": today,
        "can_upload": can_upload,
        "can_manage_grants": access.can_manage_grants(membership),
        "panel_url": _panel_url(tenant_slug, client),
        "upload_form": DocumentUploadForm(actor=membership) if can_upload else None,
        "active_types": [t for t in types if t.is_active],
        **_upload_limits(),
    }
    if is_partial(request):
        template = "documents/_list.html" if request.GET.get("list") else "documents/_panel.html"
    else:
        template = "documents/panel.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_member
@require_POST
def document_upload(request, tenant_slug, client_pk):
    """One file and its metadata. JSON for upload.js; a redirect (or the page with its errors)
    for a plain form post."""
    membership = request.membership
    client = _client_or_404(client_pk)
    if not access.can_upload_documents(membership):
        raise PermissionDenied(_("Votre rôle ne permet pas de déposer des documents."))
    form = DocumentUploadForm(request.POST, request.FILES, actor=membership)
    document = None
    error_code = "invalid"
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_upload(
                actor=membership,
                client=client,
                document_type=data["document_type"],
                title=data["title"],
                upload=data["file"],
                signed_on=data["signed_on"],
                valid_until=data["valid_until"],
                security_level=data["security_level"],
            )
        except DomainError as error:
            error_code = error.code
            form.add_domain_error(error)
    if document is not None:
        message = _("« %(title)s » est enregistré.") % {"title": document.title}
        if _wants_json(request):
            return JsonResponse(
                {"ok": True, "message": message, "id": str(document.pk), "title": document.title,
                 "url": _document_url(tenant_slug, document)},
                status=201,
            )
        messages.success(request, message)
        return redirect(_safe_next(request, _panel_url(tenant_slug, client)))
    if _wants_json(request):
        return _json_error(form, error_code)
    # Without JavaScript: the documents page again, with the form and its errors.
    today = timezone.localdate()
    page = Paginator(selectors.document_list(actor=membership, client=client), DOCUMENTS_PER_PAGE).get_page(1)
    age_limits = requirements.age_limits(client)
    for item in page.object_list:
        item.expiry = _expiry(item, today, age_limits)
        item.previewable = item.current_version is not None and is_previewable(item.current_version)
    context = {
        "client": client,
        "page": page,
        "filter_form": DocumentFilterForm(types=selectors.document_type_list()),
        "filtered": False,
        "today": today,
        "can_upload": True,
        "can_manage_grants": access.can_manage_grants(membership),
        "panel_url": _panel_url(tenant_slug, client),
        "upload_form": form,
        "active_types": list(selectors.document_type_list(active_only=True)),
        **_upload_limits(),
    }
    return render(request, "documents/panel.html", context, status=400)


# --- One document ---------------------------------------------------------------------------------


def _detail_context(request, client: Client, document: Document, **extra) -> dict:
    membership = request.membership
    versions = list(selectors.document_versions(document=document))
    current = next((v for v in versions if v.pk == document.current_version_id), None)
    can_manage_grants = access.can_manage_grants(membership)
    can_upload = access.can_upload_documents(membership)
    context = {
        "client": client,
        "document": document,
        "versions": versions,
        "current": current,
        "previewable": current is not None and is_previewable(current),
        "expiry": _expiry(document, timezone.localdate(), requirements.age_limits(client)),
        "can_edit": can_upload,
        "can_manage_grants": can_manage_grants,
        "version_form": DocumentVersionForm() if can_upload else None,
        "panel_url": _panel_url(request.resolver_match.kwargs["tenant_slug"], client),
        **_upload_limits(),
    }
    if can_manage_grants:
        context["grants"] = selectors.document_grants(document=document)
        context["grant_form"] = GrantForm(candidates=selectors.grant_candidates(document=document))
        context["downloads"] = selectors.document_downloads(document=document)
    context.update(extra)
    return context


@require_member
@require_GET
def document_detail(request, tenant_slug, client_pk, pk):
    client = _client_or_404(client_pk)
    document = _document_or_404(request.membership, client, pk)
    return render(request, "documents/detail.html", _detail_context(request, client, document))


@require_member
@require_http_methods(["GET", "POST"])
def document_edit(request, tenant_slug, client_pk, pk):
    membership = request.membership
    client = _client_or_404(client_pk)
    document = _document_or_404(membership, client, pk)
    if not access.can_upload_documents(membership):
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier les documents."))
    form = DocumentEditForm(request.POST or None, actor=membership, document=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(actor=membership, document=document, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Les informations du document sont enregistrées."))
            return redirect(_document_url(tenant_slug, document))
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/edit.html", {"client": client, "document": document, "form": form}, status=status)


@require_member
@require_POST
def document_version_add(request, tenant_slug, client_pk, pk):
    membership = request.membership
    client = _client_or_404(client_pk)
    document = _document_or_404(membership, client, pk)
    if not access.can_upload_documents(membership):
        raise PermissionDenied(_("Votre rôle ne permet pas de déposer des documents."))
    form = DocumentVersionForm(request.POST, request.FILES)
    version = None
    error_code = "invalid"
    if form.is_valid():
        try:
            version = services.document_add_version(
                actor=membership, document=document, upload=form.cleaned_data["file"], comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            error_code = error.code
            form.add_domain_error(error)
    if version is not None:
        message = _("La version %(number)s de « %(title)s » est enregistrée ; la précédente reste dans l'historique.") % {
            "number": version.number, "title": document.title,
        }
        messages.success(request, message)  # shown on the document page, which upload.js reloads
        if _wants_json(request):
            return JsonResponse({"ok": True, "message": message, "number": version.number, "url": _document_url(tenant_slug, document)}, status=201)
        return redirect(_document_url(tenant_slug, document))
    if _wants_json(request):
        return _json_error(form, error_code)
    document = _document_or_404(membership, client, pk)
    context = _detail_context(request, client, document, version_form=form)
    return render(request, "documents/detail.html", context, status=400)


def _version_for(request, document: Document) -> DocumentVersion:
    number = request.GET.get("version")
    try:
        number = int(number) if number else None
    except ValueError:
        raise Http404(_("Cette version n'existe pas."))
    try:
        return selectors.document_version_get(document=document, number=number)
    except DocumentVersion.DoesNotExist:
        raise Http404(_("Cette version n'existe pas."))


@require_member
@require_GET
def document_download(request, tenant_slug, client_pk, pk):
    """The file as an attachment (`?version=N` for an older one), recorded."""
    client = _client_or_404(client_pk)
    document = _document_or_404(request.membership, client, pk)
    return serve_version(request, membership=request.membership, version=_version_for(request, document))


@require_member
@require_GET
@xframe_options_sameorigin
def document_preview(request, tenant_slug, client_pk, pk):
    """PDF and raster images only, inline, sandboxed (CSP); anything else answers 404."""
    client = _client_or_404(client_pk)
    document = _document_or_404(request.membership, client, pk)
    return serve_version(request, membership=request.membership, version=_version_for(request, document), inline=True)


@require_member
@require_GET
def document_preview_pane(request, tenant_slug, client_pk, pk):
    """The preview pane (a sandboxed frame for a PDF, an image tag for an image)."""
    client = _client_or_404(client_pk)
    document = _document_or_404(request.membership, client, pk)
    version = _version_for(request, document)
    context = {"client": client, "document": document, "version": version, "previewable": is_previewable(version)}
    template = "documents/_preview.html" if is_partial(request) else "documents/preview.html"
    return render(request, template, context)


# --- Grants -----------------------------------------------------------------------------------------


@require_member
@require_POST
def document_grant_add(request, tenant_slug, client_pk, pk):
    membership = request.membership
    client = _client_or_404(client_pk)
    document = _document_or_404(membership, client, pk)
    if not access.can_manage_grants(membership):
        raise PermissionDenied(_("Seuls l'administrateur et l'ADV ouvrent un document à une personne."))
    form = GrantForm(request.POST, candidates=selectors.grant_candidates(document=document))
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            services.document_grant(actor=membership, document=document, member=member)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("« %(title)s » est maintenant ouvert à %(name)s.") % {"title": document.title, "name": member.user})
        return redirect(_document_url(tenant_slug, document) + "#grants")
    context = _detail_context(request, client, document, grant_form=form)
    return render(request, "documents/detail.html", context, status=400)


@require_member
@require_POST
def document_grant_revoke(request, tenant_slug, client_pk, pk, member_pk):
    membership = request.membership
    client = _client_or_404(client_pk)
    document = _document_or_404(membership, client, pk)
    if not access.can_manage_grants(membership):
        raise PermissionDenied(_("Seuls l'administrateur et l'ADV retirent un accès."))
    member = Membership.objects.select_related("user").filter(tenant_id=require_tenant_id(), pk=member_pk).first()
    if member is None:
        raise Http404(_("Ce membre n'existe pas."))
    services.document_revoke_grant(actor=membership, document=document, member=member)
    messages.success(request, _("%(name)s n'a plus d'accès exceptionnel à « %(title)s ».") % {"name": member.user, "title": document.title})
    return redirect(_document_url(tenant_slug, document) + "#grants")
