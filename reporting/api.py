"""The reports over the API: /api/v1/reports/revenue/, fae/, pca/, receivables/, close/ (GET).

Query parameters as on the pages: `period` (month | quarter | year | rolling12 | range) with
`month`, `quarter`, `year` or `start`/`end`; `client`, `owner`, `deal_type`. A refused period or
filter answers a problem+json 400 with its code (`period_inverted`, `period_too_long`, ...).
Same scope as the pages (reporting/access.py): 403 for roles without reporting."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from adv.api.viewsets import TenantAPIView

from . import selectors, serializers
from .periods import period_of

PARAMETERS = [
    OpenApiParameter("period", str, enum=["month", "quarter", "year", "rolling12", "range"], description="Default rolling12."),
    OpenApiParameter("month", str, description="YYYY-MM (month, rolling12)."),
    OpenApiParameter("quarter", str, description="YYYY-Qn."),
    OpenApiParameter("year", int),
    OpenApiParameter("start", str, description="YYYY-MM (range)."),
    OpenApiParameter("end", str, description="YYYY-MM (range; at most 60 months after start)."),
    OpenApiParameter("client", str, description="Client id."),
    OpenApiParameter("owner", str, description="Sales owner (membership id)."),
    OpenApiParameter("deal_type", str, enum=["t_and_m", "fixed_price", "subscription"]),
]
DSO_METHOD = "countback"


class _Report(TenantAPIView):
    def parsed(self, request):
        return period_of(request.query_params, timezone.localdate()), selectors.Filters.of(request.query_params)


class RevenueReport(_Report):
    @extend_schema(operation_id="reports_revenue", parameters=PARAMETERS, responses=serializers.RevenueSerializer, tags=["reports"])
    def get(self, request, *args, **kwargs):
        period, filters = self.parsed(request)
        report = selectors.revenue(request.membership, period, filters)
        data = {"period": {"start": period.start, "end": period.end}, "total": report.total,
                "previous_total": report.previous_total,
                "months": [{"month": m.month, "by_type": m.by_type, "total": m.total, "previous_year": m.previous_year,
                            "expected": m.expected} for m in report.months]}
        return Response(serializers.RevenueSerializer(data).data)


class _AccrualReport(_Report):
    """FAE or PCA (`kind`): the two halves of one accruals report."""

    kind = ""

    def accruals(self, request):
        period, filters = self.parsed(request)
        report = selectors.accruals(request.membership, period, filters)
        data = {"at": report.at, "total": getattr(report, f"{self.kind}_total"), "rows": getattr(report, f"{self.kind}_rows"),
                "evolution": [{"month_end": p.month_end, "amount": getattr(p, self.kind)} for p in report.evolution]}
        return Response(serializers.AccrualSerializer(data).data)


class FaeReport(_AccrualReport):
    kind = "fae"

    @extend_schema(operation_id="reports_fae", parameters=PARAMETERS, responses=serializers.AccrualSerializer, tags=["reports"])
    def get(self, request, *args, **kwargs):
        return self.accruals(request)


class PcaReport(_AccrualReport):
    kind = "pca"

    @extend_schema(operation_id="reports_pca", parameters=PARAMETERS, responses=serializers.AccrualSerializer, tags=["reports"])
    def get(self, request, *args, **kwargs):
        return self.accruals(request)


class ReceivablesReport(_Report):
    @extend_schema(operation_id="reports_receivables", parameters=PARAMETERS, responses=serializers.ReceivablesSerializer, tags=["reports"])
    def get(self, request, *args, **kwargs):
        period, filters = self.parsed(request)
        report = selectors.receivables(request.membership, period, filters, timezone.localdate())
        data = {"at": report.at, "total": report.total, "buckets": report.buckets, "clients": report.clients,
                "dso_method": DSO_METHOD, "dso": [{"month_end": d, "dso": v} for d, v in report.dso],
                "payment_delays": report.delays, "forecast": [{"week": w, "amount": a} for w, a in report.forecast],
                "forecast_later": report.later}
        return Response(serializers.ReceivablesSerializer(data).data)


class CloseReport(_Report):
    @extend_schema(operation_id="reports_close", parameters=PARAMETERS, responses=serializers.CloseSerializer, tags=["reports"])
    def get(self, request, *args, **kwargs):
        period, filters = self.parsed(request)
        report = selectors.close(request.membership, period, filters, request.tenant.country or "FR")
        data = {"median_days": report.median_days, "on_time_percent": report.on_time_percent, "months": report.months,
                "blocked": {code: {m.isoformat(): n for m, n in months.items()} for code, months in report.blocked.items()}}
        return Response(serializers.CloseSerializer(data).data)


urlpatterns = [
    path("reports/revenue/", RevenueReport.as_view(), name="report-revenue"),
    path("reports/fae/", FaeReport.as_view(), name="report-fae"),
    path("reports/pca/", PcaReport.as_view(), name="report-pca"),
    path("reports/receivables/", ReceivablesReport.as_view(), name="report-receivables"),
    path("reports/close/", CloseReport.as_view(), name="report-close"),
]
