"""E-invoicing pages under /t/<tenant_slug>/einvoicing/ (namespace "einvoicing"): the platform
settings (a test call on save), the invoices on the platform with their lifecycle status, the
e-reporting, retries; and the platform's signed webhook (/einvoicing/hooks/<firm id>/)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from adv.tenancy import errors as domain
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from adv.ui.pages import raise_http
from adv.ui.permissions import require_role
from billing.models import Invoice
from clients import crypto

from . import access, account, connectors, reporting, selectors, sending
from .forms import AccountForm, StatusFilterForm
from .lifecycle import status_apply
from .models import EReport, PlatformAccount, StatusSource

logger = logging.getLogger(__name__)
readers = require_role(*sorted(access.billing_access.READ_ROLES))
SIGNATURE_TOLERANCE = 300  # seconds


def _require_manage(request) -> None:
    if not access.can_manage(request.membership):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("La facturation est réservée à l'ADV et aux administrateurs."))


@readers
@require_http_methods(["GET", "POST"])
def settings_page(request, tenant_slug):
    current = account.account()
    can_manage = access.can_manage(request.membership)
    status = 200
    if request.method == "POST":
        _require_manage(request)
        form = AccountForm(request.POST, instance=account.account())
        if form.is_valid():
            try:
                account.account_update(
                    actor=request.membership, secrets=form.secrets(),
                    **{name: form.cleaned_data[name] for name in AccountForm.FIELDS},
                )
            except domain.DomainError as error:
                raise_http(error)
                form.add_domain_error(error)
            else:
                messages.success(request, _("Plateforme enregistrée : le test de connexion a réussi."))
                return redirect("einvoicing:settings", tenant_slug=tenant_slug)
        status = 400
    else:
        form = AccountForm(instance=current)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "einvoicing/settings.html", {
        "form": form, "account": current, "can_manage": can_manage, "calls": list(selectors.recent_calls()),
    }, status=status)


@readers
@require_http_methods(["GET"])
def submissions_page(request, tenant_slug):
    form = StatusFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    rows = list(selectors.submissions(status=chosen.get("status", ""), state=chosen.get("state", "")))
    return render(request, "einvoicing/submissions.html", {
        "form": form, "rows": rows, "counts": selectors.status_counts(), "reports": list(selectors.reports()),
    })


def _invoice_or_404(pk) -> Invoice:
    invoice = Invoice.objects.filter(pk=pk, number__isnull=False).first()
    if invoice is None:
        raise Http404
    return invoice


@readers
@require_POST
def submission_retry(request, tenant_slug, pk):
    _require_manage(request)
    invoice = _invoice_or_404(pk)
    try:
        sending.submission_retry(actor=request.membership, invoice=invoice)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("Nouvelle tentative de transmission programmée."))
    return redirect("billing:invoice", tenant_slug=tenant_slug, pk=invoice.pk)


@readers
@require_POST
def report_retry(request, tenant_slug, pk):
    _require_manage(request)
    report = EReport.objects.filter(pk=pk).first()
    if report is None:
        raise Http404
    try:
        reporting.report_retry(actor=request.membership, report=report)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, str(error))
    else:
        messages.success(request, _("Nouvelle tentative de transmission programmée."))
    return redirect("billing:invoice", tenant_slug=tenant_slug, pk=report.invoice_id)


@csrf_exempt
@require_POST
def platform_webhook(request, tenant_id):
    """Statuses pushed by the platform: body {"events": [...]} as in GET /v1/lifecycle, signed
    with the firm's webhook secret: X-Platform-Signature = "sha256=" + HMAC-SHA256(secret,
    timestamp + "." + body), X-Platform-Timestamp within 5 minutes."""
    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).only("id").first()
    if tenant is None:
        raise Http404
    with tenant_context(tenant.pk):
        settings = PlatformAccount.objects.filter().only("webhook_secret_encrypted").first()
        secret = crypto.decrypt(settings.webhook_secret_encrypted) if settings else ""
        if not secret or not _signed(request, secret):
            return JsonResponse({"title": "Signature invalide"}, status=401)
        try:
            events = json.loads(request.body).get("events") or []
        except (ValueError, AttributeError):
            return JsonResponse({"title": "JSON illisible"}, status=400)
        outcomes = []
        for item in events:
            try:
                update = connectors.StatusUpdate(
                    event_id=str(item["eventId"]), flow_id=str(item["flowId"]), code=str(item["statusCode"]),
                    tracking_id=str(item.get("trackingId") or ""),
                    occurred_at=_moment(item["statusDate"]), reason_code=str(item.get("reasonCode") or ""),
                    reason=str(item.get("reason") or ""), errors=list(item.get("errors") or []),
                )
            except (KeyError, TypeError, ValueError):
                outcomes.append("invalid")
                continue
            outcomes.append(status_apply(update, source=StatusSource.WEBHOOK))
    return JsonResponse({"outcomes": outcomes})


def _moment(value):
    import datetime

    moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _signed(request, secret: str) -> bool:
    stamp = request.headers.get("X-Platform-Timestamp", "")
    given = request.headers.get("X-Platform-Signature", "").removeprefix("sha256=")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)
