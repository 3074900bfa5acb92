"""Default wording of the notifications e-invoicing sends (firms may reword them)."""

from django.utils.translation import gettext_lazy as _

from notifications import defaults

defaults.register(
    "einvoicing.status_alert",
    subject_fr="Facture {{ number }} : {{ status }} sur la plateforme",
    body_fr="Bonjour {{ recipient_name }},\n\nLa facture {{ number }} ({{ client_name }}) est « {{ status }} » "
    "sur la plateforme de facturation électronique.\n{{ reason }}\n\nÀ traiter depuis la facture : {{ url }}",
    subject_en="Invoice {{ number }}: {{ status }} on the platform",
    body_en="Hello {{ recipient_name }},\n\nInvoice {{ number }} ({{ client_name }}) is \"{{ status }}\" on the "
    "e-invoicing platform.\n{{ reason }}\n\nHandle it from the invoice: {{ url }}",
    placeholders=["recipient_name", "number", "client_name", "status", "reason", "url"],
    label=_("Facture rejetée, refusée ou contestée sur la plateforme"),
    sample={"recipient_name": "Sophie", "number": "F2026-00042", "client_name": "Helios", "status": "En litige",
            "reason": "Nombre de jours contesté.", "url": "https://adv.example/…"},
)

defaults.register(
    "einvoicing.submission_failed",
    subject_fr="La facture {{ number }} n'a pas pu être transmise à la plateforme",
    body_fr="Bonjour {{ recipient_name }},\n\nLa transmission de la facture {{ number }} a échoué : {{ error }}\n"
    "Le numéro est conservé ; relancez la transmission depuis la facture : {{ url }}",
    subject_en="Invoice {{ number }} could not be sent to the platform",
    body_en="Hello {{ recipient_name }},\n\nSending invoice {{ number }} failed: {{ error }}\n"
    "The number is kept; retry from the invoice: {{ url }}",
    placeholders=["recipient_name", "number", "error", "url"],
    label=_("Échec de transmission d'une facture à la plateforme"),
    sample={"recipient_name": "Sophie", "number": "F2026-00042", "error": "timeout", "url": "https://adv.example/…"},
)
