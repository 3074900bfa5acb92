"""Sidebar entries of the clients app, registered when the app is ready (ClientsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import ADV_ROLES
from adv.ui.navigation import NavItem, register

from .access import VIEW_CLIENT_ROLES

register(
    NavItem("clients:list", _("Clients"), "bi-building", roles=frozenset(VIEW_CLIENT_ROLES), order=20, test_id="nav-clients"),
    NavItem(
        "clients:import", _("Importer des clients"), "bi-upload", roles=ADV_ROLES,
        order=22, test_id="nav-clients-import",
    ),
)
