"""Sidebar entries of the month-end close pages (imported by TimesheetsConfig.ready): the closing
calendar for everyone, the month's completion and the late report for those who follow the
close (managers see their team), grouped reminders for ADV, the firm's rules for admins."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Role
from adv.tenancy.roles import ADV_ROLES, CLOSE_FOLLOWERS
from adv.ui.navigation import SECTION_ADMIN, NavItem, register

register(
    NavItem("timesheets:closing", _("Calendrier de clôture"), "bi-calendar-event", order=12, test_id="nav-closing-calendar"),
    NavItem("timesheets:completion", _("Complétude du mois"), "bi-pie-chart", roles=CLOSE_FOLLOWERS, order=13, test_id="nav-completion"),
    NavItem("timesheets:reminders", _("Relances CRA"), "bi-megaphone", roles=ADV_ROLES, order=14, test_id="nav-grouped-reminders"),
    NavItem("timesheets:late_report", _("Retards de CRA"), "bi-alarm", roles=CLOSE_FOLLOWERS, order=15, test_id="nav-late-report"),
    NavItem(
        "timesheets:closing_policy", _("Règles des CRA"), "bi-sliders", section=SECTION_ADMIN, roles=frozenset({Role.ADMIN}),
        order=36, test_id="nav-timesheet-policy",
    ),
)
