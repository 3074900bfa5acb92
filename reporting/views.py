"""Reporting pages, under /t/<tenant_slug>/reporting/ (namespace "reporting"): revenue and top
clients/deals, FAE/PCA, receivables and DSO, the close; the rows behind a bar. Each page takes the
period and the filters from the query string and answers `?export=<table>&format=csv|xlsx` with
that table as a file (adv/exports.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from adv.broker import send_task_on_commit
from adv.exports import table_response
from adv.months import Month
from adv.tenancy import roles
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from adv.ui.pages import raise_http
from adv.ui.permissions import require_role
from billing import access as billing_access
from billing.models import Invoice, InvoiceKind
from clients.models import Client
from deals.models import DealType

from . import access, selectors, tables
from .periods import KINDS, Period, period_of
from .tasks import expected_fill

readers = require_role(*sorted(access.READ_ROLES))
ROWS_PER_PAGE = 50
PAGES = (
    ("reporting:revenue", _("Chiffre d'affaires")),
    ("reporting:accruals", _("FAE / PCA")),
    ("reporting:receivables", _("Encours et DSO")),
    ("reporting:close", _("Clôture")),
)


def _query(period: Period, filters: selectors.Filters, **extra) -> str:
    return urlencode({**period.query(), **filters.query(), **{k: v for k, v in extra.items() if v}})


def _parse(request):
    """(period, filters, error): a refused period shows its message and the default period."""
    today = timezone.localdate()
    try:
        return period_of(request.GET, today), selectors.Filters.of(request.GET), ""
    except DomainError as error:
        return period_of({}, today), selectors.Filters(), error.message


def _choices(request):
    """The clients and sales owners offered by the filters (2 queries)."""
    scope = access.invoice_scope(request.membership)
    invoiced = selectors.scoped_invoices(request.membership, selectors.Filters()) if scope is not None else Invoice.objects
    clients = Client.objects.filter(Exists(invoiced.filter(client_id=OuterRef("pk"), number__isnull=False)))
    clients = clients.order_by("legal_name").values_list("id", "legal_name", "trade_name")
    owners = Membership.objects.filter(is_active=True, role__in=roles.SALES_OWNER_ROLES).select_related("user").order_by(
        "user__last_name", "user__first_name")
    if not access.sees_firm(request.membership):
        owners = owners.filter(pk=request.membership.pk)
    return (
        [(str(pk), trade or legal) for pk, legal, trade in clients],
        [(str(m.pk), m.user.get_full_name() or m.user.email) for m in owners],
    )


def _page(request, template_key: str, title: str, charts, table_list, period, filters, error, extra=None):
    export = request.GET.get("export")
    if export:
        table = next((t for t in table_list if t.key == export), None)
        if table is None:
            raise Http404(_("Ce tableau n'existe pas."))
        rows = table.rows + ([table.footer] if table.footer else [])
        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        return table_response(table.columns, rows, stem=f"reporting-{table.key}", sheet=table.title, fmt=fmt)
    clients, owners = _choices(request)
    base = _query(period, filters)
    context = {
        "title": title,
        "page_key": template_key,
        "pages": [(name, label, reverse(name, kwargs={"tenant_slug": request.tenant.slug}) + "?" + base) for name, label in PAGES],
        "charts": charts,
        "charts_json": [c.as_json() for c in charts],
        "tables": table_list,
        "period": period,
        "filters": filters,
        "error": error,
        "kinds": KINDS,
        "period_kind": request.GET.get("period") or "rolling12",
        "params": request.GET,
        "clients": clients,
        "owners": owners,
        "deal_types": DealType.choices,
        "export_query": base,
        "today_month": str(Month.of(timezone.localdate())),
        "can_mail": access.sees_firm(request.membership),
        **(extra or {}),
    }
    return render(request, f"reporting/{template_key}.html", context, status=400 if error else 200)


def _invoice_link(request):
    if not billing_access.can_read(request.membership):
        return lambda pk: None
    slug = request.tenant.slug
    return lambda pk: reverse("billing:invoice", kwargs={"tenant_slug": slug, "pk": pk}) if pk else None


def _rows_link(request, period, filters):
    slug = request.tenant.slug
    url = reverse("reporting:invoices", kwargs={"tenant_slug": slug})

    def link(month, deal_type=""):
        query = {**filters.query(), "month": str(Month.of(month))}
        if deal_type:
            query["deal_type"] = deal_type
        return f"{url}?{urlencode(query)}"

    return link


@readers
@require_GET
def revenue(request, tenant_slug):
    period, filters, error = _parse(request)
    report = selectors.revenue(request.membership, period, filters)
    if report.missing_expected:
        send_task_on_commit(
            expected_fill, str(request.tenant.pk), [m.isoformat() for m in report.missing_expected],
            recovery="the next view of the page queues it again",
        )
    charts, table_list = tables.revenue_tables(report, _rows_link(request, period, filters))
    with_margin = access.can_see_margin(request.membership)
    table_list += tables.top_tables(
        selectors.top_clients(request.membership, period, filters, with_margin=with_margin),
        selectors.top_deals(request.membership, period, filters, with_margin=with_margin),
        with_margin,
    )
    return _page(request, "revenue", _("Chiffre d'affaires"), charts, table_list, period, filters, error,
                 {"report": report, "empty": report.is_empty})


@readers
@require_GET
def accruals(request, tenant_slug):
    period, filters, error = _parse(request)
    report = selectors.accruals(request.membership, period, filters)
    charts, table_list = tables.accrual_tables(report, _invoice_link(request))
    return _page(request, "accruals", _("FAE et PCA"), charts, table_list, period, filters, error,
                 {"report": report, "empty": report.is_empty})


@readers
@require_GET
def receivables(request, tenant_slug):
    period, filters, error = _parse(request)
    report = selectors.receivables(request.membership, period, filters, timezone.localdate())
    url = reverse("reporting:invoices", kwargs={"tenant_slug": tenant_slug})
    charts, table_list = tables.receivable_tables(
        report, lambda pk: f"{url}?{urlencode({'client': pk, 'open': 1})}" if pk else None
    )
    return _page(request, "receivables", _("Encours clients et DSO"), charts, table_list, period, filters, error,
                 {"report": report, "empty": report.is_empty})


@readers
@require_GET
def close(request, tenant_slug):
    period, filters, error = _parse(request)
    report = selectors.close(request.membership, period, filters, request.tenant.country or "FR")
    link = _rows_link(request, period, filters)
    charts, table_list = tables.close_tables(report, lambda m: link(m), _invoice_link(request))
    return _page(request, "close", _("Clôture mensuelle"), charts, table_list, period, filters, error,
                 {"report": report, "empty": report.is_empty})


@readers
@require_GET
def invoices(request, tenant_slug):
    """The rows behind a bar: the issued invoices and credit notes the member reads, of a billed
    month, narrowed by the filters (and `open=1`: still owed)."""
    try:
        filters = selectors.Filters.of(request.GET)
    except DomainError as error:
        raise PermissionDenied(error.message) from None
    found = selectors.scoped_invoices(request.membership, filters).filter(number__isnull=False)
    month = Month.parse_or(request.GET.get("month"))
    if month is not None:
        found = found.filter(month=month.first)
    if request.GET.get("open"):
        from billing.models import OPEN_STATUSES

        found = found.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES)
    found = found.order_by("-issue_date", "-number").values(
        "id", "number", "kind", "status", "issue_date", "due_date", "month", "total_net", "total_gross", "amount_paid",
        "amount_credited", "client__legal_name", "client__trade_name", "deal__reference", "deal__deal_type",
    )
    page = Paginator(found, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    link = _invoice_link(request)
    rows = [
        {**v, "client": v["client__trade_name"] or v["client__legal_name"], "url": link(v["id"]),
         "credit": v["kind"] == InvoiceKind.CREDIT_NOTE,
         "deal_type_label": tables.TYPE_LABELS.get(v["deal__deal_type"] or selectors.OTHER, ""),
         "balance": v["total_gross"] - v["amount_paid"] - v["amount_credited"]}
        for v in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reporting/invoices.html", {
        "rows": rows, "page": page, "month": month, "filters": filters, "querystring": query.urlencode(),
        "deal_type_label": tables.TYPE_LABELS.get(filters.deal_type, "") if filters.deal_type else "",
        "back": reverse("reporting:revenue", kwargs={"tenant_slug": tenant_slug}),
    })




# --- The monthly management report: its PDF, and who receives it ------------------------------------

firm_readers = require_role(*sorted(access.FIRM_ROLES))


@firm_readers
@require_GET
def monthly_pdf(request, tenant_slug):
    """The month's report as the scheduled email attaches it (`?month=YYYY-MM`, default: last month)."""
    from django.http import HttpResponse

    from .report import monthly_pdf as render_pdf
    from .report import monthly_report, previous_month

    month = Month.parse_or(request.GET.get("month"), previous_month(timezone.localdate()))
    report = monthly_report(request.membership, month, request.tenant.country or "FR")
    response = HttpResponse(render_pdf(report, request.tenant, request.LANGUAGE_CODE), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-facturation-{month}.pdf"'
    return response


@firm_readers
@require_http_methods(["GET", "POST"])
def recipients(request, tenant_slug):
    """Who receives the monthly report by email (admins and ADV choose; the accountant reads)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import services
    from .models import ReportRecipient

    can_manage = request.membership.role in roles.ADV_ROLES
    if request.method == "POST":
        try:
            if request.POST.get("remove"):
                recipient = ReportRecipient.objects.filter(pk=request.POST["remove"]).first()
                if recipient is None:
                    raise Http404
                services.recipient_remove(actor=request.membership, recipient=recipient)
            else:
                member = Membership.objects.filter(pk=request.POST.get("membership") or None).first()
                if member is None:
                    raise Http404
                services.recipient_add(actor=request.membership, membership=member)
        except DomainError as error:
            raise_http(error)
            messages.error(request, error.message)
        else:
            messages.success(request, _("Les destinataires du rapport mensuel sont enregistrés."))
        return redirect("reporting:recipients", tenant_slug=tenant_slug)
    chosen = list(ReportRecipient.objects.select_related("membership__user").order_by("created_at"))
    taken = {r.membership_id for r in chosen}
    candidates = [
        m for m in Membership.objects.filter(is_active=True, role__in=access.FIRM_ROLES).select_related("user")
        .order_by("user__last_name", "user__first_name") if m.pk not in taken
    ]
    return render(request, "reporting/recipients.html", {
        "recipients": chosen, "candidates": candidates, "can_manage": can_manage,
        "previous_month": str(Month.of(timezone.localdate()) - 1),
    })
