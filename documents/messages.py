"""Default messages (French and English) of the documents app's notifications, registered when the
app is ready (DocumentsConfig.ready): the "new contractual document" notice that
`services.document_upload` sends, the one-click chase and the weekly digest of missing documents
(`reminders`). Each firm may reword them on the templates page."""

from django.utils.translation import gettext_lazy

from notifications import defaults as message_defaults

CONTRACTUAL_DOCUMENT_EVENT = "document_contractual_added"
CHASE_EVENT = "documents_missing_chase"
DIGEST_EVENT = "documents_missing_digest"

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
    label=gettext_lazy("Nouveau document contractuel sur un client"),
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

message_defaults.register(
    CHASE_EVENT,
    subject_fr="{{ actor_name }} vous relance : {{ count }} document(s) client à fournir",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\n"
        "{{ actor_name }} vous demande de fournir ces documents clients chez {{ tenant_name }} :\n\n"
        "{{ items }}\n\n"
        "Déposez-les sur la fiche du client : {{ url }}"
    ),
    subject_en="{{ actor_name }} is chasing you: {{ count }} client document(s) to provide",
    body_en=(
        "Hello {{ recipient_name }},\n\n"
        "{{ actor_name }} asks you to provide these client documents at {{ tenant_name }}:\n\n"
        "{{ items }}\n\n"
        "Upload them on the client record: {{ url }}"
    ),
    placeholders=["recipient_name", "actor_name", "tenant_name", "count", "items", "url"],
    label=gettext_lazy("Relance : documents clients à fournir"),
    sample={
        "recipient_name": "Thomas Petit",
        "actor_name": "Sophie Bernard",
        "tenant_name": "Alpha Conseil",
        "count": "2",
        "items": "- Helios Énergies : K-bis (manquant)\n- Helios Énergies : Contrat cadre (expiré le 12/03/2026)",
        "url": "https://adv.example/t/alpha/clients/…",
    },
)

message_defaults.register(
    DIGEST_EVENT,
    subject_fr="Documents clients à fournir : {{ count }} en attente (semaine {{ week }})",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\n"
        "Voici les documents clients que vous devez encore fournir chez {{ tenant_name }} :\n\n"
        "{{ items }}\n\n"
        "Le rapport des documents manquants : {{ url }}"
    ),
    subject_en="Client documents to provide: {{ count }} pending (week {{ week }})",
    body_en=(
        "Hello {{ recipient_name }},\n\n"
        "Here are the client documents you still have to provide at {{ tenant_name }}:\n\n"
        "{{ items }}\n\n"
        "The missing-documents report: {{ url }}"
    ),
    placeholders=["recipient_name", "tenant_name", "week", "count", "items", "url"],
    label=gettext_lazy("Récapitulatif hebdomadaire des documents clients à fournir"),
    sample={
        "recipient_name": "Thomas Petit",
        "tenant_name": "Alpha Conseil",
        "week": "2026-W48",
        "count": "3",
        "items": "- Helios Énergies : K-bis (manquant)\n- NovaPay : K-bis (expiré le 02/10/2026)",
        "url": "https://adv.example/t/alpha/clients/missing-documents/",
    },
)
