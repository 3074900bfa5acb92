"""Billing reports and settings: the month summary with the accrued revenue (FAE) list and its CSV,
and the firm's invoicing settings (admin and ADV; the accountant reads them)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from adv.months import Month, first_day
from adv.tenancy import errors as domain
from adv.ui.pages import raise_http

from .. import access, exports, numbering, selectors, services
from ..forms_invoices import PolicyForm
from .helpers import readers, require_bill


def month_of(request) -> datetime.date:
    month = first_day(request.GET.get("month"))
    if month is None:
        today = timezone.localdate()
        # Billing looks back: in the first days the month to close is the previous one.
        first = today.replace(day=1)
        month = (first - datetime.timedelta(days=1)).replace(day=1) if today.day <= 10 else first
    return month


@readers
@require_GET
def month_summary(request, tenant_slug):
    month = month_of(request)
    figures = selectors.month_figures(month)
    accrued = selectors.accrued_page(month, page_number=request.GET.get("page"))
    milestones = list(selectors.unbilled_milestones(month))
    context = {
        "month": month,
        "month_value": str(Month.of(month)),
        "previous": str(Month.of(month).previous()),
        "next": str(Month.of(month).next()),
        "figures": figures,
        "rows": accrued.rows,
        "page_obj": accrued.page,
        "filter_query": urlencode({"month": month.strftime("%Y-%m")}),
        # The due milestones without a pre-invoice (few: the run carries them) close the last page.
        "milestones": milestones if not accrued.page.has_next() else [],
        "fae_total": accrued.amount + sum((m.amount for m in milestones), 0),
    }
    return render(request, "billing/month_summary.html", context)


@readers
@require_GET
def month_fae_csv(request, tenant_slug):
    month = month_of(request)
    rows = selectors.accrued_revenue(month).select_related("deal")
    response = HttpResponse(exports.accrued_revenue_csv(rows, month), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fae-{month.strftime("%Y-%m")}.csv"'
    return response


@readers
@require_http_methods(["GET", "POST"])
def billing_settings(request, tenant_slug):
    current = services.policy()
    can_bill = access.can_bill(request.membership)
    if request.method == "POST":
        require_bill(request)
        form = PolicyForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.policy_update(
                    actor=request.membership, **{name: form.cleaned_data[name] for name in PolicyForm.FIELDS}
                )
            except domain.DomainError as error:
                raise_http(error)
                form.add_domain_error(error)
            else:
                messages.success(request, _("Les paramètres de facturation sont enregistrés."))
                return redirect("billing:settings", tenant_slug=tenant_slug)
        status = 400
    else:
        form = PolicyForm(instance=current)
        status = 200
    if not can_bill:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "billing/settings.html", {"form": form, "can_bill": can_bill}, status=status)


@readers
@require_http_methods(["POST"])
def settings_validate(request, tenant_slug):
    """Live validation of the number formats (htmx): the errors, and a sample number."""
    require_bill(request)
    form = PolicyForm(request.POST, instance=services.policy())
    form.is_valid()
    samples = {}
    for name in ("invoice_number_format", "credit_note_number_format"):
        if name not in form.errors and request.POST.get(name):
            try:
                samples[name] = numbering.format_number(request.POST[name], year=timezone.localdate().year, seq=1)
            except (ValueError, KeyError, IndexError):
                pass
    return render(request, "billing/settings_formats.html", {"form": form, "samples": samples})
