"""The pre-invoice page: header, lines, discount, timesheet annex, attachments, PDF preview, issue.
Same roles and rules as the cockpit (see `billing/views/cockpit.py`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adv.tenancy import errors as domain
from adv.ui.pages import raise_http

from .. import access, rendering, selectors, services
from ..errors import InvoiceBlocked, InvoiceImmutable
from ..forms import DiscountForm, HeaderForm, LineForm, RewordForm
from ..models import Invoice, InvoiceAttachment, InvoiceLine, Unit
from .cockpit import cockpit_url, error_status, invoice_or_404, pre_invoice_url
from .helpers import invoice_url, posted_issue_date, readers, require_bill

# --- Pre-invoice page ---------------------------------------------------------------------------


def detail_context(request, invoice: Invoice, **extra) -> dict:
    lines = list(invoice.lines.all())
    if invoice.is_draft:  # what would go with it if issued now
        attachments = services.attachments_for(invoice, lines)
    else:
        attachments = list(InvoiceAttachment.objects.filter(invoice=invoice).select_related("document"))
    signed = _signed_timesheets(invoice, lines)
    rows = selectors.cockpit_rows([selectors.CockpitItem.of(invoice)])
    editable = invoice.is_draft and access.can_bill(request.membership)
    header = extra.pop("header_form", None) or HeaderForm(
        initial={
            "po_number": invoice.po_number,
            "engagement_number": invoice.engagement_number,
            "buyer_reference": invoice.buyer_reference,
            "service_code": invoice.service_code,
            "notes": invoice.notes,
        }
    )
    return {
        "invoice": invoice,
        "row": rows[0],
        "lines": lines,
        "annex": rendering.timesheet_annex(invoice, lines),
        "attachments": attachments,
        "signed_timesheets": signed,
        "header_form": header,
        "line_form": extra.pop("line_form", None) or LineForm(),
        "discount_form": extra.pop("discount_form", None) or DiscountForm(),
        "editable": editable,
        "units": Unit.choices,
        "can_bill": access.can_bill(request.membership),
        "month_value": f"{invoice.month:%Y-%m}",
        "cockpit_href": cockpit_url(request.tenant.slug, invoice.month),
        **extra,
    }


def _signed_timesheets(invoice: Invoice, lines: list[InvoiceLine]) -> list[dict]:
    """The client approvals of the billed timesheets (the signed CRA that goes with the invoice)."""
    from timesheets.models import ClientApproval

    timesheet_ids = {line.timesheet_id for line in lines if line.timesheet_id}
    if not timesheet_ids:
        return []
    approvals = ClientApproval.objects.filter(timesheet_id__in=timesheet_ids, deal_id=invoice.deal_id).select_related(
        "timesheet__consultant__user", "signed_document"
    )
    found = []
    for approval in approvals:
        user = approval.timesheet.consultant.user
        found.append(
            {
                "consultant": user.get_full_name() or user.email,
                "status": approval.status,
                "status_label": approval.get_status_display(),
                "document": approval.signed_document,
            }
        )
    return found


def render_detail(request, invoice: Invoice, status: int = 200, **extra):
    return render(request, "billing/pre_invoice.html", detail_context(request, invoice, **extra), status=status)


@readers
@require_http_methods(["GET", "POST"])
@never_cache  # a draft changes, then becomes an invoice: the Back button must not show a stale "Prête" page
def pre_invoice(request, tenant_slug, pk):
    invoice = invoice_or_404(pk)
    if request.method == "GET":
        if not invoice.is_draft:
            return redirect(invoice_url(tenant_slug, invoice))
        return render_detail(request, invoice)
    require_bill(request)
    form = HeaderForm(request.POST)
    if not form.is_valid():
        return render_detail(request, invoice, status=400, header_form=form)
    try:
        services.pre_invoice_update(actor=request.membership, invoice=invoice, **form.cleaned_data)
    except domain.DomainError as error:
        raise_http(error)
        _attach(form, error)
        return render_detail(request, invoice, status=error_status(error), header_form=form, alert=error.message)
    messages.success(request, _("Préfacture enregistrée."))
    return redirect(pre_invoice_url(tenant_slug, invoice))


def _attach(form, error: domain.DomainError) -> None:
    name = getattr(error, "field", None)
    form.add_error(name if name in form.fields else None, error.message)


@readers
@require_POST
def line_add(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    form = LineForm(request.POST)
    if not form.is_valid():
        return render_detail(request, invoice, status=400, line_form=form)
    try:
        services.line_add(actor=request.membership, invoice=invoice, **form.cleaned_data)
    except domain.DomainError as error:
        raise_http(error)
        _attach(form, error)
        return render_detail(request, invoice, status=error_status(error), line_form=form, alert=error.message)
    messages.success(request, _("Ligne ajoutée."))
    return redirect(pre_invoice_url(tenant_slug, invoice))


def _line_or_404(invoice: Invoice, line_pk) -> InvoiceLine:
    line = InvoiceLine.objects.filter(pk=line_pk, invoice=invoice).first()
    if line is None:
        raise Http404(_("Cette ligne n'existe pas."))
    return line


@readers
@require_POST
def line_update(request, tenant_slug, pk, line_pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    line = _line_or_404(invoice, line_pk)
    form = (RewordForm if line.is_generated else LineForm)(request.POST)
    if not form.is_valid():
        return render_detail(
            request,
            invoice,
            status=400,
            alert=_("Ligne non modifiée : vérifiez les champs."),
            edit_errors={str(line.pk): form.errors},
        )
    try:
        services.line_update(actor=request.membership, line=line, **form.cleaned_data)
    except domain.DomainError as error:
        raise_http(error)
        return render_detail(request, invoice, status=error_status(error), alert=error.message)
    messages.success(request, _("Ligne modifiée."))
    return redirect(pre_invoice_url(tenant_slug, invoice))


@readers
@require_POST
def line_delete(request, tenant_slug, pk, line_pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    line = _line_or_404(invoice, line_pk)
    try:
        services.line_delete(actor=request.membership, line=line)
    except domain.DomainError as error:
        raise_http(error)
        return render_detail(request, invoice, status=error_status(error), alert=error.message)
    messages.success(request, _("Ligne supprimée."))
    return redirect(pre_invoice_url(tenant_slug, invoice))


@readers
@require_POST
def discount_add(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    form = DiscountForm(request.POST)
    if not form.is_valid():
        return render_detail(request, invoice, status=400, discount_form=form)
    data = form.cleaned_data
    try:
        services.discount_add(
            actor=request.membership,
            invoice=invoice,
            label=data["label"],
            amount=data["amount"] or None,
            percent=data["percent"] or None,
        )
    except domain.DomainError as error:
        raise_http(error)
        _attach(form, error)
        return render_detail(request, invoice, status=error_status(error), discount_form=form, alert=error.message)
    messages.success(request, _("Remise ajoutée."))
    return redirect(pre_invoice_url(tenant_slug, invoice))


@readers
@require_POST
def pre_invoice_issue(request, tenant_slug, pk):
    require_bill(request)
    invoice = invoice_or_404(pk)
    if not invoice.is_draft:
        return _already_issued(request, tenant_slug, invoice)
    try:
        issued = services.invoice_issue(
            actor=request.membership, invoice=invoice, issue_date=posted_issue_date(request)
        )
    except InvoiceBlocked as error:
        return render_detail(request, invoice, status=409, blocked_reasons=error.reasons)
    except InvoiceImmutable:
        return _already_issued(request, tenant_slug, Invoice.objects.get(pk=invoice.pk))
    except domain.DomainError as error:
        raise_http(error)
        return render_detail(request, invoice, status=error_status(error), alert=error.message)
    messages.success(request, _("Facture %(number)s émise.") % {"number": issued.number})
    return redirect(invoice_url(tenant_slug, issued))


def _already_issued(request, tenant_slug: str, invoice: Invoice):
    """A second "Émettre" (another tab, the Back button): nothing is issued twice; say which invoice it became."""
    url = invoice_url(tenant_slug, invoice)
    messages.warning(
        request,
        format_html(
            _("Cette préfacture a déjà été émise : c'est la facture {number}, affichée ci-dessous ({link}). Rien n'a été émis une seconde fois."),
            number=invoice.number,
            link=format_html('<a href="{}" data-testid="already-issued-link">{}</a>', url, _("ouvrir la facture")),
        ),
    )
    return redirect(url)


@readers
@require_GET
@xframe_options_sameorigin
def pre_invoice_preview(request, tenant_slug, pk):
    invoice = invoice_or_404(pk)
    pdf = rendering.preview_pdf(invoice)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="prefacture-{invoice.pk}.pdf"'
    # Our own rendering, not an uploaded file: no CSP sandbox, which stops Chrome's PDF viewer
    # from showing it in the page's frame; only this firm's pages may frame it.
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
