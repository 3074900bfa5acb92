"""Sidebar entries of the timesheet pages (imported by TimesheetsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Role
from adv.ui.navigation import NavItem, register

# Everybody may log time (admins and ADV staff too); the accountant only reads.
ENTRY_ROLES = frozenset(set(Role.values) - {Role.ACCOUNTANT})
# The queue: managers (their reports), ADV and admins (everyone). Others with reports reach it
# from their month page.
QUEUE_ROLES = frozenset({Role.ADMIN, Role.ADV, Role.MANAGER})

register(
    NavItem("timesheets:mine", _("Mon CRA"), "bi-calendar-week", roles=ENTRY_ROLES, order=10, test_id="nav-timesheet"),
    NavItem("timesheets:queue", _("Validation des CRA"), "bi-check2-square", roles=QUEUE_ROLES, order=11, test_id="nav-timesheet-queue"),
)
