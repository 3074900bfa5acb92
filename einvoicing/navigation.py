"""Sidebar entries of e-invoicing."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import ADV_ROLES
from adv.ui.navigation import SECTION_ADMIN, NavItem, register
from billing.access import READ_ROLES

register(
    NavItem("einvoicing:submissions", _("Facturation électronique"), "bi-broadcast", roles=READ_ROLES, order=46,
            test_id="nav-einvoicing"),
    NavItem("einvoicing:settings", _("Plateforme de facturation"), "bi-plug", section=SECTION_ADMIN, roles=ADV_ROLES,
            order=47, test_id="nav-einvoicing-settings"),
    NavItem("einvoicing:suppliers", _("Factures fournisseurs"), "bi-inbox", roles=READ_ROLES, order=47,
            test_id="nav-einvoicing-suppliers"),
)
