"""The client's approval page, without an account: /approve/<token>/.

The link names nothing but a secret; its SHA-256 finds the ClientApproval row before the tenant
is known (`services.client_approval_find`, allowed by a row-level-security lookup policy on
`key_hash`), then everything runs inside that firm's tenant context. The page shows the
consultant's days on that one deal and their total: no rate, no absence, nothing of another deal
or client. The link works once, expires (services.CLIENT_LINK_VALIDITY), and the decision is
recorded with its time and the caller's address (the row's history keeps it).

An unknown, tampered, expired or used link gets a clear page and changes nothing.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from adv.network import client_ip
from adv.tenancy import errors as domain
from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant

from . import pdf, services
from .models import ClientApproval, ClientApprovalStatus

# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet. Anything else is not a token.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
MONDAY = datetime.date(2024, 1, 1)


def _protect(response):
    """The token is in the address: never cached, never indexed, never sent to another site as a
    referrer. `same-origin`, not `no-referrer`: with no referrer at all, browsers send `Origin: null`
    with the page's own form, and Django's CSRF check refuses the client's answer."""
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid(request, *, reason: str, status: int, **context):
    return _protect(render(request, "timesheets/public/link_state.html", {"reason": reason, **context}, status=status))


def _weeks(days: list[dict]) -> list[list[dict | None]]:
    """The month as calendar weeks, Monday first (None outside the month)."""
    weeks: list[list[dict | None]] = []
    week: list[dict | None] = [None] * days[0]["date"].weekday()
    for day in days:
        week.append(day)
        if len(week) == 7:
            weeks.append(week)
            week = []
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks


@never_cache
@require_http_methods(["GET", "POST"])
def client_approval_page(request, token: str):
    found = services.client_approval_find(token) if TOKEN_SHAPE.match(token or "") else None
    if found is None:
        return _invalid(request, reason="invalid", status=404)
    tenant = Tenant.objects.filter(pk=found.tenant_id, is_active=True).first()
    if tenant is None:
        return _invalid(request, reason="invalid", status=404)
    with tenant_context(tenant):
        approval = ClientApproval.objects.select_related(
            "timesheet__consultant__user", "timesheet__tenant", "deal__client", "contact"
        ).get(pk=found.pk)
        zone = zoneinfo.ZoneInfo(tenant.time_zone)
        state = {"tenant": tenant, "approval": approval}
        if approval.link_used_at is not None or approval.status != ClientApprovalStatus.PENDING:
            decided = approval.decided_at and timezone.localtime(approval.decided_at, zone)
            return _invalid(request, reason="used", status=200, decided=decided, **state)
        if approval.link_expires_at is None or approval.link_expires_at <= timezone.now():
            return _invalid(request, reason="expired", status=410, **state)
        error = None
        comment = ""
        if request.method == "POST":
            decision = request.POST.get("decision")
            comment = request.POST.get("comment", "")[:2000]
            if decision not in ("approve", "refuse"):
                error = _("Choisissez « Valider » ou « Refuser ».")
            else:
                try:
                    services.client_approval_decide(
                        approval_id=approval.pk, raw_token=token, approve=decision == "approve", comment=comment,
                        ip=client_ip(request),
                    )
                except domain.Conflict as conflict:
                    return _invalid(request, reason=conflict.code, status=409, **state)
                except domain.NotFound:
                    return _invalid(request, reason="invalid", status=404)
                except domain.DomainError as problem:
                    error = problem.message
                else:
                    if decision == "approve":
                        messages.success(request, _("Merci : votre validation est enregistrée."))
                    else:
                        messages.success(request, _("Merci : votre refus et votre commentaire sont transmis."))
                    return _protect(redirect(request.path))
        context = pdf.pdf_context(timesheet=approval.timesheet, deal=approval.deal)
        context.update(
            {
                **state,
                "weeks": _weeks(context["days"]),
                "weekdays": [formats.date_format(MONDAY + datetime.timedelta(days=i), "D") for i in range(7)],
                "expires": timezone.localtime(approval.link_expires_at, zone),
                "error": error,
                "comment": comment,
            }
        )
        response = render(request, "timesheets/public/approval.html", context, status=400 if error else 200)
        return _protect(response)
