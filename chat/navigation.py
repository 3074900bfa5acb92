"""Sidebar entry of the chat (imported by ChatConfig.ready): every member."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import ALL_ROLES
from adv.ui.navigation import NavItem, register

register(NavItem("chat:index", _("Chat"), "bi-chat-dots", roles=ALL_ROLES, order=15, test_id="nav-chat"))
