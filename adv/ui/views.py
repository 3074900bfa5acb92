"""Pages of the UI shell: home (firm picker), dashboard, firm administration, API tokens, audit,
and the error pages. Views parse, call one selector or service, and render (inside the view:
the tenant's transaction closes when the view returns).
"""

from __future__ import annotations

import logging
import mimetypes
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from adv.api.services import api_token_create, api_token_revoke
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Invitation, Membership, Role, Tenant
from adv.tenancy.services import invitation_create, invitation_revoke, membership_update, tenant_update
from adv.ui.pages import is_partial

from . import selectors
from .dashboard import panels, work_items
from .forms import (
    INVITATION_STATUSES,
    ApiTokenForm,
    InvitationForm,
    MemberFilterForm,
    MembershipForm,
    TenantSettingsForm,
)
from .permissions import require_admin, require_member

logger = logging.getLogger(__name__)

MEMBERS_PER_PAGE = 25
INVITATIONS_PER_PAGE = 25
AUDIT_PER_PAGE = 30


# --- Outside any firm -----------------------------------------------------------------------------


def home(request):
    """The site root: the login page, the only firm's dashboard, or a firm picker."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    firms = selectors.user_firms(user=request.user)
    if len(firms) == 1:
        return redirect("dashboard", tenant_slug=firms[0].tenant.slug)
    template = "ui/home_picker.html" if firms else "ui/home_no_firm.html"
    return render(request, template, {"firms": firms})


@require_POST
def language_switch(request):
    """Switch the interface language: remembered on the user's profile when logged in (the
    profile language wins over the cookie), then Django's `set_language` (cookie, redirect)."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        from adv.users.services import user_update_profile

        try:
            user_update_profile(user=user, first_name=user.first_name, last_name=user.last_name, language=language)
        except DomainError:
            logger.warning("language switch refused", extra={"language": language})
    return set_language(request)


# --- Error pages ---------------------------------------------------------------------------------


def error_403(request, exception=None):
    message = ""
    if isinstance(exception, PermissionDenied) and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0]
    return render(request, "errors/403.html", {"message": message}, status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form refused by the CSRF check (a page open for too long, cookies
    blocked, a browser that hid where the form came from). In the user's words, with a way to
    start again, instead of Django's technical page; the reason goes to the log only."""
    logger.warning("csrf failure", extra={"reason": reason, "path": request.path})
    return render(request, "errors/csrf_failure.html", {"retry_url": request.get_full_path()}, status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


API_PATH = re.compile(r"^/(t/[\w-]+/)?api/")


def error_500(request):
    """Rendered without context processors and without the database (it may be the cause). Under
    the API, a problem+json like every other API error."""
    if API_PATH.match(request.path):
        body = {
            "type": "https://adv.invalid/problems/server_error",
            "title": "Internal server error",
            "status": 500,
            "code": "server_error",
        }
        return JsonResponse(body, status=500, content_type="application/problem+json")
    try:
        template = loader.get_template("errors/500.html")
        body = template.render({"LANGUAGE_CODE": get_language() or settings.LANGUAGE_CODE})
    except Exception:  # the last resort must not fail
        logger.exception("the 500 page could not be rendered")
        body = (
            '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Erreur</title>'
            "<h1>Une erreur inattendue s'est produite</h1><p>Réessayez dans un instant.</p></html>"
        )
    return HttpResponseServerError(body)


# --- Dashboard -------------------------------------------------------------------------------------


@require_member
def dashboard(request, tenant_slug):
    membership = request.membership
    context = {
        "figures": selectors.dashboard_figures(),
        "missing_identity": selectors.tenant_missing_identity(request.tenant) if membership.is_admin else [],
        "manager": membership.reports_to.user if membership.reports_to_id else None,
        "work_items": work_items(membership),
        **panels(membership),  # closing_card (timesheets), recent_notifications (notifications)
    }
    return render(request, "ui/dashboard.html", context)


# --- Members ------------------------------------------------------------------------------------


@require_admin
def members(request, tenant_slug):
    filter_form = MemberFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else MemberFilterForm(data={}).filters()
    queryset = selectors.member_list(**filters)
    page = Paginator(queryset, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter_form": filter_form,
        "filters": filters,
        "page": page,
        "filtered": bool(filters["q"] or filters["role"] or filters["status"]),
    }
    template = "ui/members/_results.html" if is_partial(request) else "ui/members/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_admin
@require_http_methods(["GET", "POST"])
def member_detail(request, tenant_slug, pk):
    try:
        member = selectors.member_get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404(_("Ce membre n'existe pas."))
    form = MembershipForm(request.POST or None, membership=member)
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(
                actor=request.membership,
                membership=member,
                role=form.cleaned_data["role"],
                clearance_level=form.cleaned_data["clearance_level"],
                reports_to=form.cleaned_data["reports_to"],
                is_active=form.cleaned_data["is_active"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Les droits de %(name)s sont enregistrés.") % {"name": member.user})
            return redirect("member_detail", tenant_slug=tenant_slug, pk=member.pk)
    reports = Membership.objects.select_related("user").filter(reports_to=member).order_by("user__last_name")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "ui/members/detail.html", {"member": member, "form": form, "reports": reports}, status=status
    )


# --- Invitations ---------------------------------------------------------------------------------


@require_admin
@require_http_methods(["GET", "POST"])
def invitations(request, tenant_slug):
    status = request.GET.get("status", "pending")
    if status not in dict(INVITATION_STATUSES):
        status = "pending"
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _raw = invitation_create(
                actor=request.membership,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                clearance_level=form.cleaned_data["clearance_level"],
                reports_to=form.cleaned_data["reports_to"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s. Le lien est valable %(days)s jours.")
                % {"email": invitation.email, "days": settings.INVITATION_VALIDITY_DAYS},
            )
            return redirect(f"{reverse('invitations', kwargs={'tenant_slug': tenant_slug})}?status=pending")
    page = Paginator(selectors.invitation_list(status=status), INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "status": status,
        "statuses": INVITATION_STATUSES,
        "counts": selectors.invitation_counts(),
        "validity_days": settings.INVITATION_VALIDITY_DAYS,
        "show_form": request.method == "POST" or request.GET.get("new") == "1",
    }
    return render(request, "ui/invitations/list.html", context, status=400 if request.method == "POST" else 200)


@require_admin
@require_POST
def invitation_revoke_view(request, tenant_slug, pk):
    try:
        invitation = selectors.invitation_get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404(_("Cette invitation n'existe pas."))
    try:
        invitation_revoke(actor=request.membership, invitation=invitation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("L'invitation de %(email)s est révoquée : son lien ne fonctionne plus.") % {"email": invitation.email},
        )
    return redirect(
        f"{reverse('invitations', kwargs={'tenant_slug': tenant_slug})}?status={request.POST.get('status', 'pending')}"
    )


# --- Firm settings --------------------------------------------------------------------------------


@require_admin
@require_http_methods(["GET", "POST"])
def firm_settings(request, tenant_slug):
    # A copy: a form that does not validate must not alter the firm shown in the layout.
    instance = Tenant.objects.get(pk=request.tenant.pk)
    form = TenantSettingsForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_update(actor=request.membership, tenant=instance, **form.service_fields())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("Les paramètres de la société sont enregistrés."))
            return redirect("firm_settings", tenant_slug=tenant_slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "ui/settings.html", {"form": form, "firm": request.tenant}, status=status)


@require_member
def firm_logo(request, tenant_slug):
    """The firm's logo, to its members only (files are never served publicly)."""
    logo = request.tenant.logo
    if not logo:
        raise Http404(_("Cette société n'a pas de logo."))
    content_type = mimetypes.guess_type(logo.name)[0] or "application/octet-stream"
    if not content_type.startswith("image/") or content_type == "image/svg+xml":
        raise Http404(_("Cette société n'a pas de logo."))
    try:
        handle = logo.open("rb")
    except FileNotFoundError:
        raise Http404(_("Cette société n'a pas de logo."))
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- API tokens ---------------------------------------------------------------------------------------


def _token_status(token) -> tuple[str, str]:
    if token.revoked_at:
        return "revoked", _("Révoqué")
    if token.expires_at and token.expires_at <= timezone.now():
        return "expired", _("Expiré")
    if not token.membership.is_active:
        return "inactive", _("Membre désactivé")
    return "active", _("Actif")


def _with_status(tokens):
    tokens = list(tokens)
    for token in tokens:
        token.status, token.status_label = _token_status(token)
    return tokens


@require_member
@require_http_methods(["GET", "POST"])
def api_tokens(request, tenant_slug):
    membership = request.membership
    form = ApiTokenForm(request.POST or None, tenant_time_zone=request.tenant.time_zone)
    created = raw_token = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created, raw_token = api_token_create(
                    actor=membership, name=form.cleaned_data["name"], expires_at=form.expires_at(),
                    second_factor_verified=request.user.is_verified(),
                )
            except DomainError as error:
                form.add_domain_error(error if error.field != "expires_at" else _as_field(error, "expires_on"))
            else:
                status = 200
                form = ApiTokenForm(tenant_time_zone=request.tenant.time_zone)
    own = _with_status(selectors.api_token_list(membership=membership))
    others = []
    if membership.is_admin:
        others = _with_status(selectors.api_token_list().exclude(membership=membership))
    context = {"form": form, "tokens": own, "firm_tokens": others, "created": created, "raw_token": raw_token}
    response = render(request, "ui/tokens.html", context, status=status)
    if raw_token:
        add_never_cache_headers(response)  # the secret must not stay in a cache
    return response


def _as_field(error: DomainError, field: str) -> DomainError:
    error.field = field
    return error


@require_member
@require_POST
def api_token_revoke_view(request, tenant_slug, pk):
    membership = request.membership
    from adv.api.models import ApiToken

    try:
        token = selectors.api_token_get(pk=pk, membership=None if membership.role == Role.ADMIN else membership)
    except ApiToken.DoesNotExist:
        raise Http404(_("Ce jeton n'existe pas."))
    try:
        api_token_revoke(actor=membership, token=token)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Le jeton « %(name)s » est révoqué : il ne donne plus accès à l'API.") % {"name": token.name}
        )
    return redirect("api_tokens", tenant_slug=tenant_slug)


# --- Audit -----------------------------------------------------------------------------------------


@require_admin
def audit(request, tenant_slug):
    page = Paginator(selectors.audit_events(tenant=request.tenant), AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.audit_rows(page.object_list, tenant=request.tenant)
    return render(request, "ui/audit.html", {"page": page, "rows": rows})
