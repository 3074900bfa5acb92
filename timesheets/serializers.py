"""Serializers of the timesheets API. Output serializers show rows (days, never a rate); input
serializers only parse the body, then the view calls a service (the only write path)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adv.api.serializers import TenantPrimaryKeyRelatedField
from adv.tenancy.models import Membership

from .forms import month_param
from .models import ClientApproval, Timesheet, TimesheetEntry, TimesheetLine
from .selectors import requires

ZERO = Decimal("0")


def _ref(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField(), **kwargs)


class EntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimesheetEntry
        fields = ["day", "quantity", "is_extra"]
        read_only_fields = fields


class DealSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField()
    client = serializers.UUIDField(source="client_id")
    client_name = serializers.CharField(source="client.display_name")


class AbsenceTypeSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    code = serializers.CharField()
    name = serializers.CharField()


class TimesheetLineSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField(help_text="`assignment` (work on a deal) or `absence`.")
    assignment = _ref(allow_null=True)
    deal = serializers.SerializerMethodField()
    absence_type = AbsenceTypeSummarySerializer(allow_null=True, read_only=True)
    instructions = serializers.SerializerMethodField(help_text="The deal's instructions to consultants.")
    reception_number_required = serializers.SerializerMethodField(help_text="The client wants a reception number for this month.")
    entries = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField(help_text="Regular time of the line (extra time excluded).")

    class Meta:
        model = TimesheetLine
        fields = [
            "id", "kind", "assignment", "deal", "absence_type", "instructions", "comment", "reception_number",
            "reception_number_required", "entries", "total",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["assignment", "absence"]))
    def get_kind(self, line: TimesheetLine) -> str:
        return "assignment" if line.assignment_id else "absence"

    @extend_schema_field(DealSummarySerializer(allow_null=True))
    def get_deal(self, line: TimesheetLine):
        return DealSummarySerializer(line.assignment.deal).data if line.assignment_id else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_instructions(self, line: TimesheetLine) -> str:
        return line.assignment.deal.consultant_instructions if line.assignment_id else ""

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_reception_number_required(self, line: TimesheetLine) -> bool:
        if not line.assignment_id:
            return False
        return line.assignment.reception_number_required or requires(line.assignment.deal, "reception_number_required")

    @extend_schema_field(EntrySerializer(many=True))
    def get_entries(self, line: TimesheetLine) -> list[dict]:
        # Plain dicts: thousands of entries per page through a nested serializer cost more than the SQL.
        return [
            {"day": entry.day.isoformat(), "quantity": f"{entry.quantity:.2f}", "is_extra": entry.is_extra}
            for entry in line.grid_entries
        ]

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2))
    def get_total(self, line: TimesheetLine) -> str:
        return str(sum((e.quantity for e in line.grid_entries if not e.is_extra), ZERO))


class ClientApprovalSerializer(serializers.ModelSerializer):
    deal = _ref()
    deal_reference = serializers.CharField(source="deal.reference", read_only=True)
    signed_document = _ref(allow_null=True)

    class Meta:
        model = ClientApproval
        fields = ["id", "deal", "deal_reference", "status", "signed_document", "link_expires_at", "decided_at", "comment"]
        read_only_fields = fields


class TimesheetSerializer(serializers.ModelSerializer):
    """A timesheet read with `selectors.with_grids` (its lines, entries and approvals)."""

    consultant = _ref()
    consultant_name = serializers.SerializerMethodField()
    consultant_email = serializers.EmailField(source="consultant.user.email", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    approved_by = _ref(allow_null=True)
    is_locked = serializers.BooleanField(read_only=True, help_text="Billed: it never changes again.")
    total_worked = serializers.SerializerMethodField(help_text="Regular time on assignments.")
    total_absent = serializers.SerializerMethodField()
    total_extra = serializers.SerializerMethodField(help_text="Extra time (on-call, overtime), flagged apart.")
    lines = TimesheetLineSerializer(many=True, read_only=True, source="grid_lines")
    client_approvals = ClientApprovalSerializer(many=True, read_only=True, source="grid_approvals")

    class Meta:
        model = Timesheet
        fields = [
            "id", "consultant", "consultant_name", "consultant_email", "month", "status", "status_display", "version",
            "submitted_at", "first_submitted_at", "approved_at", "approved_by", "rejected_at", "rejection_reason",
            "locked_at", "is_locked", "total_worked", "total_absent", "total_extra", "lines", "client_approvals",
            "created_at", "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "version": {"help_text": "Send it back with the grid (PUT/PATCH): a stale one answers 409 `stale_version`."},
            "month": {"help_text": "The first day of the month."},
        }

    @extend_schema_field(OpenApiTypes.STR)
    def get_consultant_name(self, timesheet: Timesheet) -> str:
        user = timesheet.consultant.user
        return user.get_full_name() or user.email

    def _sum(self, timesheet: Timesheet, *, absence: bool, extra: bool) -> str:
        total = ZERO
        for line in timesheet.grid_lines:
            if bool(line.absence_type_id) != absence:
                continue
            total += sum((e.quantity for e in line.grid_entries if e.is_extra == extra), ZERO)
        return str(total)

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2))
    def get_total_worked(self, timesheet: Timesheet) -> str:
        return self._sum(timesheet, absence=False, extra=False)

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2))
    def get_total_absent(self, timesheet: Timesheet) -> str:
        return self._sum(timesheet, absence=True, extra=False)

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2))
    def get_total_extra(self, timesheet: Timesheet) -> str:
        return self._sum(timesheet, absence=False, extra=True)


# --- Input --------------------------------------------------------------------------------------


class GridEntryInputSerializer(serializers.Serializer):
    day = serializers.DateField()
    quantity = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"),
        help_text="Days: 0.5 or 1 (0 means nothing). Hours (if the firm works in hours): quarters of an hour, up to a day.",
    )
    is_extra = serializers.BooleanField(default=False, help_text="Extra time (on-call, overtime), only where the firm allows it.")


class GridLineInputSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="A line of this timesheet.")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
    reception_number = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Assignment lines only.")
    entries = GridEntryInputSerializer(many=True, required=False, help_text="The line's whole month (its previous entries are replaced).")


class TimesheetGridSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The `version` read with the timesheet.")
    lines = GridLineInputSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Shown to the consultant.")


class TimesheetOpenSerializer(serializers.Serializer):
    consultant = TenantPrimaryKeyRelatedField(Membership, help_text="Membership id of the consultant.")
    month = serializers.CharField(help_text="`YYYY-MM` (or any day of the month, `YYYY-MM-DD`); not in the future.")

    def validate_month(self, value: str):
        month = month_param(value)
        if month is None:
            raise serializers.ValidationError("Expected YYYY-MM.")
        return month
