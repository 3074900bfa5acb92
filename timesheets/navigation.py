"""Sidebar entries of the timesheet pages, and the messages these pages send (imported by
TimesheetsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from adv.tenancy.roles import TIME_ENTRY_ROLES, TIMESHEET_QUEUE_ROLES
from adv.ui.navigation import NavItem, register
from notifications import defaults

# Others with reports reach the queue from their month page.

register(
    NavItem("timesheets:mine", _("Mon CRA"), "bi-calendar-week", roles=TIME_ENTRY_ROLES, order=10, test_id="nav-timesheet"),
    NavItem("timesheets:queue", _("Validation des CRA"), "bi-check2-square", roles=TIMESHEET_QUEUE_ROLES, order=11, test_id="nav-timesheet-queue"),
)

defaults.register(
    "timesheet.client_approval_request",
    subject_fr="CRA de {{ consultant_name }} – {{ month }} – à valider",
    body_fr=(
        "Bonjour {{ contact_name }},\n\n"
        "{{ sender_name }} ({{ tenant_name }}) vous demande de valider le compte-rendu d'activité de "
        "{{ consultant_name }} pour {{ month }} sur l'affaire {{ deal_reference }} « {{ deal_title }} » : "
        "{{ total }}.\n\n"
        "Consultez le détail des jours et validez-le, ou refusez-le avec un commentaire, à cette adresse "
        "(aucun compte n'est nécessaire) :\n{{ url }}\n\n"
        "Ce lien est personnel, ne sert qu'une fois et expire le {{ expires_on }}.\n\n"
        "Merci,\n{{ tenant_name }}"
    ),
    subject_en="Timesheet of {{ consultant_name }} – {{ month }} – for your approval",
    body_en=(
        "Hello {{ contact_name }},\n\n"
        "{{ sender_name }} ({{ tenant_name }}) asks you to approve the timesheet of {{ consultant_name }} for "
        "{{ month }} on {{ deal_reference }} \"{{ deal_title }}\": {{ total }}.\n\n"
        "See the days and approve it, or refuse it with a comment, at this address (no account needed):\n{{ url }}\n\n"
        "This link is personal, works once and expires on {{ expires_on }}.\n\n"
        "Thank you,\n{{ tenant_name }}"
    ),
    placeholders=[
        "contact_name", "sender_name", "tenant_name", "consultant_name", "month", "deal_reference", "deal_title",
        "client_name", "total", "url", "expires_on",
    ],
    label=_("CRA : demande de validation au client"),
    is_event=False,
    sample={
        "contact_name": "Marc Olivier", "sender_name": "Sophie Bernard", "tenant_name": "Démo Conseil",
        "consultant_name": "Camille Durand", "month": "mai 2026", "deal_reference": "AFF-2026-0007",
        "deal_title": "Refonte du portail client", "client_name": "Helios Énergies", "total": "19 jour(s)",
        "url": "https://adv.example/approve/…/", "expires_on": "12 juin 2026",
    },
)
defaults.register(
    "timesheet.rejected",
    subject_fr="Votre CRA de {{ month }} est à corriger",
    body_fr="Bonjour {{ recipient_name }},\n\n{{ actor_name }} a refusé votre CRA de {{ month }} :\n« {{ reason }} »\n\n"
    "Corrigez-le puis soumettez-le à nouveau :\n{{ url }}",
    subject_en="Your timesheet for {{ month }} needs a correction",
    body_en="Hello {{ recipient_name }},\n\n{{ actor_name }} rejected your timesheet for {{ month }}:\n\"{{ reason }}\"\n\n"
    "Correct it and submit it again:\n{{ url }}",
    placeholders=["recipient_name", "actor_name", "month", "reason", "url"],
    label=_("CRA refusé par le manager"),
)
defaults.register(
    "timesheet.reopened",
    subject_fr="Votre CRA de {{ month }} a été rouvert",
    body_fr="Bonjour {{ recipient_name }},\n\n{{ actor_name }} (ADV) a rouvert votre CRA de {{ month }} :\n« {{ reason }} »\n\n"
    "Corrigez-le puis soumettez-le à nouveau :\n{{ url }}",
    subject_en="Your timesheet for {{ month }} was reopened",
    body_en="Hello {{ recipient_name }},\n\n{{ actor_name }} (sales administration) reopened your timesheet for {{ month }}:\n"
    "\"{{ reason }}\"\n\nCorrect it and submit it again:\n{{ url }}",
    placeholders=["recipient_name", "actor_name", "month", "reason", "url"],
    label=_("CRA rouvert par l'ADV"),
)
defaults.register(
    "timesheet.client_decided",
    subject_fr="CRA {{ month }} de {{ consultant_name }} ({{ deal_reference }}) : {{ decision }}",
    body_fr="Bonjour {{ recipient_name }},\n\nLe client a répondu pour le CRA de {{ consultant_name }} de {{ month }} "
    "sur l'affaire {{ deal_reference }} : {{ decision }}.\nCommentaire : {{ comment }}\n\n{{ url }}",
    subject_en="Timesheet {{ month }} of {{ consultant_name }} ({{ deal_reference }}): {{ decision }}",
    body_en="Hello {{ recipient_name }},\n\nThe client answered for the timesheet of {{ consultant_name }} for {{ month }} "
    "on {{ deal_reference }}: {{ decision }}.\nComment: {{ comment }}\n\n{{ url }}",
    placeholders=["recipient_name", "consultant_name", "month", "deal_reference", "decision", "comment", "url"],
    label=_("CRA : réponse du client"),
)
