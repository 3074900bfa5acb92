"""The e-invoicing API, for billing readers (ADV, admins, accountants): `/api/v1/einvoicing/submissions/`
(each invoice handed to a platform, with its ordered lifecycle history; `retry`) and
`/api/v1/einvoicing/reports/` (the e-reporting; `retry`) and `/api/v1/einvoicing/supplier-invoices/` (contractors' invoices received,
with the amount expected from their approved days). Retries are for the ADV and admins."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet
from billing import access as billing_access

from . import reporting, sending
from .filters import EReportFilter, SubmissionFilter, SupplierInvoiceFilter
from .models import EReport, StatusEvent, Submission, SupplierInvoice
from .serializers import EReportSerializer, SubmissionSerializer, SupplierInvoiceSerializer

CanReadBilling = HasRole.of(*sorted(billing_access.READ_ROLES))


class _EinvoicingApi:
    permission_classes = [IsTenantMember, CanReadBilling, RoleCanWrite]
    write_roles = tuple(sorted(billing_access.BILL_ROLES))


@extend_schema(tags=["einvoicing"])
@extend_schema_view(
    list=extend_schema(description="Invoices handed to the e-invoicing platforms, latest first; `?status=` filters "
                                   "on the lifecycle status code, `?state=failed` on the transmission."),
    retrieve=extend_schema(description="One submission with its lifecycle history."),
    retry=extend_schema(request=None, responses={202: SubmissionSerializer},
                        description="Another attempt at a transmission that failed (never a second flow)."),
)  # fmt: skip
class SubmissionViewSet(_EinvoicingApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    ordering_fields = {"created_at": "created_at", "status_at": "status_at"}
    ordering = ["-created_at"]
    search_fields = ["invoice__number", "platform_id"]

    def safely_get_queryset(self):
        return Submission.objects.select_related("invoice").prefetch_related(
            Prefetch("events", queryset=StatusEvent.objects.order_by("occurred_at", "created_at"))
        )

    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        submission = self.get_object()
        sending.submission_retry(actor=request.membership, invoice=submission.invoice)
        return Response(SubmissionSerializer(self.get_object()).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["einvoicing"])
@extend_schema_view(
    list=extend_schema(description="E-reporting: payments received and non-domestic sales, with their state."),
    retrieve=extend_schema(description="One e-report."),
    retry=extend_schema(request=None, responses={202: EReportSerializer},
                        description="Send a report that failed again (it is reported once: its key is the idempotency key)."),
)  # fmt: skip
class EReportViewSet(_EinvoicingApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = EReportSerializer
    filterset_class = EReportFilter
    ordering_fields = {"created_at": "created_at"}
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return EReport.objects.select_related("invoice")

    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        report = reporting.report_retry(actor=request.membership, report=self.get_object())
        return Response(EReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["einvoicing"])
@extend_schema_view(
    list=extend_schema(description="Invoices received from contractors, with the net expected from their approved "
                                   "timesheet days × purchase rate; `?match=differs` lists the flagged ones."),
    retrieve=extend_schema(description="One supplier invoice."),
)  # fmt: skip
class SupplierInvoiceViewSet(_EinvoicingApi, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = SupplierInvoiceSerializer
    filterset_class = SupplierInvoiceFilter
    ordering_fields = {"issue_date": "issue_date", "received_at": "received_at"}
    ordering = ["-issue_date"]
    search_fields = ["number", "seller_name", "seller_siren"]

    def safely_get_queryset(self):
        return SupplierInvoice.objects.select_related("supplier")
