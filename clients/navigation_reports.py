"""Sidebar entries of the expected-documents pages, registered when the clients app is ready
(ClientsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import ADV_ROLES
from adv.ui.navigation import NavItem, register

from .access import VIEW_CLIENT_ROLES

register(
    NavItem(
        "clients:missing_documents", _("Documents manquants"), "bi-file-earmark-x", roles=frozenset(VIEW_CLIENT_ROLES),
        order=21, test_id="nav-missing-documents",
    ),
    NavItem(
        "clients:import", _("Importer des clients"), "bi-upload", roles=ADV_ROLES,
        order=22, test_id="nav-clients-import",
    ),
)
