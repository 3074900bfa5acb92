"""The event types an endpoint may subscribe to: their names are a public contract (README,
"Webhooks"); a new type is added here and documented, a type is never renamed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_TYPES: dict[str, object] = {
    "invoice.issued": _("Facture émise"),
    "invoice.sent": _("Facture envoyée au client"),
    "invoice.status_changed": _("Statut de plateforme d'une facture modifié"),
    "invoice.paid": _("Facture payée"),
    "credit_note.issued": _("Avoir émis"),
    "payment.recorded": _("Paiement enregistré"),
    "pre_invoice.blocked": _("Préfacture bloquée"),
    "timesheet.approved": _("CRA validé"),
    "deal.signed": _("Affaire signée"),
    "document.uploaded": _("Document déposé"),
}
# Sent by "send a test event" only, to the one endpoint tested; nobody subscribes to it.
TEST_EVENT_TYPE = "webhook.test"


def choices() -> list[tuple[str, object]]:
    return list(EVENT_TYPES.items())
