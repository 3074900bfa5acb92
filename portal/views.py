"""The client portal's pages, under /p/<firm>/ (thin: the work is in services and selectors).

Sign-in pages run in the firm's tenant context only; every other page goes through
`session.portal_page` (the contact's own session, their portal scope, their language). An id
of another client or firm is not found: row-level security hides the row, the page answers 404.
"""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.network import client_ip
from adv.tenancy import errors as domain
from adv.tenancy.context import tenant_context
from billing.models import Invoice, InvoiceStatus, RenderStatus
from documents.files import UploadRefused

from . import auth, evidence, selectors, services, session
from .session import portal_page

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def _protect(response):
    """Sign-in pages carry secrets in their address or forms: never cached or indexed, and the
    referrer stays on the site (`same-origin`: with none, the form's CSRF check would fail)."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def _url(request_or_tenant, name: str, **kwargs) -> str:
    tenant = getattr(request_or_tenant, "portal", None)
    slug = tenant.tenant.slug if tenant else request_or_tenant.slug
    return reverse(f"portal:{name}", kwargs={"tenant_slug": slug, **kwargs})


def _activate_language(request) -> None:
    translation.activate(session.language_of(request))
    request.LANGUAGE_CODE = translation.get_language()


# --- Sign-in -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def login(request, tenant_slug):
    tenant = session.firm(tenant_slug)
    _activate_language(request)
    context = {"tenant": tenant, "email": "", "error": "", "sent": False, "mode": request.POST.get("mode", "link")}
    if request.method == "POST":
        ip = client_ip(request)
        email = request.POST.get("email", "")[:254]
        context["email"] = email
        with tenant_context(tenant):
            if context["mode"] == "password":
                result = auth.password_login(email, request.POST.get("password", ""), request.POST.get("code", ""), ip=ip)
                if result.ok:
                    response = redirect(_safe_next(request, tenant))
                    session.sign_in(request, response, tenant, result.contact)
                    return _protect(response)
                context["error"] = result.message
                context["needs_code"] = result.error in ("second_factor_required", "bad_second_factor")
            else:
                found = auth.request_login_link(email, ip=ip)
                if found is not None:
                    contact, raw = found
                    services.login_link_email(tenant=tenant, portal_contact=contact, raw=raw)
                context["sent"] = True
    return _protect(render(request, "portal/login.html", context, status=400 if context["error"] else 200))


def _safe_next(request, tenant) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(session.cookie_path(tenant)) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return _url(tenant, "home")


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, tenant_slug, token):
    """A one-time link: the GET shows a button (mail scanners that open links spend nothing),
    the POST signs in."""
    tenant = session.firm(tenant_slug)
    _activate_language(request)
    if not TOKEN_SHAPE.match(token or ""):
        return _protect(render(request, "portal/link.html", {"tenant": tenant, "error": _("Ce lien de connexion n'est pas valide.")}, status=404))
    if request.method == "GET":
        return _protect(render(request, "portal/link.html", {"tenant": tenant}))
    with tenant_context(tenant):
        result = auth.consume_link(token, ip=client_ip(request))
        if not result.ok:
            status = 404 if result.error == "link_invalid" else 410
            return _protect(render(request, "portal/link.html", {"tenant": tenant, "error": result.message}, status=status))
        response = redirect(_url(tenant, "home"))
        session.sign_in(request, response, tenant, result.contact)
    return _protect(response)


@require_POST
def logout(request, tenant_slug):
    tenant = session.firm(tenant_slug)
    response = redirect(_url(tenant, "login"))
    session.sign_out(request, response, tenant)
    return response


@require_POST
def language(request, tenant_slug):
    tenant = session.firm(tenant_slug)
    chosen = request.POST.get("language", "fr")
    response = redirect(_safe_next(request, tenant))
    if chosen in ("fr", "en"):
        response.set_cookie(session.LANGUAGE_COOKIE, chosen, max_age=365 * 86400, path=session.cookie_path(tenant), samesite="Lax")
    return response


@require_GET
def logo(request, tenant_slug):
    tenant = session.firm(tenant_slug)
    if not tenant.logo:
        raise Http404
    response = FileResponse(tenant.logo.open("rb"))
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Signed-in pages -----------------------------------------------------------------------------


def _page(request, template: str, context: dict, status: int = 200):
    portal = request.portal
    context = {"tenant": portal.tenant, "contact": portal.contact, "portal": portal, **context}
    return render(request, template, context, status=status)


@never_cache
@require_GET
@portal_page
def home(request):
    recent = (timezone.localdate().replace(day=1) - datetime.timedelta(days=62)).replace(day=1)
    counts = {
        "timesheets": services.awaiting_approvals().count(),
        "milestones": services.awaiting_milestones().count(),
        "receptions": sum(1 for line in selectors.reception_lines(recent) if not line.reception_number),
        "invoices": sum(1 for row in selectors.invoices() if row["status"] == "overdue"),
    }
    return _page(request, "portal/home.html", {"counts": counts, "section": "home"})


@never_cache
@require_http_methods(["GET", "POST"])
@portal_page
def timesheets(request):
    error, changed = "", []
    if request.method == "POST":
        portal = request.portal
        try:
            if request.POST.get("action") == "reject":
                services.timesheet_reject(
                    portal=portal, approval_id=_uuid(request.POST.get("approval")), sha256=request.POST.get("sha256", ""),
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Votre refus et son motif sont transmis au cabinet."))
            else:
                chosen = request.POST.getlist("approval")
                items = {str(_uuid(pk)): request.POST.get(f"sha256_{pk}", "") for pk in chosen}
                done = services.timesheets_approve(portal=portal, items=items)
                messages.success(request, _("%(count)s CRA validé(s) : merci.") % {"count": len(done)})
            return redirect(_url(request, "timesheets"))
        except services.TimesheetChanged as problem:
            error, changed = problem.message, problem.approval_ids
        except domain.NotFound:
            raise Http404 from None
        except domain.DomainError as problem:
            error = problem.message
    rows = selectors.pending_timesheets()
    return _page(
        request, "portal/timesheets.html", {"rows": rows, "error": error, "changed": changed, "section": "timesheets"},
        status=409 if changed else (400 if error else 200),
    )


def _uuid(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


@never_cache
@require_http_methods(["GET", "POST"])
@portal_page
def milestones(request):
    error = ""
    if request.method == "POST":
        try:
            milestone_id = _uuid(request.POST.get("milestone"))
            if request.POST.get("action") == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise domain.DomainError(_("Choisissez le fichier du PV signé."), field="file")
                services.milestone_upload(portal=request.portal, milestone_id=milestone_id, upload=upload)
                messages.success(request, _("Votre PV signé est transmis : merci."))
            else:
                services.milestone_approve(portal=request.portal, milestone_id=milestone_id, sha256=request.POST.get("sha256", ""))
                messages.success(request, _("PV de recette approuvé : merci."))
            return redirect(_url(request, "milestones"))
        except domain.NotFound:
            raise Http404 from None
        except (domain.DomainError, UploadRefused) as problem:
            error = problem.message
    return _page(request, "portal/milestones.html", {"rows": selectors.pending_milestones(), "error": error, "section": "milestones"},
                 status=400 if error else 200)


@never_cache
@require_GET
@portal_page
def milestone_draft(request, pk):
    milestone = services.awaiting_milestones().select_related("deal__client").filter(pk=pk).first()
    if milestone is None:
        raise Http404
    auth.log(request.portal.contact, "acceptance_draft_downloaded", ip=request.portal.ip, client_id=milestone.deal.client_id, subject_id=pk)
    response = HttpResponse(evidence.acceptance_pdf(milestone), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="PV-{milestone.deal.reference}-projet.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@portal_page
def references(request):
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "po":
                services.purchase_order_add(
                    portal=request.portal, deal_id=_uuid(request.POST.get("deal")), number=request.POST.get("number", ""),
                    amount=request.POST.get("amount", ""), upload=request.FILES.get("file"),
                )
                messages.success(request, _("Bon de commande enregistré : merci."))
            else:
                services.reception_number_set(
                    portal=request.portal, line_id=_uuid(request.POST.get("line")), number=request.POST.get("number", "")
                )
                messages.success(request, _("Numéro de réception enregistré : merci."))
            return redirect(_url(request, "references"))
        except domain.NotFound:
            raise Http404 from None
        except (domain.DomainError, UploadRefused) as problem:
            errors[request.POST.get("line") or request.POST.get("deal") or ""] = problem.message
    since = timezone.localdate().replace(day=1) - datetime.timedelta(days=62)
    lines = selectors.reception_lines(since.replace(day=1))
    limits = {str(client_id): services.reception_max_length(client_id) for client_id in request.portal.client_ids}
    rows = [{"line": line, "max_length": limits.get(str(line.assignment.deal.client_id), services.RECEPTION_MAX_LENGTH),
             "error": errors.get(str(line.pk), "")} for line in lines]
    deals = [{**row, "error": errors.get(str(row["deal"].pk), "")} for row in selectors.deals_needing_po()]
    return _page(request, "portal/references.html", {"rows": rows, "deals": deals, "section": "references"},
                 status=400 if errors else 200)


@never_cache
@require_GET
@portal_page
def invoices(request):
    return _page(request, "portal/invoices.html", {"rows": selectors.invoices(), "section": "invoices"})


@never_cache
@require_GET
@portal_page
def invoice_file(request, pk, which):
    invoice = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).filter(pk=pk).first()
    if invoice is None or which not in ("pdf", "xml"):
        raise Http404
    field = invoice.pdf_file if which == "pdf" else invoice.xml_file
    if invoice.render_status != RenderStatus.DONE or not field:
        raise Http404(_("Le fichier de cette facture n'est pas encore produit."))
    auth.log(request.portal.contact, f"invoice_{which}_downloaded", ip=request.portal.ip, client_id=invoice.client_id, subject_id=pk)
    with field.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf" if which == "pdf" else "application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number.replace("/", "-")}.{which}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_POST
@portal_page
def invoice_dispute(request, pk):
    try:
        services.invoice_dispute(portal=request.portal, invoice_id=pk, message=request.POST.get("message", ""))
    except domain.NotFound:
        raise Http404 from None
    except domain.DomainError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Votre contestation est transmise au cabinet, qui vous répondra."))
    return redirect(_url(request, "invoices"))


@never_cache
@require_http_methods(["GET", "POST"])
@portal_page
def account(request):
    portal = request.portal
    error = ""
    secret = request.POST.get("secret") or auth.totp_new_secret()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "totp":
                auth.totp_enable(portal.contact, secret, request.POST.get("code", ""), ip=portal.ip)
                messages.success(request, _("Code à usage unique activé."))
            else:
                if request.POST.get("password") != request.POST.get("password2"):
                    raise domain.DomainError(_("Les deux mots de passe diffèrent."))
                contact = auth.password_set(portal.contact, request.POST.get("password", ""), ip=portal.ip)
                response = redirect(_url(request, "account"))
                session.sign_in(request, response, portal.tenant, contact)  # this session stays, the others end
                messages.success(request, _("Mot de passe enregistré."))
                return response
            return redirect(_url(request, "account"))
        except domain.DomainError as problem:
            error = problem.message
    return _page(request, "portal/account.html", {
        "error": error, "secret": secret, "totp_uri": auth.totp_uri(portal.contact, secret, portal.tenant.name), "section": "account",
    }, status=400 if error else 200)



