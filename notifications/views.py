"""Pages of the notifications core: the bell, the list, preferences, and for tenant admins the
message templates and the outbox. Thin: parse, call one service or selector, render.

Every view runs inside the tenant's transaction (TenantMiddleware); another user's or another
tenant's notification answers 404, a non-admin on an admin page 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.ui.pages import raise_http

from . import defaults, selectors, services
from .errors import DomainError, InvalidTemplate, NotFound, UnknownTemplate
from .errors import PermissionDenied as DomainPermissionDenied
from .forms import MessageTemplateForm, PreferencesForm
from .models import OutboxStatus

PAGE_SIZE = 20
UNREAD_CHANGED_EVENT = "adv-unread-changed"


def _require_admin(request) -> None:
    if request.membership is None or not request.membership.is_admin:
        raise PermissionDenied


def _url(request, name: str, **kwargs) -> str:
    return reverse(f"notifications:{name}", kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _language_or_404(language: str) -> str:
    if language not in defaults.LANGUAGES:
        raise Http404
    return language


def _template_or_404(key: str) -> defaults.DefaultTemplate:
    try:
        return defaults.get(key)
    except UnknownTemplate:
        raise Http404


# --- Bell and list ---------------------------------------------------------------------------------


@require_GET
def bell(request, tenant_slug):
    """The bell's inner content (htmx: loads on page load, every 30 s, and on live pushes)."""
    context = {
        "unread_count": selectors.notification_unread_count(user=request.user),
        "recent": selectors.notification_recent(user=request.user),
    }
    return render(request, "notifications/_bell_content.html", context)


@require_GET
def notification_list(request, tenant_slug):
    page = Paginator(selectors.notification_inbox(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "notifications": page.object_list,
        "unread_count": selectors.notification_unread_count(user=request.user),
    }
    return render(request, "notifications/list.html", context)


@require_POST
def notification_mark_read(request, tenant_slug, pk):
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except DomainError as error:
        raise_http(error)
        raise  # any other business error is a bug of this page: a 500, as before
    if request.htmx:
        response = render(request, "notifications/_notification_row.html", {"notification": notification})
        response["HX-Trigger"] = UNREAD_CHANGED_EVENT
        return response
    return redirect(_safe_next(request, _url(request, "list")))


@require_GET
def notification_open(request, tenant_slug, pk):
    """Follow a notification's link, marking it read on the way."""
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except DomainError as error:
        raise_http(error)
        raise  # any other business error is a bug of this page: a 500, as before
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(_url(request, "list"))


@require_POST
def notification_mark_all_read(request, tenant_slug):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect(_safe_next(request, _url(request, "list")))


# --- Preferences -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def preferences(request, tenant_slug):
    saved = selectors.preference_rows(user=request.user)
    form = PreferencesForm(request.POST if request.method == "POST" else None, saved=saved)
    if request.method == "POST" and form.is_valid():
        services.preferences_update(
            actor=request.membership, general=form.general_channels(), events=form.event_channels()
        )
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect(_url(request, "preferences"))
    return render(request, "notifications/preferences.html", {"form": form})


# --- Message templates (tenant admins) -----------------------------------------------------------


@require_GET
def template_list(request, tenant_slug):
    _require_admin(request)
    return render(request, "notifications/templates_list.html", {"groups": selectors.message_template_groups()})


@require_http_methods(["GET", "POST"])
def template_edit(request, tenant_slug, key, language):
    _require_admin(request)
    template = _template_or_404(key)
    language = _language_or_404(language)
    row = selectors.message_template_row(key=key, language=language)
    form = MessageTemplateForm(request.POST if request.method == "POST" else None, initial={"subject": row.subject, "body": row.body})
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            services.message_template_save(
                actor=request.membership,
                key=key,
                language=language,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except InvalidTemplate as error:
            for field, field_errors in error.errors.items():
                for message in field_errors:
                    form.add_error(field, message)
        except DomainError as error:
            raise_http(error)
            raise  # any other business error is a bug of this page: a 500, as before
        else:
            messages.success(request, _("Le modèle « %(label)s » est enregistré.") % {"label": template.label})
            return redirect(_url(request, "templates"))
    else:
        try:
            preview = services.message_template_preview(key=key, language=language, subject=row.subject, body=row.body)
        except InvalidTemplate:
            preview = None  # an override the message's placeholders no longer allow: saving shows why
    form.mark_invalid()
    context = {"form": form, "row": row, "template": template, "language": language, "preview": preview}
    return render(request, "notifications/template_edit.html", context)


@require_POST
def template_preview(request, tenant_slug, key, language):
    """htmx: the draft rendered with sample values, or the list of its errors."""
    _require_admin(request)
    _template_or_404(key)
    language = _language_or_404(language)
    preview, errors = None, []
    try:
        preview = services.message_template_preview(
            key=key, language=language, subject=request.POST.get("subject", ""), body=request.POST.get("body", "")
        )
    except InvalidTemplate as error:
        errors = [message for field_errors in error.errors.values() for message in field_errors]
    return render(request, "notifications/_template_preview.html", {"preview": preview, "errors": errors})


@require_POST
def template_reset(request, tenant_slug, key, language):
    _require_admin(request)
    template = _template_or_404(key)
    language = _language_or_404(language)
    try:
        services.message_template_reset(actor=request.membership, key=key, language=language)
    except DomainError as error:
        raise_http(error)
        raise  # any other business error is a bug of this page: a 500, as before
    messages.success(request, _("Le modèle « %(label)s » reprend le texte par défaut.") % {"label": template.label})
    return redirect(_url(request, "templates"))


# --- Outbox (tenant admins) ----------------------------------------------------------------------


@require_GET
def email_list(request, tenant_slug):
    _require_admin(request)
    status = request.GET.get("status") or ""
    if status not in {*OutboxStatus.values, "all"}:
        status = ""
    page = Paginator(selectors.outbox_list(status=status or None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "emails": page.object_list,
        "status": status,
        "counts": selectors.outbox_counts(),
        "statuses": OutboxStatus,
    }
    return render(request, "notifications/emails_list.html", context)


@require_POST
def email_retry(request, tenant_slug, pk):
    _require_admin(request)
    try:
        email = services.outbox_email_retry(actor=request.membership, email_id=pk)
    except DomainError as error:
        if isinstance(error, NotFound | DomainPermissionDenied):
            raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("L'e-mail « %(subject)s » est renvoyé.") % {"subject": email.subject})
    return redirect(_safe_next(request, _url(request, "emails")))
