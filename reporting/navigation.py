"""Sidebar entry of reporting (imported by ReportingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import NavItem, register

from .access import READ_ROLES

register(NavItem("reporting:revenue", _("Reporting"), "bi-graph-up", roles=READ_ROLES, order=46, test_id="nav-reporting"))
