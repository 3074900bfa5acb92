"""Sidebar entries of the document administration (admin role), registered when the clients
app is ready (ClientsConfig.ready), and the default message of the "new contractual document"
notification that `services.document_upload` sends."""

from django.utils.translation import gettext_lazy as _

from adv.ui.navigation import ADMIN_ONLY, SECTION_ADMIN, NavItem, register
from notifications import defaults as message_defaults

CONTRACTUAL_DOCUMENT_EVENT = "document_contractual_added"

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

message_defaults.register(
    CONTRACTUAL_DOCUMENT_EVENT,
    subject_fr="Nouveau document contractuel pour {{ client_name }} : {{ document_title }}",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\n"
        "{{ uploader_name }} a déposé un document contractuel ({{ document_type }}) sur la fiche de "
        "{{ client_name }} chez {{ tenant_name }} : « {{ document_title }} ».\n\n"
        "Le consulter : {{ url }}"
    ),
    subject_en="New contractual document for {{ client_name }}: {{ document_title }}",
    body_en=(
        "Hello {{ recipient_name }},\n\n"
        "{{ uploader_name }} uploaded a contractual document ({{ document_type }}) on the record of "
        "{{ client_name }} at {{ tenant_name }}: \"{{ document_title }}\".\n\n"
        "See it: {{ url }}"
    ),
    placeholders=["recipient_name", "tenant_name", "client_name", "document_title", "document_type", "uploader_name", "url"],
    label=_("Nouveau document contractuel sur un client"),
    sample={
        "recipient_name": "Thomas Petit",
        "tenant_name": "Alpha Conseil",
        "client_name": "Helios Énergies",
        "document_title": "Bon de commande 2026-114",
        "document_type": "Bon de commande",
        "uploader_name": "Sophie Bernard",
        "url": "https://adv.example/t/alpha/clients/…#documents",
    },
)
