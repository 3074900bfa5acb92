"""Sidebar entries of the document administration (admin role), registered when the clients
app is ready (ClientsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import ADMIN_ONLY, SECTION_ADMIN, NavItem, register

register(
    NavItem(
        "clients:document_types", _("Types de document"), "bi-file-earmark-text", section=SECTION_ADMIN,
        roles=ADMIN_ONLY, order=60, test_id="nav-document-types",
    ),
    NavItem(
        "clients:document_requirements", _("Documents attendus"), "bi-list-check", section=SECTION_ADMIN,
        roles=ADMIN_ONLY, order=61, test_id="nav-document-requirements",
    ),
)
