"""Message templates of billing (French defaults, English; editable per firm)."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "billing.invoice_email",
    subject_fr="{{ tenant_name }} – facture {{ number }}",
    body_fr=(
        "Bonjour,\n\n"
        "Veuillez trouver ci-joint notre facture {{ number }} du {{ issue_date }}, d'un montant de {{ total }} TTC, "
        "payable au plus tard le {{ due_date }}.\n"
        "{{ references }}\n\n"
        "Nous restons à votre disposition pour toute question.\n\n"
        "Cordialement,\n{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} – invoice {{ number }}",
    body_en=(
        "Hello,\n\n"
        "Please find attached our invoice {{ number }} dated {{ issue_date }}, for {{ total }} including VAT, "
        "due on {{ due_date }} at the latest.\n"
        "{{ references }}\n\n"
        "Kind regards,\n{{ tenant_name }}"
    ),
    placeholders=["tenant_name", "number", "issue_date", "total", "due_date", "references", "client_name"],
    label=_("Envoi d'une facture au client"),
    is_event=False,
    sample={
        "tenant_name": "Alpha Conseil",
        "number": "F2026-00042",
        "issue_date": "01/12/2026",
        "total": "7 800,00 €",
        "due_date": "31/12/2026",
        "references": "Bon de commande : PO-4512",
        "client_name": "Helios",
    },
)

defaults.register(
    "billing.credit_note_email",
    subject_fr="{{ tenant_name }} – avoir {{ number }} sur la facture {{ credited_number }}",
    body_fr=(
        "Bonjour,\n\n"
        "Veuillez trouver ci-joint notre avoir {{ number }} du {{ issue_date }}, d'un montant de {{ total }} TTC, "
        "sur notre facture {{ credited_number }} du {{ credited_date }}.\n"
        "{{ references }}\n\n"
        "Nous restons à votre disposition pour toute question.\n\n"
        "Cordialement,\n{{ tenant_name }}"
    ),
    subject_en="{{ tenant_name }} – credit note {{ number }} on invoice {{ credited_number }}",
    body_en=(
        "Hello,\n\n"
        "Please find attached our credit note {{ number }} dated {{ issue_date }}, for {{ total }} including VAT, "
        "on our invoice {{ credited_number }} dated {{ credited_date }}.\n"
        "{{ references }}\n\n"
        "Kind regards,\n{{ tenant_name }}"
    ),
    placeholders=[
        "tenant_name",
        "number",
        "issue_date",
        "total",
        "credited_number",
        "credited_date",
        "references",
        "client_name",
    ],
    label=_("Envoi d'un avoir au client"),
    is_event=False,
    sample={
        "tenant_name": "Alpha Conseil",
        "number": "AV2026-00003",
        "issue_date": "05/12/2026",
        "total": "1 200,00 €",
        "credited_number": "F2026-00042",
        "credited_date": "01/12/2026",
        "references": "Bon de commande : PO-4512",
        "client_name": "Helios",
    },
)

defaults.register(
    "billing.chase",
    subject_fr="Facturation de {{ month }} : {{ client_name }} attend une action de votre part",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\n"
        "La préfacture {{ client_name }} ({{ deal }}) de {{ month }} ne peut pas partir :\n{{ reason }}\n\n"
        "Merci de faire le nécessaire avant la clôture de facturation : {{ url }}\n\n"
        "{{ actor_name }}"
    ),
    subject_en="Billing for {{ month }}: {{ client_name }} needs an action from you",
    body_en=(
        "Hello {{ recipient_name }},\n\n"
        "The {{ month }} pre-invoice for {{ client_name }} ({{ deal }}) cannot go out:\n{{ reason }}\n\n"
        "Please fix it before the billing close: {{ url }}\n\n"
        "{{ actor_name }}"
    ),
    placeholders=["recipient_name", "client_name", "deal", "month", "reason", "url", "actor_name"],
    label=_("Relance depuis la table des préfactures"),
    sample={
        "recipient_name": "Paul",
        "client_name": "Helios",
        "deal": "AFF-2026-0001",
        "month": "novembre 2026",
        "reason": "Numéro de réception manquant pour Chloé David.",
        "url": "https://adv.example/…",
        "actor_name": "Sophie",
    },
)

defaults.register(
    "billing.escalation",
    subject_fr="Non facturé à la clôture de {{ month }} : {{ client_name }} ({{ amount }} HT)",
    body_fr=(
        "Bonjour {{ recipient_name }},\n\n"
        "La clôture de facturation de {{ month }} est passée et {{ client_name }} ({{ deal }}) n'est pas facturé : "
        "{{ amount }} HT restent en facture à établir.\n\nRaison : {{ reason }}\n\n{{ url }}"
    ),
    subject_en="Not billed at the {{ month }} close: {{ client_name }} ({{ amount }} excl. VAT)",
    body_en=(
        "Hello {{ recipient_name }},\n\n"
        "The {{ month }} billing close has passed and {{ client_name }} ({{ deal }}) is not billed: "
        "{{ amount }} excl. VAT remain as accrued revenue.\n\nReason: {{ reason }}\n\n{{ url }}"
    ),
    placeholders=["recipient_name", "client_name", "deal", "month", "amount", "reason", "url"],
    label=_("Escalade : non facturé à la clôture"),
    sample={
        "recipient_name": "Manon",
        "client_name": "Helios",
        "deal": "AFF-2026-0001",
        "month": "novembre 2026",
        "amount": "7 800,00 €",
        "reason": "PV de recette manquant.",
        "url": "https://adv.example/…",
    },
)

defaults.register(
    "billing.render_failed",
    subject_fr="Le PDF de la facture {{ number }} n'a pas pu être produit",
    body_fr="Bonjour {{ recipient_name }},\n\nLe PDF de la facture {{ number }} est en échec : {{ error }}\n"
    "Le numéro est conservé ; relancez la production depuis la facture : {{ url }}",
    subject_en="The PDF of invoice {{ number }} could not be produced",
    body_en="Hello {{ recipient_name }},\n\nThe PDF of invoice {{ number }} failed: {{ error }}\n"
    "The number is kept; retry from the invoice: {{ url }}",
    placeholders=["recipient_name", "number", "error", "url"],
    label=_("Échec de production d'une facture"),
    sample={"recipient_name": "Sophie", "number": "F2026-00042", "error": "timeout", "url": "https://adv.example/…"},
)
