"""Sidebar entry of webhooks (imported by WebhooksConfig.ready): admins only."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import SECTION_ADMIN, NavItem, register

from .access import MANAGE_ROLES

register(
    NavItem("webhooks:list", _("Webhooks"), "bi-broadcast", section=SECTION_ADMIN, roles=MANAGE_ROLES, order=60, test_id="nav-webhooks"),
)
