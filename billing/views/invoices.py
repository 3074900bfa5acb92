"""Pages of issued invoices and credit notes: the list, an invoice's page (downloads, sending,
deposit, payments, credit notes), the invoices to deposit on a platform, the overdue ones, the bank
statement import and the zip export. Views parse, call one selector or service, and render.

Roles (billing/access.py): admin, ADV and accountant read; only admin and ADV act (a POST by an
accountant answers 403). Another firm's invoice answers 404, like a missing one.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.months import first_day
from adv.tenancy import errors as domain
from adv.ui.pages import is_partial, raise_http
from clients.models import Client

from .. import access, bank_import, exports, selectors, services
from ..forms_invoices import (
    OVERDUE,
    BankImportForm,
    CreditNoteForm,
    DepositForm,
    InvoiceFilterForm,
    PaymentForm,
)
from ..models import OPEN_STATUSES, Invoice, InvoiceKind, Payment, RenderStatus
from .helpers import invoice_url, readers, require_bill

INVOICES_PER_PAGE = 25
MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = 0


def invoice_or_404(pk) -> Invoice:
    invoice = (
        Invoice.objects.select_related("client__billing_profile", "deal", "credited_invoice", "issued_by__user")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404(_("Cette facture n'existe pas."))
    return invoice


def platform_of(client: Client):
    """The client's e-invoicing platform profile, or None when it is billed by email."""
    try:
        profile = client.billing_profile
    except ObjectDoesNotExist:
        return None
    if profile is None or profile.einvoicing_platform == "none":
        return None
    return profile


def with_balance(queryset):
    return queryset.annotate(
        open_balance=ExpressionWrapper(F("total_gross") - F("amount_paid") - F("amount_credited"), output_field=MONEY)
    )


# --- The list -------------------------------------------------------------------------------------


def filtered_invoices(form: InvoiceFilterForm, today):
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    kind = data.get("kind") or ""
    if kind:
        found = selectors.issued(kind)
    else:
        found = selectors.issued(InvoiceKind.INVOICE) | selectors.issued(InvoiceKind.CREDIT_NOTE)
    found = with_balance(found)
    q = (data.get("q") or "").strip()
    if q:
        found = found.filter(
            Q(number__icontains=q) | Q(client__legal_name__icontains=q) | Q(client__trade_name__icontains=q)
        )
    status = data.get("status") or ""
    if status == OVERDUE:
        found = found.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__lt=today, open_balance__gt=0)
    elif status:
        found = found.filter(status=status)
    if data.get("month"):
        found = found.filter(month=data["month"])
    if data.get("client"):
        found = found.filter(client=data["client"])
    platform_status = data.get("platform_status") or ""
    if platform_status:  # the lifecycle status on the e-invoicing platform (einvoicing.Submission)
        found = found.filter(einvoicing_submission__status=platform_status)
    return found, bool(q or status or data.get("month") or data.get("client") or kind or platform_status)


# What a row of the list shows (and what `is_overdue` reads): nothing else is read.
INVOICE_ROW_FIELDS = (
    "id", "number", "kind", "status", "issue_date", "due_date", "total_net", "total_gross", "amount_paid",
    "amount_credited", "client__id", "client__legal_name", "client__trade_name", "credited_invoice__id",
    "credited_invoice__number",
)


def invoice_rows(found):
    """The page's rows: one query, the shown columns only (the lines and the documents stay unread)."""
    rows = found.select_related(None).select_related("client", "credited_invoice").only(*INVOICE_ROW_FIELDS)
    return rows.annotate(platform_status=F("einvoicing_submission__status"))  # the same query (a join)


@readers
@require_GET
def invoice_list(request, tenant_slug):
    today = timezone.localdate()
    form = InvoiceFilterForm(request.GET or None)
    found, filtered = filtered_invoices(form, today)
    # Credit notes count against the invoices they correct.
    invoice_only, notes_only = Q(kind=InvoiceKind.INVOICE), Q(kind=InvoiceKind.CREDIT_NOTE)
    sums = found.aggregate(
        net=Coalesce(Sum("total_net", filter=invoice_only), 0, output_field=MONEY),
        net_credit=Coalesce(Sum("total_net", filter=notes_only), 0, output_field=MONEY),
        gross=Coalesce(Sum("total_gross", filter=invoice_only), 0, output_field=MONEY),
        gross_credit=Coalesce(Sum("total_gross", filter=notes_only), 0, output_field=MONEY),
        balance=Coalesce(Sum("open_balance", filter=invoice_only), 0, output_field=MONEY),
    )
    totals = {
        "net": sums["net"] - sums["net_credit"],
        "gross": sums["gross"] - sums["gross_credit"],
        "balance": sums["balance"],
    }
    page = Paginator(invoice_rows(found).order_by("-issue_date", "-number"), INVOICES_PER_PAGE).get_page(request.GET.get("page"))
    for invoice in page.object_list:
        invoice.overdue = invoice.is_overdue(today)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "page": page,
        "filtered": filtered,
        "totals": totals,
        "count": page.paginator.count,
        "querystring": query.urlencode(),
        "can_bill": access.can_bill(request.membership),
        "month_value": request.GET.get("month", ""),
    }
    template = "billing/_invoice_results.html" if is_partial(request) else "billing/invoice_list.html"
    return render(request, template, context)


# --- An invoice's page ----------------------------------------------------------------------------


def vat_breakdown(invoice: Invoice, lines) -> list[dict]:
    rates: dict = {}
    for line in lines:
        rates.setdefault(line.vat_rate, {"rate": line.vat_rate, "net": 0})
        rates[line.vat_rate]["net"] += line.net_amount
    if len(rates) == 1:
        only = next(iter(rates.values()))
        only["vat"] = invoice.total_vat
        return [only]
    from decimal import ROUND_HALF_UP, Decimal

    for entry in rates.values():
        entry["vat"] = (entry["net"] * entry["rate"] / Decimal("100")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return sorted(rates.values(), key=lambda e: e["rate"])


def detail_context(request, invoice: Invoice, **forms) -> dict:
    can_bill = access.can_bill(request.membership)
    lines = list(invoice.lines.all())
    to, cc = services.recipients_for(invoice)
    attachments = list(invoice.attachments.select_related("document__current_version"))
    credit_notes = (
        list(invoice.credit_notes.filter(number__isnull=False).order_by("issue_date", "number"))
        if invoice.kind == InvoiceKind.INVOICE
        else []
    )
    payments = list(invoice.payments.select_related("recorded_by__user")) if invoice.kind == InvoiceKind.INVOICE else []
    today = timezone.localdate()
    payable = invoice.kind == InvoiceKind.INVOICE and invoice.status in OPEN_STATUSES and invoice.balance > 0
    creditable = invoice.kind == InvoiceKind.INVOICE and invoice.total_gross - invoice.amount_credited > 0
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rates": vat_breakdown(invoice, lines),
        "recipients_to": to,
        "recipients_cc": cc,
        "attachments": attachments,
        "credit_notes": credit_notes,
        "payments": payments,
        "platform": platform_of(invoice.client),
        "overdue": invoice.is_overdue(today),
        "days_late": (today - invoice.due_date).days if invoice.is_overdue(today) else 0,
        "can_bill": can_bill,
        "payable": payable,
        "creditable": creditable,
        "rendered": invoice.render_status == RenderStatus.DONE and bool(invoice.pdf_file),
        "payment_form": forms.get("payment_form") or PaymentForm(invoice=invoice),
        "credit_form": forms.get("credit_form") or CreditNoteForm(),
        "deposit_form": forms.get("deposit_form") or DepositForm(),
        "open_panel": forms.get("open_panel", ""),
    }


def render_detail(request, invoice: Invoice, status: int = 200, **forms):
    return render(request, "billing/invoice_detail.html", detail_context(request, invoice, **forms), status=status)


@readers
@require_GET
@never_cache  # balance, payments and credit notes change: Back must not resubmit from a stale page
def invoice_detail(request, tenant_slug, pk):
    invoice = invoice_or_404(pk)
    if invoice.is_draft:
        return redirect(f"/t/{tenant_slug}/billing/pre-invoices/{invoice.pk}/")
    return render_detail(request, invoice)


@readers
@require_GET
def invoice_render_status(request, tenant_slug, pk):
    """The render status badge alone (polled by htmx while the PDF is produced)."""
    invoice = invoice_or_404(pk)
    response = render(
        request,
        "billing/_invoice_render_status.html",
        {"invoice": invoice, "can_bill": access.can_bill(request.membership)},
    )
    if invoice.render_status == RenderStatus.DONE:
        response["HX-Refresh"] = "true"  # the page reloads with its download links
    return response


def _download(invoice: Invoice, which: str) -> HttpResponse:
    field = invoice.pdf_file if which == "pdf" else invoice.xml_file
    if not invoice.is_issued or invoice.render_status != RenderStatus.DONE or not field:
        raise Http404(_("Le fichier de cette facture n'est pas encore produit."))
    with field.open("rb") as handle:
        content = handle.read()
    content_type = "application/pdf" if which == "pdf" else "application/xml"
    response = HttpResponse(content, content_type=content_type)
    filename = f"{invoice.number.replace('/', '-')}.{which}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@readers
@require_GET
def invoice_pdf(request, tenant_slug, pk):
    return _download(invoice_or_404(pk), "pdf")


@readers
@require_GET
def invoice_xml(request, tenant_slug, pk):
    return _download(invoice_or_404(pk), "xml")


@readers
@require_POST
def payment_cancel(request, tenant_slug, pk, payment_pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    payment = Payment.objects.filter(pk=payment_pk, invoice=invoice).first()
    if payment is None:
        raise Http404(_("Ce paiement n'existe pas."))
    try:
        services.payment_cancel(actor=request.membership, payment=payment)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Le paiement est annulé."))
    return redirect(invoice_url(tenant_slug, invoice, "payments"))


@readers
@require_POST
def invoice_retry(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    try:
        services.invoice_render_retry(actor=request.membership, invoice=invoice)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        messages.info(request, _("La production du PDF est relancée."))
    return redirect(invoice_url(tenant_slug, invoice))


@readers
@require_POST
def invoice_send(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    try:
        invoice, _email = services.invoice_send(actor=request.membership, invoice=invoice)
    except domain.DomainError as error:
        raise_http(error)
        messages.error(request, error.message)
    else:
        to, _cc = services.recipients_for(invoice)
        sent = (
            _("L'avoir %(number)s est envoyé à %(to)s.")
            if invoice.is_credit_note
            else _("La facture %(number)s est envoyée à %(to)s.")
        )
        messages.success(request, sent % {"number": invoice.number, "to": ", ".join(to)})
    return redirect(invoice_url(tenant_slug, invoice))


@readers
@require_POST
def invoice_deposit(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    form = DepositForm(request.POST)
    back = request.POST.get("next", "")
    if form.is_valid():
        try:
            services.invoice_mark_deposited(
                actor=request.membership, invoice=invoice, reference=form.cleaned_data["reference"]
            )
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            deposited = (
                _("L'avoir %(number)s est marqué comme déposé.")
                if invoice.is_credit_note
                else _("La facture %(number)s est marquée comme déposée.")
            )
            messages.success(request, deposited % {"number": invoice.number})
            if back == "to_deposit":
                return redirect("billing:to_deposit", tenant_slug=tenant_slug)
            return redirect(invoice_url(tenant_slug, invoice))
    if back == "to_deposit":
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("billing:to_deposit", tenant_slug=tenant_slug)
    return render_detail(request, invoice, status=400, deposit_form=form, open_panel="deposit")


@readers
@require_POST
def payment_create(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    form = PaymentForm(request.POST, invoice=invoice)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_record(
                actor=request.membership,
                invoice=invoice,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
            )
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(request, _("Le paiement est enregistré."))
            return redirect(invoice_url(tenant_slug, invoice, "payments"))
    return render_detail(request, invoice, status=400, payment_form=form, open_panel="payment")


@readers
@require_POST
def credit_note_create(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.credit_note_create(
                actor=request.membership,
                invoice=invoice,
                reason=form.cleaned_data["reason"],
                amount=form.service_amount,
            )
        except domain.DomainError as error:
            raise_http(error)
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("L'avoir %(note)s est émis sur la facture %(number)s.")
                % {"note": note.number, "number": invoice.number},
            )
            return redirect(invoice_url(tenant_slug, note))
    return render_detail(request, invoice, status=400, credit_form=form, open_panel="credit")


# --- Lists: to deposit, overdue -------------------------------------------------------------------


@readers
@require_GET
def to_deposit(request, tenant_slug):
    invoices = list(selectors.to_deposit()[:500])
    return render(
        request,
        "billing/deposit_list.html",
        {"invoices": invoices, "can_bill": access.can_bill(request.membership), "form": DepositForm()},
    )


@readers
@require_GET
def overdue(request, tenant_slug):
    today = timezone.localdate()
    invoices = list(selectors.overdue(today))
    for invoice in invoices:
        invoice.days_late = (today - invoice.due_date).days
    total = sum((i.open_balance for i in invoices), 0)
    return render(request, "billing/overdue_list.html", {"invoices": invoices, "total": total, "today": today})


# --- Bank statement import ------------------------------------------------------------------------


@readers
@require_http_methods(["GET", "POST"])
def bank_import_view(request, tenant_slug):
    can_bill = access.can_bill(request.membership)
    if request.method == "POST":
        require_bill(request)
    form = BankImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["statement"]
            if upload.size > bank_import.MAX_BYTES:
                form.add_error("statement", _("Le fichier dépasse 2 Mo : découpez le relevé."))
            else:
                try:
                    report = bank_import.import_statement(actor=request.membership, file_bytes=upload.read())
                except domain.DomainError as error:
                    raise_http(error)
                    form.add_error("statement", error.message)
        if form.errors:
            status = 400
    return render(
        request,
        "billing/bank_import.html",
        {"form": form, "report": report, "can_bill": can_bill},
        status=status,
    )


# --- Zip export -----------------------------------------------------------------------------------


@readers
@require_GET
def export_zip(request, tenant_slug):
    month = first_day(request.GET.get("month"))
    ids = []
    for raw in request.GET.getlist("ids"):
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    if month is None and not ids:
        messages.error(request, _("Choisissez un mois (AAAA-MM) ou des factures à exporter."))
        return redirect("billing:invoices", tenant_slug=tenant_slug)
    export = exports.invoices_zip(actor=request.membership, month=month, ids=ids)
    if export is None:
        messages.info(request, _("Aucune facture dont le PDF est produit pour cette sélection : rien à exporter."))
        back = reverse("billing:invoices", kwargs={"tenant_slug": tenant_slug})
        return redirect(f"{back}?month={month.strftime('%Y-%m')}" if month else back)
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
