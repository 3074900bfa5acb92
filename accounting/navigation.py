"""Sidebar entries of the accounting export (imported by AccountingConfig.ready): the export page
(admins, ADV, the accountant) and the account mapping (admins and ADV)."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import SECTION_ADMIN, NavItem, register

from .access import CONFIGURE_ROLES, EXPORT_ROLES

register(
    NavItem(
        "accounting:exports", _("Export comptable"), "bi-journal-text", roles=EXPORT_ROLES, order=46,
        test_id="nav-accounting-export",
    ),
    NavItem(
        "accounting:mapping", _("Plan de comptes"), "bi-journal-bookmark", section=SECTION_ADMIN,
        roles=CONFIGURE_ROLES, order=47, test_id="nav-accounting-mapping",
    ),
)
