"""Sidebar entries of the cockpit (imported by BillingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import NavItem, register

from .access import READ_ROLES

register(
    NavItem(
        "billing:cockpit", _("Facturation du mois"), "bi-receipt", roles=READ_ROLES, order=40, test_id="nav-billing"
    ),
)
