"""Filter sets of the timesheets API: `?month=2026-05&status=submitted&consultant=<uuid>`."""

from __future__ import annotations

import django_filters

from .forms import month_param
from .models import Timesheet, TimesheetStatus


class TimesheetFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(method="filter_month", help_text="`YYYY-MM` (or a day of that month, `YYYY-MM-DD`).")
    status = django_filters.MultipleChoiceFilter(choices=TimesheetStatus.choices, help_text="One or more statuses (repeat the parameter).")
    consultant = django_filters.UUIDFilter(field_name="consultant_id", help_text="Membership id of the consultant.")
    locked = django_filters.BooleanFilter(field_name="locked_at", lookup_expr="isnull", exclude=True, help_text="true: billed (locked) only.")

    class Meta:
        model = Timesheet
        fields = ["month", "status", "consultant", "locked"]

    def filter_month(self, queryset, name, value):
        month = month_param(value)
        return queryset.filter(month=month) if month else queryset.none()
