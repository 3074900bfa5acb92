"""Default messages of the client portal (French and English), registered when the app is ready:
the invitation and the sign-in link emailed to a client's contact, and the notification the ADV
in charge receives when a client acts on the portal."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

INVITATION = "portal.invitation"
LOGIN_LINK = "portal.login_link"
CLIENT_ACTION = "portal.client_action"

defaults.register(
    INVITATION,
    subject_fr="{{ tenant_name }} vous ouvre son portail client",
    body_fr=(
        "Bonjour {{ contact_name }},\n\n"
        "{{ sender_name }} ({{ tenant_name }}) vous invite sur son portail client pour {{ client_name }} : "
        "validation des CRA et des PV de recette, bons de commande et numéros de réception, suivi des factures.\n\n"
        "Votre première connexion, par ce lien personnel (valable jusqu'au {{ expires_on }}, utilisable une fois) :\n"
        "{{ url }}\n\n"
        "Ensuite, demandez un lien de connexion par e-mail à l'adresse {{ portal_url }}, ou choisissez un mot de passe.\n\n"
        "{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} opens its client portal to you",
    body_en=(
        "Hello {{ contact_name }},\n\n"
        "{{ sender_name }} ({{ tenant_name }}) invites you to its client portal for {{ client_name }}: approval of "
        "timesheets and acceptance reports, purchase orders and reception numbers, invoices.\n\n"
        "Your first sign-in, with this personal link (valid until {{ expires_on }}, usable once):\n{{ url }}\n\n"
        "Afterwards, ask for a sign-in link by email at {{ portal_url }}, or choose a password.\n\n"
        "{{ tenant_name }}"
    ),
    placeholders=["contact_name", "sender_name", "tenant_name", "client_name", "url", "portal_url", "expires_on"],
    label=_("Portail client : invitation"),
    is_event=False,
    sample={
        "contact_name": "Marc Olivier", "sender_name": "Sophie Bernard", "tenant_name": "Démo Conseil",
        "client_name": "Helios Énergies", "url": "https://adv.example/p/demo/link/…/", "portal_url": "https://adv.example/p/demo/",
        "expires_on": "12 juin 2026",
    },
)
defaults.register(
    LOGIN_LINK,
    subject_fr="Votre lien de connexion au portail {{ tenant_name }}",
    body_fr=(
        "Bonjour {{ contact_name }},\n\nVoici votre lien de connexion au portail client de {{ tenant_name }}. "
        "Il est valable 15 minutes et ne sert qu'une fois :\n{{ url }}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message."
    ),
    subject_en="Your sign-in link to the {{ tenant_name }} portal",
    body_en=(
        "Hello {{ contact_name }},\n\nHere is your sign-in link to the client portal of {{ tenant_name }}. "
        "It is valid for 15 minutes and works once:\n{{ url }}\n\nIf you did not ask for it, ignore this message."
    ),
    placeholders=["contact_name", "tenant_name", "url"],
    label=_("Portail client : lien de connexion"),
    is_event=False,
    sample={"contact_name": "Marc Olivier", "tenant_name": "Démo Conseil", "url": "https://adv.example/p/demo/link/…/"},
)
defaults.register(
    CLIENT_ACTION,
    subject_fr="{{ client_name }} : {{ action }}",
    body_fr="Bonjour {{ recipient_name }},\n\n{{ contact_name }} ({{ client_name }}) sur le portail client : {{ action }}.\n{{ detail }}\n\n{{ url }}",
    subject_en="{{ client_name }}: {{ action }}",
    body_en="Hello {{ recipient_name }},\n\n{{ contact_name }} ({{ client_name }}) on the client portal: {{ action }}.\n{{ detail }}\n\n{{ url }}",
    placeholders=["recipient_name", "contact_name", "client_name", "action", "detail", "url"],
    label=_("Portail client : action d'un client"),
    sample={
        "contact_name": "Marc Olivier", "client_name": "Helios Énergies", "action": "CRA validés",
        "detail": "Camille Durand – mai 2026", "url": "https://adv.example/t/demo/clients/…/",
    },
)
