"""Sidebar entries of deals (imported by DealsConfig.ready): the list, the unsigned-deals and
milestones reports for the roles that see deals, the firm's rules for admins."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Role
from adv.ui.navigation import SECTION_ADMIN, NavItem, register

from .access import VIEW_ROLES

register(
    NavItem("deals:list", _("Affaires"), "bi-briefcase", roles=VIEW_ROLES, order=30, test_id="nav-deals"),
    NavItem("deals:unsigned", _("Affaires non signées"), "bi-hourglass-split", roles=VIEW_ROLES, order=31, test_id="nav-deals-unsigned"),
    NavItem("deals:milestones", _("Échéances"), "bi-flag", roles=VIEW_ROLES, order=32, test_id="nav-deals-milestones"),
    NavItem(
        "deals:settings", _("Règles des affaires"), "bi-sliders", section=SECTION_ADMIN, roles=frozenset({Role.ADMIN}), order=35,
        test_id="nav-deals-settings",
    ),
)
