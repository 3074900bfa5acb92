"""Writes of the month-end close that are not the CRA's own workflow: the firm's timesheet rules
(`timesheet_policy_update`) and opening a month for every consultant at once
(`timesheets_open_month`). Reminders are written by `timesheets.reminders`.

`timesheets_open_month` is the bulk variant of `services.timesheet_open`: that one opens one
consultant's month (a dozen queries); a firm of 2,000 consultants would need tens of thousands.
This does the same for everyone in a constant number of queries: the missing timesheets in one
bulk insert, then the missing lines (one per assignment active in the month and per active
absence type) of every draft in another. Idempotent: what exists is left alone (ON CONFLICT DO
NOTHING on the unique constraints).
"""

from __future__ import annotations

import datetime

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError, PermissionDenied
from adv.tenancy.firm_settings import settings_for_update
from adv.tenancy.models import Membership, Role
from adv.tenancy.roles import ADV_ROLES
from deals.models import STAFFABLE_STATUSES, Assignment

from .. import calendar as cal
from ..errors import TimesheetErrorCode
from ..models import AbsenceType, Timesheet, TimesheetLine, TimesheetPolicy, TimesheetStatus, month_start
from . import selectors as closing_selectors

BATCH = 2000


@transaction.atomic
def timesheets_open_month(*, month: datetime.date, actor: Membership | None = None) -> dict[str, int]:
    """Open `month` for every expected consultant; returns how many timesheets and lines were
    created. `actor` None: the system (a task); otherwise ADV or an admin."""
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise DomainError(_("On ne saisit pas un CRA d'un mois futur."), code=TimesheetErrorCode.FUTURE_MONTH, field="month")
    if actor is not None and actor.role not in ADV_ROLES:
        raise PermissionDenied(_("Réservé à l'ADV."))
    tenant_id = require_tenant_id()
    consultants = list(closing_selectors.expected_consultants(month).values_list("pk", flat=True))
    existing = set(Timesheet.objects.filter(month=month, consultant_id__in=consultants).values_list("consultant_id", flat=True))
    created = Timesheet.objects.bulk_create(
        [Timesheet(tenant_id=tenant_id, consultant_id=pk, month=month) for pk in consultants if pk not in existing],
        batch_size=BATCH, ignore_conflicts=True,
    )
    drafts = dict(
        Timesheet.objects.filter(month=month, status=TimesheetStatus.DRAFT, locked_at__isnull=True, consultant_id__in=consultants)
        .values_list("consultant_id", "id")
    )
    present = set(
        TimesheetLine.objects.filter(timesheet_id__in=drafts.values()).values_list("timesheet_id", "assignment_id", "absence_type_id")
    )
    last = cal.next_month(month) - datetime.timedelta(days=1)
    assignments = (
        Assignment.objects.filter(
            consultant_id__in=drafts, is_active=True, deal__status__in=STAFFABLE_STATUSES, start_date__lte=last
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=month))
        .values_list("consultant_id", "id")
    )
    absences = list(AbsenceType.objects.filter(is_active=True).values_list("id", flat=True))
    lines = [
        TimesheetLine(tenant_id=tenant_id, timesheet_id=drafts[consultant_id], assignment_id=assignment_id)
        for consultant_id, assignment_id in assignments
        if (drafts[consultant_id], assignment_id, None) not in present
    ]
    lines += [
        TimesheetLine(tenant_id=tenant_id, timesheet_id=timesheet_id, absence_type_id=absence_id)
        for timesheet_id in drafts.values()
        for absence_id in absences
        if (timesheet_id, None, absence_id) not in present
    ]
    TimesheetLine.objects.bulk_create(lines, batch_size=BATCH, ignore_conflicts=True)
    return {"timesheets": len(created), "lines": len(lines)}


# --- The firm's timesheet rules ------------------------------------------------------------------

POLICY_FIELDS = (
    "unit", "hours_per_day", "allow_extra_time", "holiday_country",
    "submission_working_days_before_end", "approval_working_days_after_end",
    "client_approval_working_days_after_end", "billing_close_working_days_after_end",
    "announce_days_ahead", "reminder_offsets", "escalate_after_working_days",
    "habitually_late_count", "habitually_late_window_months",
)
MAX_OFFSET = 20


def normalize_offsets(text: str) -> str:
    """"-2, 0" → "-2,0"; raises DomainError unless every part is a whole number of working days
    between -20 and 0 (after the deadline, reminders go out every working day anyway)."""
    parts = [p.strip() for p in (text or "").replace(";", ",").split(",") if p.strip()]
    try:
        values = sorted({int(p) for p in parts})
    except ValueError:
        values = []
    if not values or any(v < -MAX_OFFSET or v > 0 for v in values):
        raise DomainError(
            _("Indiquez des jours ouvrés avant l'échéance, séparés par des virgules, entre -%(max)s et 0 (par exemple -2,0).")
            % {"max": MAX_OFFSET},
            code=TimesheetErrorCode.INVALID_OFFSETS, field="reminder_offsets",
        )
    return ",".join(str(v) for v in values)


@transaction.atomic
def timesheet_policy_update(*, actor: Membership, **fields) -> TimesheetPolicy:
    """The firm's rules: entry unit, closing calendar rule, reminders and the habitual-lateness
    rule (admins). Saved calendars keep their deadlines (ADV edits them month by month)."""
    if actor.role != Role.ADMIN:
        raise PermissionDenied(_("Réservé aux administrateurs de la société."))
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=TimesheetErrorCode.UNKNOWN_FIELDS)
    if "reminder_offsets" in fields:
        fields["reminder_offsets"] = normalize_offsets(fields["reminder_offsets"])
    if "holiday_country" in fields:
        fields["holiday_country"] = (fields["holiday_country"] or "").strip().upper()
        if fields["holiday_country"] not in holidays.list_supported_countries():
            raise DomainError(_("Pays inconnu pour les jours fériés : indiquez un code ISO à 2 lettres, par exemple FR."),
                              code=TimesheetErrorCode.UNKNOWN_COUNTRY, field="holiday_country")
    current = settings_for_update(TimesheetPolicy)
    for name, value in fields.items():
        setattr(current, name, value)
    if current.habitually_late_count < 1 or current.habitually_late_window_months < 1:
        raise DomainError(_("La règle du retardataire habituel compte au moins un retard sur au moins un mois."),
                          code=TimesheetErrorCode.INVALID_HABITUAL_RULE, field="habitually_late_count")
    if current.habitually_late_window_months > 24:
        raise DomainError(_("La fenêtre du retardataire habituel ne dépasse pas 24 mois."),
                          code=TimesheetErrorCode.INVALID_HABITUAL_RULE, field="habitually_late_window_months")
    if current.habitually_late_count > current.habitually_late_window_months:
        raise DomainError(
            _("On ne peut pas être en retard plus de fois qu'il n'y a de mois dans la fenêtre."),
            code=TimesheetErrorCode.INVALID_HABITUAL_RULE, field="habitually_late_count",
        )
    if current.announce_days_ahead > 31:
        raise DomainError(_("L'annonce part au plus 31 jours avant l'échéance."), code=TimesheetErrorCode.INVALID_ANNOUNCE, field="announce_days_ahead")
    if current.escalate_after_working_days > MAX_OFFSET:
        raise DomainError(_("L'escalade intervient au plus 20 jours ouvrés après l'échéance."),
                          code=TimesheetErrorCode.INVALID_ESCALATION, field="escalate_after_working_days")
    try:
        current.full_clean(exclude=["tenant"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], code=TimesheetErrorCode.INVALID_POLICY, field=field)
    current.save()
    return current
