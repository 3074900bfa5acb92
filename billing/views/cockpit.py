"""Pages of the month-end billing: the ADV's cockpit (the month's figures, the billing run with its
progress, the pre-invoice table with its checks, inline fixes, chases and bulk issuance) (the pre-invoice
page is `pre_invoices.py`).

Roles (billing/access.py): admin and ADV bill; the accountant reads (no buttons, 403 on any POST);
other roles get 403. Views parse, call one service or selector, and render; a domain error is shown
next to its field or as an alert, with a 4xx status, and nothing is half-written (services are atomic).
"""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from adv.months import first_day
from adv.tenancy import errors as domain
from adv.tenancy.models import Membership
from adv.tenancy.roles import DEAL_OWNER_ROLES
from adv.ui import threads
from adv.ui.pages import is_partial, raise_http
from deals.models import DealStatus

from .. import access, jobs, runs, selectors, services
from ..build import billed_month
from ..forms import CockpitFilterForm, ReceptionForm
from ..models import BillingJob, BillingRun, Invoice, InvoiceKind, JobStatus, Readiness, RunStatus
from . import cockpit_display
from .helpers import posted_issue_date, readers, require_bill
from .jobs import job_context

# The cockpit's optional columns (key, label); the readiness, client and "to do" columns always show.
COLUMNS = [
    ("deal", gettext_lazy("Affaire")),
    ("amount", gettext_lazy("Montant HT")),
    ("po", gettext_lazy("Bon de commande")),
    ("reception", gettext_lazy("N° de réception")),
    ("signed_timesheet", gettext_lazy("CRA signé")),
    ("milestone_document", gettext_lazy("Document d'échéance")),
    ("platform", gettext_lazy("Plateforme de dépôt")),
    ("recipients", gettext_lazy("Destinataires")),
    ("notes", gettext_lazy("Notes de préfacture")),
]
COLUMN_KEYS = [key for key, _label in COLUMNS]
# Shown until a user chooses: the reception, signed-timesheet and milestone-document columns repeat
# what the "to do" column already says, so they are opt-in for those who like one column per reminder.
DEFAULT_COLUMNS = ["deal", "amount", "po", "platform", "recipients", "notes"]
# Shown together in one narrow "Envoi · notes" cell, details folded, so that the table fits 1400 px.
DETAIL_KEYS = ("platform", "recipients", "notes")


def error_status(error: domain.DomainError) -> int:
    return getattr(error, "status", 400) or 400


def parse_month(value: str | None) -> datetime.date:
    """`YYYY-MM`; anything else (or nothing) is the previous month, the one billed at month end."""
    return first_day(value) or billed_month(timezone.localdate())


def cockpit_url(tenant_slug: str, month: datetime.date) -> str:
    return f"{reverse('billing:cockpit', kwargs={'tenant_slug': tenant_slug})}?month={month:%Y-%m}"


def pre_invoice_url(tenant_slug: str, invoice: Invoice) -> str:
    return reverse("billing:pre_invoice", kwargs={"tenant_slug": tenant_slug, "pk": invoice.pk})


def invoice_or_404(pk) -> Invoice:
    try:
        invoice = (
            Invoice.objects.filter(pk=pk, kind=InvoiceKind.INVOICE)
            .select_related("client__billing_profile", "deal__sales_owner__user", "purchase_order")
            .first()
        )
    except (ValidationError, ValueError):
        invoice = None
    if invoice is None:
        raise Http404(_("Cette préfacture n'existe pas."))
    return invoice


# --- Cockpit rows (read by billing/selectors.py, shared with the API) ------------------------------

FILTER_KEYS = ("readiness", "q", "owner", "mine")


def filter_form(request) -> CockpitFilterForm:
    owners = [
        (str(m.pk), m.user.get_full_name() or m.user.email)
        for m in Membership.objects.filter(is_active=True, role__in=DEAL_OWNER_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    ]
    source = request.GET if request.method == "GET" else request.POST
    return CockpitFilterForm({k: v for k, v in source.items() if k in FILTER_KEYS}, owners=owners)


def filtered(month: datetime.date, values: dict, membership: Membership):
    return selectors.cockpit_drafts(
        month,
        readiness=values.get("readiness") or "",
        q=values.get("q") or "",
        owner=values.get("owner") or "",
        mine=membership if values.get("mine") else None,
    )


def filter_query(month: datetime.date, values: dict) -> str:
    """The month and the filters as a querystring: pages and links keep them."""
    params = {"month": f"{month:%Y-%m}"}
    params.update({k: ("on" if k == "mine" else values[k]) for k in FILTER_KEYS if values.get(k)})
    return urlencode(params)


def chosen_columns(membership: Membership) -> list[str]:
    from ..models import CockpitPreference

    preference = CockpitPreference.objects.filter(membership=membership).first()
    if preference is None:
        return list(DEFAULT_COLUMNS)
    return [c for c in preference.columns if c in COLUMN_KEYS]


def responsible_names(rows) -> dict:
    """Who each chase button names: one query for the page."""
    ids = {c["responsible"] for row in rows for c in row.todo if c.get("responsible")}
    if not ids:
        return {}
    return {
        str(m.pk): m.user.get_full_name() or m.user.email
        for m in Membership.objects.filter(pk__in=ids).select_related("user")
    }


def latest_run(month: datetime.date) -> BillingRun | None:
    return BillingRun.objects.filter(month=month).order_by("-created_at").first()


def cockpit_context(request, month: datetime.date, **extra) -> dict:
    membership = request.membership
    form = filter_form(request)
    values = form.values()
    columns = chosen_columns(membership)
    page_number = request.GET.get("page") if request.method == "GET" else None
    page = selectors.cockpit_page(filtered(month, values, membership), columns=columns, page_number=page_number)
    row_threads = threads.summaries(membership, "invoice", [row.invoice.pk for row in page.rows])
    names = responsible_names(page.rows)
    cockpit_display.decorate(page.rows, tenant_slug=request.tenant.slug, threads=row_threads, names=names)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{previous:%Y-%m}",
        "next_month": f"{following:%Y-%m}",
        "figures": selectors.month_figures(month),
        "run": latest_run(month),
        "rows": page.rows,
        "row_threads": row_threads,
        "page_obj": page.page,
        "total": page.total,
        "ready_total": page.ready,
        "filter_query": filter_query(month, values),
        "filter_values": {k: values.get(k) for k in FILTER_KEYS if values.get(k)},
        "filter_form": form,
        "filtering": any(values.get(k) for k in FILTER_KEYS),
        "columns": columns,
        "all_columns": COLUMNS,
        "detail_keys": DETAIL_KEYS,
        "provisional_clients": page.provisional_clients,
        "can_bill": access.can_bill(membership),
        "responsible_names": names,
        "next_url": request.get_full_path(),
        "job_panel": shown_job(request, month),
        **extra,
    }


@readers
@require_GET
@never_cache  # its rows are drafts that become invoices: never served from the browser's cache
def cockpit(request, tenant_slug):
    month = parse_month(request.GET.get("month"))
    context = cockpit_context(request, month)
    if is_partial(request) and request.GET.get("fragment") == "table":
        return render(request, "billing/_cockpit_table.html", context)
    return render(request, "billing/cockpit.html", context)


@readers
@require_POST
def run_start(request, tenant_slug):
    require_bill(request)
    month = parse_month(request.POST.get("month"))
    try:
        run = runs.run_start(actor=request.membership, month=month)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return redirect(cockpit_url(tenant_slug, month))
    if is_partial(request):
        return render(
            request,
            "billing/_cockpit_run_progress.html",
            {"run": run, "month_value": f"{month:%Y-%m}", "can_bill": True, "polling": True},
        )
    messages.success(request, _("Facturation du mois lancée."))
    return redirect(cockpit_url(tenant_slug, month))


@readers
@require_POST
def run_resume(request, tenant_slug, pk):
    require_bill(request)
    run = BillingRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404(_("Ce lancement n'existe pas."))
    try:
        run = runs.run_resume(actor=request.membership, run=run)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    if is_partial(request):
        return render(
            request,
            "billing/_cockpit_run_progress.html",
            {"run": run, "month_value": f"{run.month:%Y-%m}", "can_bill": True, "polling": True},
        )
    return redirect(cockpit_url(tenant_slug, run.month))


@readers
@require_GET
def run_progress(request, tenant_slug):
    month = parse_month(request.GET.get("month"))
    run = latest_run(month)
    response = render(
        request,
        "billing/_cockpit_run_progress.html",
        {"run": run, "month_value": f"{month:%Y-%m}", "can_bill": access.can_bill(request.membership), "polling": True},
    )
    if run is not None and run.status == RunStatus.DONE and request.GET.get("poll") and is_partial(request):
        # The run has just finished: reload the page so that the table shows the new pre-invoices.
        response["HX-Refresh"] = "true"
    return response


@readers
@require_POST
def chase(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    code = request.POST.get("check", "")
    try:
        record = services.pre_invoice_chase(
            actor=request.membership,
            invoice=invoice,
            check_code=code,
            url=request.build_absolute_uri(pre_invoice_url(tenant_slug, invoice)),
        )
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        person = record.membership.user.get_full_name() or record.membership.user.email
        messages.success(request, _("%(person)s a été relancé(e).") % {"person": person})
    return redirect(request.POST.get("next") if _safe_next(request) else cockpit_url(tenant_slug, invoice.month))


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith(f"/t/{request.tenant.slug}/") and "//" not in target


@readers
@require_POST
def reception_set(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    form = ReceptionForm(request.POST)
    error, error_line, status = "", request.POST.get("timesheet_line", ""), 200
    if not form.is_valid():
        error, status = _("Saisissez le numéro de réception."), 400
    else:
        try:
            services.reception_number_set(
                actor=request.membership,
                invoice=invoice,
                timesheet_line_id=form.cleaned_data["timesheet_line"],
                number=form.cleaned_data["number"],
            )
        except domain.DomainError as exc:
            raise_http(exc)
            error, status = exc.message, error_status(exc)
    if not is_partial(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Numéro de réception enregistré."))
        return redirect(cockpit_url(tenant_slug, invoice.month))
    columns = chosen_columns(request.membership)
    fresh = selectors.cockpit_items(selectors.drafts(invoice.month).filter(pk=invoice.pk), columns)
    if not fresh:
        return HttpResponse(status=204)
    row = selectors.cockpit_rows(fresh, columns)[0]
    row.error, row.error_line = error, error_line if error else ""
    names = responsible_names([row])
    cockpit_display.decorate([row], tenant_slug=tenant_slug, names=names)
    context = {
        "row": row,
        "columns": columns,
        "can_bill": True,
        "responsible_names": names,
        "next_url": request.get_full_path(),
        "month_value": f"{invoice.month:%Y-%m}",
    }
    response = render(request, "billing/_cockpit_row.html", context, status=status)
    if not error:
        # The month's counts above the table change with the row: swapped out of band by htmx.
        response.content += render_to_string(
            "billing/_cockpit_figures.html",
            {
                "figures": selectors.month_figures(invoice.month),
                "figures_oob": True,
                "month_value": context["month_value"],
            },
            request=request,
        ).encode()
    return response


@readers
@require_POST
def columns_save(request, tenant_slug):
    month = parse_month(request.POST.get("month"))
    try:
        services.cockpit_columns_save(
            actor=request.membership, columns=request.POST.getlist("columns"), allowed=COLUMN_KEYS
        )
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Colonnes enregistrées."))
    return redirect(cockpit_url(tenant_slug, month))


@readers
@require_POST
def issue_selected(request, tenant_slug):
    require_bill(request)
    month = parse_month(request.POST.get("month"))
    ids = []
    for value in request.POST.getlist("invoices"):
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    if request.POST.get("all_ready") == "1":
        # "Select all ready" means every ready draft of the filter shown, on every page: resolved here,
        # with the filters posted along, so that the rows of the other pages are issued too.
        values = filter_form(request).values()
        ready = filtered(month, values, request.membership).filter(readiness=Readiness.READY)
        ids += [str(pk) for pk in ready.order_by("id").values_list("pk", flat=True) if str(pk) not in ids]
    if not ids:
        messages.warning(request, _("Cochez au moins une préfacture à émettre."))
        return redirect(cockpit_url(tenant_slug, month))
    if request.POST.get("include_provisional") != "1":
        # An unsigned (provisionally validated) deal is invoiced only when the user said so explicitly.
        unsigned = list(
            Invoice.objects.filter(pk__in=ids, deal__status=DealStatus.PROVISIONAL).select_related("client")
        )
        if unsigned:
            skipped = {str(inv.pk) for inv in unsigned}
            ids = [pk for pk in ids if pk not in skipped]
            messages.warning(
                request,
                _("Non émises, affaires non signées (validées provisoirement) : %(clients)s. Cochez « Émettre aussi les préfactures d'affaires non signées » pour les émettre.")
                % {"clients": ", ".join(sorted(inv.client.display_name for inv in unsigned))},
            )
            if not ids:
                return redirect(cockpit_url(tenant_slug, month))
    try:
        job = jobs.job_issue_start(
            actor=request.membership, invoice_ids=ids, issue_date=posted_issue_date(request), month=month
        )
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
        return redirect(cockpit_url(tenant_slug, month))
    # The workers issue them in batches; the page shows the job's progress, then its result.
    return redirect(f"{cockpit_url(tenant_slug, month)}&job={job.pk}")


def shown_job(request, month: datetime.date) -> str | None:
    """The bulk issue or send the page shows: the one named in the address, else this person's
    latest still running for the month."""
    wanted = request.GET.get("job") if request.method == "GET" else None
    job = None
    if wanted:
        try:
            job = BillingJob.objects.filter(pk=wanted).first()
        except (ValidationError, ValueError):
            job = None
    if job is None:
        job = (
            BillingJob.objects.filter(created_by=request.membership, month=month, status=JobStatus.RUNNING)
            .order_by("-created_at")
            .first()
        )
    if job is None:
        return None
    return render_to_string("billing/_job_progress.html", job_context(request, job), request=request)
