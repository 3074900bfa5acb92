"""REST API of billing: `/api/v1/billing-runs/`, `/api/v1/pre-invoices/`, `/api/v1/invoices/`,
`/api/v1/credit-notes/`, `/api/v1/payments/`.

Thin, like every viewset (see adv/api/viewsets.py): parse with an input serializer, call one
service with `actor=request.membership`, render with an output serializer. Roles
(billing/access.py): admin, ADV and accountant read; admin and ADV write (the accountant gets 403
`role_cannot_write`); every other role gets 403 `role_required`, like the deals API. Another
tenant's ids answer 404.

Issued invoices never change: PATCH, PUT or DELETE on one answers 409 `invoice_immutable`.
Issuing a blocked pre-invoice answers 409 `invoice_blocked` with its `reasons`.

Creates, issues and sends accept an `Idempotency-Key` header (adv/api/idempotency.py): a replay
returns the first response with `Idempotent-Replayed: true`; a concurrent duplicate gets 409
`idempotency_in_progress`; the same key with another body gets 422 `idempotency_key_reused`.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from adv.api.idempotency import idempotent
from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet
from documents.downloads import content_disposition

from . import access, jobs, runs, selectors, services
from .errors import InvoiceImmutable
from .filters import BillingRunFilter, CreditNoteFilter, InvoiceFilter, PaymentFilter, PreInvoiceFilter
from .models import BillingRun, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment, RenderStatus
from .serializers import (
    BillingJobSerializer,
    BillingRunCreateSerializer,
    BillingRunSerializer,
    BlockedProblemSerializer,
    BulkIssueSerializer,
    BulkSendSerializer,
    ChaseResultSerializer,
    ChaseSerializer,
    CreditNoteCreateSerializer,
    CreditNoteSerializer,
    DepositSerializer,
    DiscountSerializer,
    InvoiceLineSerializer,
    InvoiceSerializer,
    IssueSerializer,
    LineWriteSerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    PreInvoiceSerializer,
    PreInvoiceUpdateSerializer,
)

PROBLEM = "application/problem+json"
CanReadBilling = HasRole.of(*sorted(access.READ_ROLES))
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="1 to 200 printable ASCII characters. A replay returns the first response (header "
    "`Idempotent-Replayed: true`); a concurrent duplicate gets 409 `idempotency_in_progress`; the same key "
    "with another body gets 422 `idempotency_key_reused`. Failed calls are not stored.",
)
IDEMPOTENCY_RESPONSES = {
    (422, PROBLEM): OpenApiResponse(BlockedProblemSerializer, description="`idempotency_key_reused`."),
}
IMMUTABLE = OpenApiResponse(
    BlockedProblemSerializer, description="`invoice_immutable`: an issued invoice never changes."
)
_API_ROOT = re.compile(r"^(?:/t/[^/]+)?/api/v1/")


class FileRenderer(BaseRenderer):
    """Lets a download be asked with any Accept header; errors stay JSON problems."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class _BillingApiMixin:
    permission_classes = [IsTenantMember, CanReadBilling, RoleCanWrite]
    write_roles = tuple(sorted(access.BILL_ROLES))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        request = getattr(self, "request", None)
        if request is not None:
            match = _API_ROOT.match(request.path)
            if match:
                context["api_root"] = request.build_absolute_uri(match[0])
            context["today"] = timezone.localdate()
        return context

    def _out(self, serializer_class, instance, status_code=status.HTTP_200_OK) -> Response:
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)


def job_accepted(view, job) -> Response:
    """202 with the bulk job started (billing/jobs.py) and its address, also in `Location`."""
    job.refresh_from_db()
    data = BillingJobSerializer(job, context=view.get_serializer_context()).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


# --- Billing runs -----------------------------------------------------------------------------------


@extend_schema(tags=["billing"])
@extend_schema_view(
    list=extend_schema(description="The billing runs, latest first."),
    retrieve=extend_schema(description="One run, with its progress (chunks built out of the total)."),
    create=extend_schema(
        request=BillingRunCreateSerializer,
        responses={202: BillingRunSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        description="Launch the month's billing run (pre-invoices built by the workers, in chunks), or resume the one "
        "already running for that month. Answers 202 with the run; follow its progress with GET.",
    ),
    resume=extend_schema(request=None, responses={202: BillingRunSerializer}, description="Dispatch the chunks left."),
)
class BillingRunViewSet(_BillingApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Month-end billing runs."""

    serializer_class = BillingRunSerializer
    filterset_class = BillingRunFilter
    ordering_fields = {"month": "month", "created_at": "created_at"}
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return BillingRun.objects.all()

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = BillingRunCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = runs.run_start(actor=request.membership, month=serializer.validated_data["month"])
        run.refresh_from_db()
        return self._out(BillingRunSerializer, run, status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"])
    def resume(self, request, *args, **kwargs):
        run = runs.run_resume(actor=request.membership, run=self.get_object())
        run.refresh_from_db()
        return self._out(BillingRunSerializer, run, status.HTTP_202_ACCEPTED)


# --- Pre-invoices -------------------------------------------------------------------------------------


@extend_schema(tags=["billing"])
@extend_schema_view(
    list=extend_schema(
        description="Pre-invoices (drafts): ready first, then action needed, then blocked, easy ones first; each with "
        "its lines and its checks (code, level, message, person responsible)."
    ),
    retrieve=extend_schema(description="One pre-invoice (or, once issued, the invoice it became)."),
    partial_update=extend_schema(
        request=PreInvoiceUpdateSerializer,
        responses={200: PreInvoiceSerializer, (409, PROBLEM): IMMUTABLE},
        description="Change the references: purchase order number, buyer reference, service code, notes. The checks "
        "are computed again.",
    ),
    lines=extend_schema(
        request=LineWriteSerializer,
        responses={201: InvoiceLineSerializer, (409, PROBLEM): IMMUTABLE},
        description="Add a free line.",
    ),
    discounts=extend_schema(
        request=DiscountSerializer,
        responses={201: InvoiceLineSerializer, (409, PROBLEM): IMMUTABLE},
        description="Add a discount: an amount (HT) or a percentage of the lines.",
    ),
    issue=extend_schema(
        request=IssueSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            200: InvoiceSerializer,
            (409, PROBLEM): OpenApiResponse(
                BlockedProblemSerializer,
                description="`invoice_blocked` with the `reasons`; `invoice_immutable` when already issued.",
            ),
            **IDEMPOTENCY_RESPONSES,
        },
        description="Issue the pre-invoice: numbered, dated, frozen; the PDF and Factur-X are rendered afterwards.",
    ),
    issue_bulk=extend_schema(
        operation_id="pre_invoices_issue_bulk",
        request=BulkIssueSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={202: BillingJobSerializer, **IDEMPOTENCY_RESPONSES},
        description="Issue the selected pre-invoices in the background (a bulk job, in batches, numbered in order "
        "under the counter lock): answers 202 with the job at once; follow it at its `url` (also `Location`). "
        "When it is done, `succeeded` lists the invoices issued and `refused` the others with their reasons. "
        "A date in the future or before the series' last invoice is refused at once (400).",
    ),
    chase=extend_schema(
        request=ChaseSerializer,
        responses={201: ChaseResultSerializer},
        description="Notify the person responsible for a check (400 `nobody_to_chase` when there is nobody).",
    ),
)
class PreInvoiceViewSet(_BillingApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Pre-invoices of the month-end cockpit."""

    serializer_class = PreInvoiceSerializer
    filterset_class = PreInvoiceFilter
    search_fields = ["client__legal_name", "client__trade_name", "deal__reference", "po_number"]
    ordering_fields = {"month": "month", "readiness": "readiness_order", "ease": "ease", "total_net": "total_net"}
    ordering = ["-month", *selectors.PRE_INVOICE_ORDER]  # the cockpit's order (billing/selectors.py)

    def safely_get_queryset(self):
        queryset = selectors.with_readiness_order(
            Invoice.objects.filter(kind=InvoiceKind.INVOICE).select_related("client", "deal").prefetch_related("lines")
        )
        if getattr(self, "action", None) == "list":
            queryset = queryset.filter(status=InvoiceStatus.DRAFT)
        return queryset

    def _render(self, invoice: Invoice) -> Response:
        return self._out(PreInvoiceSerializer, self.get_queryset().get(pk=invoice.pk))

    def partial_update(self, request, *args, **kwargs):
        invoice = self.get_object()
        serializer = PreInvoiceUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if not fields:
            return self._render(invoice)
        return self._render(services.pre_invoice_update(actor=request.membership, invoice=invoice, **fields))

    @action(detail=True, methods=["post"])
    def lines(self, request, *args, **kwargs):
        invoice = self.get_object()
        serializer = LineWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.line_add(actor=request.membership, invoice=invoice, **serializer.validated_data)
        return self._out(InvoiceLineSerializer, InvoiceLine.objects.get(pk=line.pk), status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("line_id", OpenApiTypes.UUID, OpenApiParameter.PATH)])
    @extend_schema(
        methods=["PATCH"],
        request=LineWriteSerializer(partial=True),
        responses={200: InvoiceLineSerializer, (409, PROBLEM): IMMUTABLE},
        description="Reword or change a line. Lines built from timesheets, milestones or subscriptions only take a "
        "new label, detail or VAT rate (400 `generated_line`).",
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={204: None, (409, PROBLEM): IMMUTABLE},
        description="Delete a free line or a discount (400 `generated_line` for the others).",
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"lines/(?P<line_id>[^/.]+)", url_name="line")
    def line(self, request, *args, line_id=None, **kwargs):
        invoice = self.get_object()
        line = InvoiceLine.objects.filter(pk=_uuid_or_404(line_id), invoice=invoice).first()
        if line is None:
            raise Http404
        if request.method == "DELETE":
            services.line_delete(actor=request.membership, line=line)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = LineWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {name: ("" if value is None else value) for name, value in serializer.validated_data.items()}
        line = services.line_update(actor=request.membership, line=line, **fields)
        return self._out(InvoiceLineSerializer, InvoiceLine.objects.get(pk=line.pk))

    @action(detail=True, methods=["post"])
    def discounts(self, request, *args, **kwargs):
        invoice = self.get_object()
        serializer = DiscountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.discount_add(actor=request.membership, invoice=invoice, **serializer.validated_data)
        return self._out(InvoiceLineSerializer, InvoiceLine.objects.get(pk=line.pk), status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def issue(self, request, *args, **kwargs):
        serializer = IssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice = services.invoice_issue(
            actor=request.membership,
            invoice=self.get_object(),
            issue_date=serializer.validated_data.get("issue_date"),
        )
        return self._out(InvoiceSerializer, _issued_queryset(InvoiceKind.INVOICE).get(pk=invoice.pk))

    @action(detail=False, methods=["post"], url_path="issue", url_name="issue-bulk")
    @idempotent
    def issue_bulk(self, request, *args, **kwargs):
        serializer = BulkIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = [str(pk) for pk in serializer.validated_data["ids"]]
        # Only the pre-invoices this API shows are looked at (an unknown id is refused like a missing one).
        known = {str(pk) for pk in self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True)}
        job = jobs.job_issue_start(
            actor=request.membership,
            invoice_ids=ids,
            issue_date=serializer.validated_data.get("issue_date"),
            refused={pk: [_("Préfacture introuvable.")] for pk in ids if pk not in known},
        )
        return job_accepted(self, job)

    @action(detail=True, methods=["post"])
    def chase(self, request, *args, **kwargs):
        invoice = self.get_object()
        serializer = ChaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chase = services.pre_invoice_chase(
            actor=request.membership, invoice=invoice, check_code=serializer.validated_data["check"]
        )
        return Response(ChaseResultSerializer(chase).data, status=status.HTTP_201_CREATED)


def _uuid_or_404(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _issued_queryset(kind: str):
    return (
        Invoice.objects.filter(kind=kind, number__isnull=False)
        .select_related("client", "deal", "credited_invoice")
        .prefetch_related("lines")
    )


# --- Invoices and credit notes --------------------------------------------------------------------------


class _IssuedDocumentMixin(_BillingApiMixin):
    kind = InvoiceKind.INVOICE
    search_fields = ["number", "client__legal_name", "client__trade_name"]
    ordering_fields = {
        "number": "number",
        "issue_date": "issue_date",
        "due_date": "due_date",
        "total_gross": "total_gross",
        "created_at": "created_at",
    }
    ordering = ["-issue_date", "-number"]

    def safely_get_queryset(self):
        return _issued_queryset(self.kind)

    def update(self, request, *args, **kwargs):
        raise InvoiceImmutable(self.get_object().number)

    def partial_update(self, request, *args, **kwargs):
        raise InvoiceImmutable(self.get_object().number)

    def destroy(self, request, *args, **kwargs):
        raise InvoiceImmutable(self.get_object().number)

    def _download(self, field: str, content_type: str, extension: str) -> HttpResponse:
        invoice = self.get_object()
        stored = getattr(invoice, field)
        if invoice.render_status != RenderStatus.DONE or not stored:
            raise Http404(_("Le fichier n'est pas encore prêt."))
        with stored.open("rb") as handle:
            data = handle.read()
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = content_disposition(
            "attachment", f"{invoice.number.replace('/', '-')}.{extension}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF/A-3b.")},
        description="The PDF (with its Factur-X XML embedded), as an attachment; 404 until rendered.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def pdf(self, request, *args, **kwargs):
        return self._download("pdf_file", "application/pdf", "pdf")

    @extend_schema(
        request=None,
        responses={(200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="Factur-X XML (CII).")},
        description="The Factur-X XML (EN 16931, CII), as an attachment; 404 until rendered.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def xml(self, request, *args, **kwargs):
        return self._download("xml_file", "application/xml", "xml")

    def _render(self, invoice: Invoice, status_code=status.HTTP_200_OK) -> Response:
        return self._out(self.serializer_class, self.get_queryset().get(pk=invoice.pk), status_code)

    @action(detail=True, methods=["post"])
    @idempotent
    def send(self, request, *args, **kwargs):
        invoice, _email = services.invoice_send(actor=request.membership, invoice=self.get_object())
        return self._render(invoice)

    @action(detail=True, methods=["post"])
    def deposit(self, request, *args, **kwargs):
        invoice = self.get_object()
        serializer = DepositSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reference = serializer.validated_data["reference"]
        return self._render(
            services.invoice_mark_deposited(actor=request.membership, invoice=invoice, reference=reference)
        )

    @action(detail=True, methods=["post"], url_path="render", url_name="render")
    def render_retry(self, request, *args, **kwargs):
        invoice = services.invoice_render_retry(actor=request.membership, invoice=self.get_object())
        return self._render(invoice, status.HTTP_202_ACCEPTED)


_IMMUTABLE_VIEWS = {
    "update": extend_schema(request=None, responses={(409, PROBLEM): IMMUTABLE}, description="Always 409."),
    "partial_update": extend_schema(request=None, responses={(409, PROBLEM): IMMUTABLE}, description="Always 409."),
    "destroy": extend_schema(request=None, responses={(409, PROBLEM): IMMUTABLE}, description="Always 409."),
}


@extend_schema(tags=["billing"])
@extend_schema_view(
    list=extend_schema(description="Issued invoices, with their balance, overdue flag and rendering status."),
    retrieve=extend_schema(description="One issued invoice."),
    send=extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: InvoiceSerializer, **IDEMPOTENCY_RESPONSES},
        description="Email the PDF and attachments to the client's recipients (409 `pdf_not_ready` until rendered).",
    ),
    deposit=extend_schema(
        request=DepositSerializer, responses=InvoiceSerializer, description="Mark as deposited on the platform."
    ),
    render_retry=extend_schema(
        request=None, responses={202: InvoiceSerializer}, description="Render the PDF and XML again (after a failure)."
    ),
    send_bulk=extend_schema(
        operation_id="invoices_send_bulk",
        request=BulkSendSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={202: BillingJobSerializer, **IDEMPOTENCY_RESPONSES},
        description="Email the selected issued invoices in the background (a bulk job): answers 202 with the job; "
        "invoices whose PDF is still rendering are waited for a while; the others are refused with their reasons.",
    ),
    **_IMMUTABLE_VIEWS,
)
class InvoiceViewSet(_IssuedDocumentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Issued invoices (immutable): downloads, sending, deposit, rendering retry."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    kind = InvoiceKind.INVOICE

    @action(detail=False, methods=["post"], url_path="send", url_name="send-bulk")
    @idempotent
    def send_bulk(self, request, *args, **kwargs):
        serializer = BulkSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = [str(pk) for pk in serializer.validated_data["ids"]]
        known = {str(pk) for pk in self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True)}
        job = jobs.job_send_start(
            actor=request.membership,
            invoice_ids=ids,
            refused={pk: [_("Facture introuvable.")] for pk in ids if pk not in known},
        )
        return job_accepted(self, job)


@extend_schema(tags=["billing"])
@extend_schema_view(
    list=extend_schema(description="Credit notes, each with the number and date of the invoice it credits."),
    retrieve=extend_schema(description="One credit note."),
    create=extend_schema(
        request=CreditNoteCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: CreditNoteSerializer, **IDEMPOTENCY_RESPONSES},
        description="Credit an issued invoice: the whole of it (no amount), or an amount HT at a VAT rate (default: "
        "the invoice's main rate). Numbered in the credit-note series.",
    ),
    send=extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: CreditNoteSerializer, **IDEMPOTENCY_RESPONSES},
        description="Email the credit note's PDF to the client's invoice recipients (409 `pdf_not_ready` until "
        "rendered).",
    ),
    deposit=extend_schema(
        request=DepositSerializer, responses=CreditNoteSerializer, description="Mark as deposited on the platform."
    ),
    render_retry=extend_schema(
        request=None,
        responses={202: CreditNoteSerializer},
        description="Render the PDF and XML again (after a failure).",
    ),
    **_IMMUTABLE_VIEWS,
)
class CreditNoteViewSet(_IssuedDocumentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Credit notes (avoirs)."""

    serializer_class = CreditNoteSerializer
    filterset_class = CreditNoteFilter
    kind = InvoiceKind.CREDIT_NOTE

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = CreditNoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        note = services.credit_note_create(actor=request.membership, invoice=fields.pop("invoice"), **fields)
        return self._out(CreditNoteSerializer, self.get_queryset().get(pk=note.pk), status.HTTP_201_CREATED)


# --- Payments --------------------------------------------------------------------------------------


@extend_schema(tags=["billing"])
@extend_schema_view(
    list=extend_schema(description="Payments received, latest first."),
    retrieve=extend_schema(description="One payment."),
    create=extend_schema(
        request=PaymentCreateSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PaymentSerializer, **IDEMPOTENCY_RESPONSES},
        description="Record a payment (full or partial) on an open invoice: the invoice becomes partially paid or paid. "
        "More than the balance answers 400 `overpayment`.",
    ),
)
class PaymentViewSet(
    _BillingApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantGenericViewSet
):
    """Payments of invoices."""

    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    search_fields = ["reference", "invoice__number"]
    ordering_fields = {"paid_on": "paid_on", "amount": "amount", "created_at": "created_at"}
    ordering = ["-paid_on", "-created_at"]

    def safely_get_queryset(self):
        return Payment.objects.select_related("invoice")

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        payment = services.payment_record(actor=request.membership, invoice=fields.pop("invoice"), **fields)
        return self._out(PaymentSerializer, self.get_queryset().get(pk=payment.pk), status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        """Cancel a payment recorded by mistake: the invoice's balance and status follow (204)."""
        services.payment_cancel(actor=request.membership, payment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


__all__ = [
    "BillingRunViewSet",
    "CreditNoteViewSet",
    "InvoiceViewSet",
    "PaymentViewSet",
    "PreInvoiceViewSet",
]
