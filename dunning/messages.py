"""The reminders' default wording, French and English, one per tone (firms reword them on the
message templates page; a step may use any of them)."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

PLACEHOLDERS = [
    "tenant_name", "client_name", "number", "issue_date", "due_date", "total", "balance", "days_late",
    "penalty_rate", "penalties", "indemnity", "total_claimed", "iban",
]
SAMPLE = {
    "tenant_name": "Alpha Conseil",
    "client_name": "Helios",
    "number": "F2026-00042",
    "issue_date": "01/10/2026",
    "due_date": "31/10/2026",
    "total": "7 800,00 €",
    "balance": "7 800,00 €",
    "days_late": "45",
    "penalty_rate": "12,15 %",
    "penalties": "116,84 €",
    "indemnity": "40,00 €",
    "total_claimed": "7 956,84 €",
    "iban": "FR76 3000 6000 0112 3456 7890 189",
}

defaults.register(
    "dunning.courteous",
    subject_fr="{{ tenant_name }} – rappel : facture {{ number }} échue le {{ due_date }}",
    body_fr=(
        "Bonjour,\n\n"
        "Sauf erreur de notre part, notre facture {{ number }} du {{ issue_date }}, échue le {{ due_date }}, "
        "reste à régler pour {{ balance }}.\n\n"
        "Vous la trouverez ci-jointe. Si le paiement est en cours, merci de ne pas tenir compte de ce message.\n"
        "IBAN : {{ iban }}\n\n"
        "Cordialement,\n{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} – reminder: invoice {{ number }} due on {{ due_date }}",
    body_en=(
        "Hello,\n\n"
        "Unless we are mistaken, our invoice {{ number }} dated {{ issue_date }}, due on {{ due_date }}, "
        "is still unpaid for {{ balance }}.\n\n"
        "Please find it attached. If the payment is on its way, please disregard this message.\n"
        "IBAN: {{ iban }}\n\n"
        "Kind regards,\n{{ tenant_name }}"
    ),
    placeholders=PLACEHOLDERS,
    label=_("Relance client courtoise"),
    is_event=False,
    sample=SAMPLE,
)

defaults.register(
    "dunning.firm",
    subject_fr="{{ tenant_name }} – deuxième relance : facture {{ number }} impayée",
    body_fr=(
        "Bonjour,\n\n"
        "Malgré notre précédent rappel, notre facture {{ number }} du {{ issue_date }}, échue le {{ due_date }}, "
        "reste impayée pour {{ balance }}, soit {{ days_late }} jours de retard.\n\n"
        "Nous vous remercions de procéder à son règlement sous huit jours, ou de nous indiquer ce qui "
        "l'empêche. La facture est jointe.\n"
        "IBAN : {{ iban }}\n\n"
        "Cordialement,\n{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} – second reminder: invoice {{ number }} unpaid",
    body_en=(
        "Hello,\n\n"
        "Despite our previous reminder, our invoice {{ number }} dated {{ issue_date }}, due on {{ due_date }}, "
        "is still unpaid for {{ balance }}, {{ days_late }} days late.\n\n"
        "Please settle it within eight days, or let us know what prevents it. The invoice is attached.\n"
        "IBAN: {{ iban }}\n\n"
        "Kind regards,\n{{ tenant_name }}"
    ),
    placeholders=PLACEHOLDERS,
    label=_("Relance client ferme"),
    is_event=False,
    sample=SAMPLE,
)

defaults.register(
    "dunning.formal_notice",
    subject_fr="{{ tenant_name }} – mise en demeure de payer la facture {{ number }}",
    body_fr=(
        "Madame, Monsieur,\n\n"
        "Malgré nos relances, notre facture {{ number }} du {{ issue_date }}, échue le {{ due_date }}, "
        "reste impayée pour {{ balance }} ({{ days_late }} jours de retard).\n\n"
        "Par la présente, nous vous mettons en demeure de régler sous quinze jours :\n"
        "- le principal restant dû : {{ balance }} ;\n"
        "- les pénalités de retard au taux annuel de {{ penalty_rate }} : {{ penalties }} ;\n"
        "- l'indemnité forfaitaire pour frais de recouvrement (art. L441-10 et D441-5 du Code de commerce) : "
        "{{ indemnity }} ;\n"
        "soit un total de {{ total_claimed }}.\n\n"
        "À défaut, nous engagerons les démarches de recouvrement prévues par la loi. La facture est jointe.\n"
        "IBAN : {{ iban }}\n\n"
        "{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} – formal notice to pay invoice {{ number }}",
    body_en=(
        "Dear Sir or Madam,\n\n"
        "Despite our reminders, our invoice {{ number }} dated {{ issue_date }}, due on {{ due_date }}, "
        "is still unpaid for {{ balance }} ({{ days_late }} days late).\n\n"
        "We hereby give you formal notice to pay within fifteen days:\n"
        "- the outstanding principal: {{ balance }};\n"
        "- late-payment penalties at the annual rate of {{ penalty_rate }}: {{ penalties }};\n"
        "- the fixed indemnity for recovery costs (French Commercial Code, art. L441-10 and D441-5): "
        "{{ indemnity }};\n"
        "a total of {{ total_claimed }}.\n\n"
        "Failing this, we will take the recovery steps provided by law. The invoice is attached.\n"
        "IBAN: {{ iban }}\n\n"
        "{{ tenant_name }}"
    ),
    placeholders=PLACEHOLDERS,
    label=_("Mise en demeure de payer"),
    is_event=False,
    sample=SAMPLE,
)

TEMPLATE_KEYS = ("dunning.courteous", "dunning.firm", "dunning.formal_notice")
