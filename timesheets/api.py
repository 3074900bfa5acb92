"""REST API of timesheets (CRA): `/api/v1/timesheets/`.

Thin, like every viewset (see adv/api/viewsets.py). Who sees what is the selectors' rule:
ADV, admins and the accountant read every timesheet; everybody else their own and their
reports'. The grid is written whole (PUT) or line by line (PATCH) with the `version` read
before (409 `stale_version` when someone saved in between); `submit`, `approve`, `reject`
and `reopen` are the workflow. An integration token with the ADV role may open, fill and submit
a consultant's month. No rate ever appears here.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.serializers import ProblemSerializer
from adv.api.viewsets import TenantGenericViewSet
from adv.tenancy.errors import DomainError

from . import api_rows, selectors, services
from .errors import TimesheetErrorCode
from .filters import TimesheetFilter
from .models import Timesheet, TimesheetEntry
from .serializers import ReasonSerializer, TimesheetGridSerializer, TimesheetOpenSerializer, TimesheetSerializer
from .services import Cell

PROBLEM = "application/problem+json"
CONFLICT = OpenApiResponse(
    ProblemSerializer,
    description="`stale_version`: saved meanwhile (read it again); `not_draft`, `already_submitted`, `not_submitted`, "
    "`not_approved`, `timesheet_locked`: the status does not allow it.",
)
INVALID = OpenApiResponse(
    ProblemSerializer,
    description="A grid rule: `invalid_quantity`, `more_than_a_day`, `outside_assignment`, `absence_on_non_working_day`, "
    "`extra_not_allowed`, `extra_on_absence`, `day_outside_month`, `unknown_line`, `duplicate_cell`, `future_month`, "
    "`reason_required`.",
)
FORBIDDEN = OpenApiResponse(ProblemSerializer, description="Not yours to change, or not yours to approve (never one's own).")
GRID_DESCRIPTION = (
    "Each line sent gets exactly the entries sent (a day absent = nothing that day). Comments and reception numbers "
    "change only when sent. Nothing is saved when any rule fails."
)


@extend_schema_view(
    list=extend_schema(description="Timesheets with their lines and entries, newest month first."),
    retrieve=extend_schema(description="One timesheet with its lines (assignment or absence), entries and client approvals."),
    update=extend_schema(
        request=TimesheetGridSerializer,
        responses={200: TimesheetSerializer, (400, PROBLEM): INVALID, (403, PROBLEM): FORBIDDEN, (409, PROBLEM): CONFLICT},
        description="Replace the whole grid of a draft: lines not sent are emptied. " + GRID_DESCRIPTION,
    ),
    partial_update=extend_schema(
        request=TimesheetGridSerializer,
        responses={200: TimesheetSerializer, (400, PROBLEM): INVALID, (403, PROBLEM): FORBIDDEN, (409, PROBLEM): CONFLICT},
        description="Change the lines sent; the others keep their entries. " + GRID_DESCRIPTION,
    ),
    submit=extend_schema(
        request=None, responses={200: TimesheetSerializer, (403, PROBLEM): FORBIDDEN, (409, PROBLEM): CONFLICT},
        description="Submit a draft for approval (timestamped). The consultant, or ADV on their behalf.",
    ),
    approve=extend_schema(
        request=None, responses={200: TimesheetSerializer, (403, PROBLEM): FORBIDDEN, (409, PROBLEM): CONFLICT},
        description="Approve a submitted timesheet: the consultant's manager, or ADV; never one's own.",
    ),
    reject=extend_schema(
        request=ReasonSerializer, responses={200: TimesheetSerializer, (403, PROBLEM): FORBIDDEN, (409, PROBLEM): CONFLICT},
        description="Send a submitted timesheet back to draft with a reason the consultant sees.",
    ),
    reopen=extend_schema(
        request=ReasonSerializer, responses={200: TimesheetSerializer, (403, PROBLEM): FORBIDDEN, (409, PROBLEM): CONFLICT},
        description="ADV: send an approved timesheet back to draft with a reason (audited); not once billed.",
    ),
    open=extend_schema(
        request=TimesheetOpenSerializer, responses={200: TimesheetSerializer, (400, PROBLEM): INVALID, (403, PROBLEM): FORBIDDEN},
        description="The consultant's timesheet for the month, created if needed with a line per active assignment and "
        "absence type (the consultant, their manager, or ADV).",
    ),
)
class TimesheetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Monthly timesheets (CRA): draft → submitted → approved, or back to draft with a reason."""

    serializer_class = TimesheetSerializer
    filterset_class = TimesheetFilter
    model = Timesheet
    search_fields = ["consultant__user__last_name", "consultant__user__first_name", "consultant__user__email"]
    ordering_fields = {
        "month": "month",
        "status": "status",
        "submitted_at": "submitted_at",
        "first_submitted_at": "first_submitted_at",
        "consultant": "consultant__user__last_name",
        "updated_at": "updated_at",
    }
    ordering = ["-month", "consultant__user__last_name"]

    def safely_get_queryset(self):
        return selectors.timesheet_api_queryset(actor=self.request.membership)

    def list(self, request, *args, **kwargs):
        # Plain rows for the page (api_rows): a constant number of queries and no model instance.
        queryset = self.filter_queryset(self.get_queryset()).values(*api_rows.TIMESHEET_VALUES)
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(api_rows.timesheet_rows(list(queryset)))
        return self.get_paginated_response(api_rows.timesheet_rows(page))

    def retrieve(self, request, *args, **kwargs):
        return self._render(self.get_object())

    def _render(self, timesheet: Timesheet, status_code: int = status.HTTP_200_OK) -> Response:
        (timesheet,) = selectors.with_grids([self.get_queryset().get(pk=timesheet.pk)])
        return Response(TimesheetSerializer(timesheet).data, status=status_code)

    # --- The grid -----------------------------------------------------------------------------------

    def update(self, request, *args, **kwargs):
        return self._save_grid(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._save_grid(request, partial=True)

    def _save_grid(self, request, *, partial: bool) -> Response:
        timesheet = self.get_object()
        serializer = TimesheetGridSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        known = {str(pk) for pk in timesheet.lines.values_list("pk", flat=True)}
        sent = {str(line["id"]): line for line in data["lines"]}
        unknown = sorted(set(sent) - known)
        if unknown:
            raise DomainError(f"Unknown line(s) for this timesheet: {', '.join(unknown)}", code=TimesheetErrorCode.UNKNOWN_LINE, field="lines")
        cells = [
            Cell(line_id=line_id, day=entry["day"], quantity=entry["quantity"], is_extra=entry["is_extra"])
            for line_id, line in sent.items()
            for entry in line.get("entries", [])
        ]
        if partial:  # the lines whose entries were not sent keep them
            replaced = [line_id for line_id, line in sent.items() if "entries" in line]
            for entry in TimesheetEntry.objects.filter(line__timesheet=timesheet).exclude(line_id__in=replaced):
                cells.append(Cell(line_id=entry.line_id, day=entry.day, quantity=entry.quantity, is_extra=entry.is_extra))
        timesheet = services.timesheet_save(
            actor=request.membership,
            timesheet=timesheet,
            version=data["version"],
            cells=cells,
            comments={line_id: line["comment"] for line_id, line in sent.items() if "comment" in line},
            reception_numbers={line_id: line["reception_number"] for line_id, line in sent.items() if "reception_number" in line},
        )
        return self._render(timesheet)

    # --- Workflow -----------------------------------------------------------------------------------

    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._render(services.timesheet_submit(actor=request.membership, timesheet=self.get_object()))

    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        return self._render(services.timesheet_approve(actor=request.membership, timesheet=self.get_object()))

    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        timesheet = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.timesheet_reject(actor=request.membership, timesheet=timesheet, reason=serializer.validated_data["reason"]))

    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        timesheet = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.timesheet_reopen(actor=request.membership, timesheet=timesheet, reason=serializer.validated_data["reason"]))

    @action(detail=False, methods=["post"])
    def open(self, request, *args, **kwargs):
        serializer = TimesheetOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        timesheet = services.timesheet_open(actor=request.membership, **serializer.validated_data)
        return self._render(timesheet)
