"""Default messages (French and English) of the deals app's reminders (`reminders`): the chase and
the escalation of unsigned deals and of blocked milestones, registered when the app is ready
(DealsConfig.ready). Each firm may reword them on the templates page."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "deal.unsigned_chase",
    subject_fr="Affaire {{ deal_reference }} toujours non signée ({{ days }} jours)",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'affaire {{ deal_reference }} « {{ deal_title }} » pour {{ client_name }} "
        "est validée provisoirement depuis {{ days }} jours. Il manque : {{ missing }}.\n\n"
        "Tant qu'elle n'est pas signée, elle est signalée sur chaque préfacture et aucune commission n'est due.\n\n{{ url }}"
    ),
    subject_en="Deal {{ deal_reference }} still unsigned ({{ days }} days)",
    body_en=(
        "Hello {{ recipient_name }},\n\nDeal {{ deal_reference }} \"{{ deal_title }}\" for {{ client_name }} has been "
        "provisionally validated for {{ days }} days. Missing: {{ missing }}.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "deal_reference", "deal_title", "client_name", "days", "missing", "url"],
    label=_("Affaire non signée : relance du commercial"),
)
defaults.register(
    "deal.unsigned_escalation",
    subject_fr="Escalade : affaire {{ deal_reference }} non signée depuis {{ days }} jours",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'affaire {{ deal_reference }} « {{ deal_title }} » de {{ owner_name }} "
        "pour {{ client_name }} n'est toujours pas signée après {{ days }} jours. Il manque : {{ missing }}.\n\n{{ url }}"
    ),
    subject_en="Escalation: deal {{ deal_reference }} unsigned for {{ days }} days",
    body_en=(
        "Hello {{ recipient_name }},\n\nDeal {{ deal_reference }} \"{{ deal_title }}\" of {{ owner_name }} for "
        "{{ client_name }} is still unsigned after {{ days }} days. Missing: {{ missing }}.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "deal_reference", "deal_title", "client_name", "owner_name", "days", "missing", "url"],
    label=_("Affaire non signée : escalade au manager"),
)
defaults.register(
    "milestone.blocked_chase",
    subject_fr="Échéance bloquée : {{ milestone_label }} ({{ deal_reference }})",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'échéance « {{ milestone_label }} » ({{ amount }} HT) de l'affaire "
        "{{ deal_reference }} pour {{ client_name }} est échue mais ne peut pas être facturée : il manque "
        "le document « {{ document_type }} ». Merci de le déposer sur l'affaire.\n\n{{ url }}"
    ),
    subject_en="Blocked milestone: {{ milestone_label }} ({{ deal_reference }})",
    body_en=(
        "Hello {{ recipient_name }},\n\nMilestone \"{{ milestone_label }}\" ({{ amount }} excl. VAT) of deal "
        "{{ deal_reference }} for {{ client_name }} is due but cannot be billed: the document "
        "\"{{ document_type }}\" is missing.\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "milestone_label", "amount", "deal_reference", "client_name", "document_type", "url"],
    label=_("Échéance bloquée : relance du chef de projet"),
)
defaults.register(
    "milestone.blocked_escalation",
    subject_fr="Escalade : échéance {{ milestone_label }} bloquée depuis {{ days }} jours",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\nL'échéance « {{ milestone_label }} » ({{ amount }} HT) de l'affaire "
        "{{ deal_reference }} ({{ client_name }}), suivie par {{ owner_name }}, est bloquée depuis {{ days }} jours "
        "faute de « {{ document_type }} ». Elle alimente les factures à émettre (FAE).\n\n{{ url }}"
    ),
    subject_en="Escalation: milestone {{ milestone_label }} blocked for {{ days }} days",
    body_en=(
        "Hello {{ recipient_name }},\n\nMilestone \"{{ milestone_label }}\" ({{ amount }} excl. VAT) of deal "
        "{{ deal_reference }} ({{ client_name }}), followed by {{ owner_name }}, has been blocked for {{ days }} "
        "days for lack of \"{{ document_type }}\".\n\n{{ url }}"
    ),
    placeholders=[
        "recipient_name", "milestone_label", "amount", "deal_reference", "client_name", "owner_name", "days",
        "document_type", "url",
    ],
    label=_("Échéance bloquée : escalade au manager"),
)
