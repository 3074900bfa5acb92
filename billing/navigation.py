"""Sidebar entries of billing (imported by BillingConfig.ready): the month's cockpit, invoices,
what is left to deposit, unpaid invoices, the month's summary and FAE, the billing settings."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import ADV_ROLES
from adv.ui.navigation import SECTION_ADMIN, NavItem, register

from .access import READ_ROLES

register(
    NavItem(
        "billing:cockpit", _("Facturation du mois"), "bi-receipt", roles=READ_ROLES, order=40, test_id="nav-billing"
    ),
    NavItem("billing:invoices", _("Factures"), "bi-receipt", roles=READ_ROLES, order=41, test_id="nav-invoices"),
    NavItem(
        "billing:to_deposit", _("À déposer"), "bi-cloud-upload", roles=READ_ROLES, order=42, test_id="nav-to-deposit"
    ),
    NavItem(
        "billing:overdue", _("Impayés"), "bi-exclamation-octagon", roles=READ_ROLES, order=43, test_id="nav-overdue"
    ),
    NavItem(
        "billing:month",
        _("Bilan du mois / FAE"),
        "bi-bar-chart",
        roles=READ_ROLES,
        order=44,
        test_id="nav-billing-month",
    ),
    NavItem(
        "billing:settings",
        _("Paramètres de facturation"),
        "bi-gear",
        section=SECTION_ADMIN,
        roles=ADV_ROLES,
        order=45,
        test_id="nav-billing-settings",
    ),
)
