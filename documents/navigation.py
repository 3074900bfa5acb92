"""Sidebar entries of the documents app, registered when the app is ready (DocumentsConfig.ready):
the missing-documents report, and the document administration (admin role). Their pages live in
the "clients" URL namespace (documents/urls.py)."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import ADMIN_ONLY, SECTION_ADMIN, NavItem, register

from .access import VIEW_CLIENT_ROLES

register(
    NavItem(
        "clients:missing_documents", _("Documents manquants"), "bi-file-earmark-x", roles=frozenset(VIEW_CLIENT_ROLES),
        order=21, test_id="nav-missing-documents",
    ),
    NavItem(
        "clients:document_types", _("Types de document"), "bi-file-earmark-text", section=SECTION_ADMIN,
        roles=ADMIN_ONLY, order=60, test_id="nav-document-types",
    ),
    NavItem(
        "clients:document_requirements", _("Documents attendus"), "bi-list-check", section=SECTION_ADMIN,
        roles=ADMIN_ONLY, order=61, test_id="nav-document-requirements",
    ),
)
