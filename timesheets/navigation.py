"""Sidebar entries of the timesheet pages (imported by TimesheetsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import TIME_ENTRY_ROLES, TIMESHEET_QUEUE_ROLES
from adv.ui.navigation import NavItem, register

# Others with reports reach the queue from their month page.

register(
    NavItem("timesheets:mine", _("Mon CRA"), "bi-calendar-week", roles=TIME_ENTRY_ROLES, order=10, test_id="nav-timesheet"),
    NavItem("timesheets:queue", _("Validation des CRA"), "bi-check2-square", roles=TIMESHEET_QUEUE_ROLES, order=11, test_id="nav-timesheet-queue"),
)
