"""Sidebar entries of the clients app, registered when the app is ready (ClientsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import NavItem, register

from .access import VIEW_CLIENT_ROLES

register(
    NavItem("clients:list", _("Clients"), "bi-building", roles=frozenset(VIEW_CLIENT_ROLES), order=20, test_id="nav-clients"),
)
