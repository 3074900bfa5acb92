"""Settings pages of webhooks (admins): endpoints, their secret (shown once), the test event, the
delivery log and its replay. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.ui.pages import raise_http

from . import access, selectors, services
from .errors import DomainError
from .event_types import EVENT_TYPES
from .forms import EndpointForm
from .models import DeliveryStatus, Endpoint

PAGE_SIZE = 25


def _require_admin(request) -> None:
    if not access.can_manage(request.membership):
        raise PermissionDenied


def _url(request, name: str, **kwargs) -> str:
    return reverse(f"webhooks:{name}", kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _endpoint_or_404(pk) -> Endpoint:
    endpoint = Endpoint.objects.filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


def _secret_page(request, endpoint, secret: str, *, created: bool):
    """The one answer that shows a secret: never stored by a browser or a proxy."""
    response = render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "created": created})
    response["Cache-Control"] = "no-store"
    return response


def _form_error(form: EndpointForm, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@require_GET
def endpoint_list(request, tenant_slug):
    _require_admin(request)
    return render(request, "webhooks/list.html", {"endpoints": selectors.endpoint_list(), "event_labels": EVENT_TYPES})


@require_http_methods(["GET", "POST"])
def endpoint_create(request, tenant_slug):
    _require_admin(request)
    form = EndpointForm(request.POST or None, initial={"is_enabled": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.endpoint_create(
                actor=request.membership,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
            )
            if not form.cleaned_data["is_enabled"]:
                services.endpoint_update(actor=request.membership, endpoint_id=endpoint.pk, is_enabled=False)
        except DomainError as error:
            raise_http(error)
            _form_error(form, error)
        else:
            # The secret is in this answer only (never stored in clear, never shown again).
            return _secret_page(request, endpoint, secret, created=True)
    return render(request, "webhooks/form.html", {"form": form, "endpoint": None})


@require_GET
def endpoint_detail(request, tenant_slug, pk):
    _require_admin(request)
    endpoint = _endpoint_or_404(pk)
    status = request.GET.get("status") or ""
    if status not in DeliveryStatus.values:
        status = ""
    page = Paginator(selectors.delivery_list(endpoint_id=endpoint.pk, status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "endpoint": endpoint,
        "event_labels": [EVENT_TYPES[t] for t in endpoint.event_types if t in EVENT_TYPES],
        "page_obj": page,
        "deliveries": page.object_list,
        "status": status,
        "statuses": DeliveryStatus,
        "counts": selectors.delivery_counts(endpoint_id=endpoint.pk),
        "now": timezone.now(),
    }
    return render(request, "webhooks/detail.html", context)


@require_http_methods(["GET", "POST"])
def endpoint_edit(request, tenant_slug, pk):
    _require_admin(request)
    endpoint = _endpoint_or_404(pk)
    initial = {
        "url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types,
        "is_enabled": endpoint.is_enabled,
    }  # fmt: skip
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(actor=request.membership, endpoint_id=endpoint.pk, **form.cleaned_data)
        except DomainError as error:
            raise_http(error)
            _form_error(form, error)
        else:
            messages.success(request, _("Webhook enregistré."))
            return redirect(_url(request, "detail", pk=endpoint.pk))
    return render(request, "webhooks/form.html", {"form": form, "endpoint": endpoint})


@require_POST
def endpoint_rotate(request, tenant_slug, pk):
    _require_admin(request)
    try:
        endpoint, secret = services.endpoint_rotate_secret(actor=request.membership, endpoint_id=pk)
    except DomainError as error:
        raise_http(error)
        raise
    return _secret_page(request, endpoint, secret, created=False)


@require_POST
def endpoint_test(request, tenant_slug, pk):
    _require_admin(request)
    try:
        services.endpoint_send_test(actor=request.membership, endpoint_id=pk)
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Événement de test envoyé : son résultat apparaît dans le journal ci-dessous."))
    return redirect(_url(request, "detail", pk=pk))


@require_POST
def endpoint_delete(request, tenant_slug, pk):
    _require_admin(request)
    try:
        services.endpoint_delete(actor=request.membership, endpoint_id=pk)
    except DomainError as error:
        raise_http(error)
        raise
    messages.success(request, _("Webhook supprimé."))
    return redirect(_url(request, "list"))


@require_POST
def delivery_replay(request, tenant_slug, pk):
    _require_admin(request)
    try:
        delivery = services.delivery_replay(actor=request.membership, delivery_id=pk)
    except DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return redirect(_url(request, "list"))
    messages.success(request, _("Envoi rejoué : son résultat apparaît dans le journal."))
    return redirect(_url(request, "detail", pk=delivery.endpoint_id))
