"""The timesheets API's list, serialized from plain rows (issue 12).

A page of 200 timesheets carries about a thousand lines and twenty thousand entries in a real
firm. Model instances (each with its timestamps parsed) and DRF's nested serializers cost several
times the SQL, so the list reads the page's timesheets, lines, entries and approvals as plain
values, four queries whatever the page's size (the lines once, the entries once, as the billing
build reads them), and builds the same JSON as `TimesheetSerializer` (a test compares both).
The detail, the grid and the workflow answers keep the serializer (one timesheet each).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from rest_framework import serializers

from .models import ClientApproval, Timesheet, TimesheetEntry, TimesheetLine

ZERO = Decimal("0")
_DATETIME = serializers.DateTimeField()  # the API's format and time zone, as the serializer gives them

TIMESHEET_VALUES = (
    "id", "consultant_id", "consultant__user__first_name", "consultant__user__last_name", "consultant__user__email",
    "month", "status", "version", "submitted_at", "first_submitted_at", "approved_at", "approved_by_id", "rejected_at",
    "rejection_reason", "locked_at", "created_at", "updated_at",
)
LINE_VALUES = (
    "id", "timesheet_id", "assignment_id", "comment", "reception_number", "absence_type_id", "absence_type__code",
    "absence_type__name", "assignment__reception_number_required", "assignment__deal_id", "assignment__deal__reference",
    "assignment__deal__title", "assignment__deal__client_id", "assignment__deal__client__trade_name",
    "assignment__deal__client__legal_name", "assignment__deal__consultant_instructions",
    "assignment__deal__reception_number_required", "assignment__deal__client__billing_profile__reception_number_required",
)
APPROVAL_VALUES = (
    "id", "timesheet_id", "deal_id", "deal__reference", "status", "signed_document_id", "link_expires_at", "decided_at",
    "comment",
)


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _id(value):
    return None if value is None else str(value)


def _status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Timesheet._meta.get_field("status").flatchoices}


def _line(row: dict, entries: list[tuple]) -> dict:
    assignment = row["assignment_id"]
    deal = None
    instructions, required = "", False
    if assignment:
        deal = {
            "id": str(row["assignment__deal_id"]),
            "reference": row["assignment__deal__reference"],
            "title": row["assignment__deal__title"],
            "client": str(row["assignment__deal__client_id"]),
            "client_name": row["assignment__deal__client__trade_name"] or row["assignment__deal__client__legal_name"],
        }
        instructions = row["assignment__deal__consultant_instructions"]
        override = row["assignment__deal__reception_number_required"]
        # the deal's override, else the client's billing profile (none: not required), as `Deal.requires`
        wanted = override if override is not None else row["assignment__deal__client__billing_profile__reception_number_required"]
        required = bool(row["assignment__reception_number_required"] or wanted)
    absence = None
    if row["absence_type_id"]:
        absence = {"id": str(row["absence_type_id"]), "code": row["absence_type__code"], "name": row["absence_type__name"]}
    return {
        "id": str(row["id"]),
        "kind": "assignment" if assignment else "absence",
        "assignment": _id(assignment),
        "deal": deal,
        "absence_type": absence,
        "instructions": instructions,
        "comment": row["comment"],
        "reception_number": row["reception_number"],
        "reception_number_required": required,
        "entries": [{"day": day.isoformat(), "quantity": f"{quantity:.2f}", "is_extra": extra} for day, quantity, extra in entries],
        "total": str(sum((quantity for _day, quantity, extra in entries if not extra), ZERO)),
    }


def _approval(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "deal": str(row["deal_id"]),
        "deal_reference": row["deal__reference"],
        "status": row["status"],
        "signed_document": _id(row["signed_document_id"]),
        "link_expires_at": _datetime(row["link_expires_at"]),
        "decided_at": _datetime(row["decided_at"]),
        "comment": row["comment"],
    }


def timesheet_rows(page: list[dict]) -> list[dict]:
    """The API's representation of a page of timesheets read with `.values(*TIMESHEET_VALUES)`:
    three more queries (lines, entries, approvals), whatever the page's size."""
    ids = [row["id"] for row in page]
    entries = defaultdict(list)
    for line_id, day, quantity, is_extra in (
        TimesheetEntry.objects.filter(line__timesheet_id__in=ids)
        .order_by("line_id", "day", "is_extra")
        .values_list("line_id", "day", "quantity", "is_extra")
    ):
        entries[line_id].append((day, quantity, is_extra))
    lines_of = defaultdict(list)
    for row in TimesheetLine.objects.filter(timesheet_id__in=ids).values(*LINE_VALUES):
        lines_of[row["timesheet_id"]].append((row["absence_type_id"] is not None, _line(row, entries[row["id"]]), entries[row["id"]]))
    approvals_of = defaultdict(list)
    for row in ClientApproval.objects.filter(timesheet_id__in=ids).values(*APPROVAL_VALUES):
        approvals_of[row["timesheet_id"]].append(_approval(row))
    labels = _status_labels()
    result = []
    for row in page:
        lines = lines_of[row["id"]]
        worked = absent = extra = ZERO
        for is_absence, _data, line_entries in lines:
            for _day, quantity, is_extra in line_entries:
                if is_absence:
                    absent += ZERO if is_extra else quantity
                elif is_extra:
                    extra += quantity
                else:
                    worked += quantity
        name = f"{row['consultant__user__first_name']} {row['consultant__user__last_name']}".strip()
        result.append({
            "id": str(row["id"]),
            "consultant": str(row["consultant_id"]),
            "consultant_name": name or row["consultant__user__email"],
            "consultant_email": row["consultant__user__email"],
            "month": row["month"].isoformat(),
            "status": row["status"],
            "status_display": labels.get(row["status"], row["status"]),
            "version": row["version"],
            "submitted_at": _datetime(row["submitted_at"]),
            "first_submitted_at": _datetime(row["first_submitted_at"]),
            "approved_at": _datetime(row["approved_at"]),
            "approved_by": _id(row["approved_by_id"]),
            "rejected_at": _datetime(row["rejected_at"]),
            "rejection_reason": row["rejection_reason"],
            "locked_at": _datetime(row["locked_at"]),
            "is_locked": row["locked_at"] is not None,
            "total_worked": str(worked),
            "total_absent": str(absent),
            "total_extra": str(extra),
            "lines": [data for _absence, data, _entries in lines],
            "client_approvals": approvals_of[row["id"]],
            "created_at": _datetime(row["created_at"]),
            "updated_at": _datetime(row["updated_at"]),
        })
    return result
