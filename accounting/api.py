"""REST API of the accounting export, under /api/v1/accounting/:

- `GET fec/?start=YYYY-MM-DD&end=YYYY-MM-DD[&separator=tab]`: the FEC of the range as a file (the
  export is recorded, like on the page); `GET sales-journal/?start=&end=`: the same lines as CSV;
- `GET exports/`, `GET exports/{id}/`, `GET exports/{id}/download/`: the exports already run;
- `GET mapping/`, `PATCH mapping/`: the account mapping (admins and ADV write).

Admins, ADV and the accountant read and export (an export is the accountant's one write); other
roles get 403 `role_required`. Errors are problem+json: an inverted or over-5-year range 400
`invalid_range` / `range_too_long`, a missing account 409 `mapping_incomplete` with `missing`.
"""

from __future__ import annotations

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantAPIView, TenantGenericViewSet
from billing.api import FileRenderer

from . import access, fec, selectors, services
from .downloads import file_response
from .errors import InvalidRange
from .models import ExportKind
from .serializers import ExportSerializer, MappingSerializer, MappingUpdateSerializer

CanExport = HasRole.of(*sorted(access.EXPORT_ROLES))
RANGE = [
    OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="First day (YYYY-MM-DD)."),
    OpenApiParameter("end", OpenApiTypes.DATE, required=True, description="Last day, the closing date of the file name."),
]


def _date(request, name: str) -> datetime.date:
    value = (request.query_params.get(name) or "").strip()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidRange(f"{name}: YYYY-MM-DD", field=name) from None


class _ExportView(TenantAPIView):
    permission_classes = [IsTenantMember, CanExport]
    renderer_classes = [JSONRenderer, FileRenderer]
    kind = ExportKind.FEC

    def get(self, request, *args, **kwargs):
        separator = fec.SEPARATORS.get(request.query_params.get("separator") or "pipe", fec.PIPE)
        export = services.export_run(
            actor=request.membership, kind=self.kind, start=_date(request, "start"), end=_date(request, "end"),
            separator=separator,
        )
        return file_response(export)


@extend_schema(
    tags=["accounting"],
    parameters=[*RANGE, OpenApiParameter("separator", OpenApiTypes.STR, enum=["pipe", "tab"], required=False)],
    responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.BINARY, description="The FEC (SIRENFECAAAAMMJJ.txt).")},
    description="The FEC (article A47 A-1 LPF) of the range: sales and bank journals; recorded in the export log.",
)
class FecView(_ExportView):
    kind = ExportKind.FEC


@extend_schema(
    tags=["accounting"],
    parameters=RANGE,
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The journal as CSV.")},
    description="The same lines as the FEC as a CSV journal; recorded in the export log.",
)
class SalesJournalView(_ExportView):
    kind = ExportKind.CSV


@extend_schema(tags=["accounting"])
class MappingView(TenantAPIView):
    permission_classes = [IsTenantMember, CanExport, RoleCanWrite]
    write_roles = tuple(sorted(access.CONFIGURE_ROLES))

    def _out(self):
        current = services.mapping()
        data = MappingSerializer(current).data
        data["vat_accounts"] = [
            {"rate": f"{v.rate:.2f}", "account": v.account, "label": v.label} for v in services.vat_accounts(current)
        ]
        return Response(data)

    @extend_schema(responses=MappingSerializer, description="The firm's accounts (the defaults until saved).")
    def get(self, request, *args, **kwargs):
        return self._out()

    @extend_schema(request=MappingUpdateSerializer, responses=MappingSerializer,
                   description="Change some accounts; `vat_accounts` replaces the VAT accounts.")
    def patch(self, request, *args, **kwargs):
        serializer = MappingUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        vat = data.pop("vat_accounts", None)
        services.mapping_update(actor=request.membership, vat_accounts=[dict(v) for v in vat] if vat is not None else None,
                                **data)
        return self._out()


@extend_schema(tags=["accounting"])
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The exports already run, latest first: who, when, which range, the SHA-256 of the file."""

    permission_classes = [IsTenantMember, CanExport, RoleCanWrite]
    serializer_class = ExportSerializer
    ordering_fields = {"created_at": "created_at", "start": "start", "end": "end"}
    ordering = ["-created_at"]

    def safely_get_queryset(self):
        return selectors.exports()

    @extend_schema(request=None, responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
                   description="The kept file, byte for byte (its SHA-256 in `X-Checksum-SHA256`).")
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def download(self, request, *args, **kwargs):
        return file_response(self.get_object())
