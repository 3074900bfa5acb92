"""Sidebar entry of collections (imported by DunningConfig.ready): the dunning plan's settings."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import SECTION_ADMIN, NavItem, register

from .access import ACT_ROLES

register(
    NavItem(
        "dunning:settings",
        _("Relances clients"),
        "bi-envelope-exclamation",
        section=SECTION_ADMIN,
        roles=ACT_ROLES,
        order=46,
        test_id="nav-dunning-settings",
    ),
)
