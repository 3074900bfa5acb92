"""How a deal's history reads (the history engine's configuration for the deal and its children:
staffing, purchase orders, milestones, subscriptions, invoice recipients), registered when the
deals app is ready."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from adv import history
from adv.history import Relation, Tracked
from adv.ui.numbers import format_decimal

HISTORY_EVENT_MODELS = (
    "deals.DealEvent", "deals.AssignmentEvent", "deals.PurchaseOrderEvent", "deals.MilestoneEvent",
    "deals.SubscriptionEvent", "deals.DealInvoiceRecipientEvent",
)
# Shown only to whoever may see rates (`selectors.rates_visible`).
RATE_FIELDS = frozenset({"daily_rate", "purchase_daily_rate"})
MEMBER, CONTACT = "tenancy.Membership", "clients.Contact"


def _amount(value: Decimal) -> str:
    return format_decimal(value, None)


def _named(model_label: str, column: str):
    """The subject is the row this column points to, as the relation shows it."""

    def subject(event, data, names) -> str:
        row = names.get(model_label, data.get(column))
        return DEALS["relations"][model_label].show(row) if row is not None else ""

    return subject


DEALS = {
    "hidden": frozenset({"deal_id", "client_id", "reference"}),
    "labels": {  # columns whose model field has no French verbose name
        "signature_recorded_by_id": _("signature enregistrée par"),
        "provisional_by_id": _("validée provisoirement par"),
        "closed_at": _("clôturée le"),
        "lost_at": _("perdue le"),
        "blocked_since": _("bloquée depuis le"),
        "invoiced_at": _("facturée le"),
        "contact_id": _("contact"),
    },
    "relations": {
        MEMBER: Relation(show=lambda member: str(member.user), missing=_("élément supprimé"), select_related=("user",)),
        CONTACT: Relation(missing=_("élément supprimé")),
        "documents.Document": Relation(show=lambda document: document.title, missing=_("élément supprimé")),
        "documents.DocumentType": Relation(show=lambda document_type: document_type.name, missing=_("élément supprimé")),
    },
    "unknown_relation": _("élément supprimé"),
    "decimal": _amount,
    "truncate": 200,
}

history.register(
    Tracked(
        "deals.DealEvent", _("Affaire"), subject=lambda event, data, names: data.get("reference") or "",
        creation=("title", "deal_type", "sales_owner_id", "start_date", "end_date", "ordered_amount"), **DEALS,
    ),
    Tracked(
        "deals.AssignmentEvent", _("Staffing"), subject=_named(MEMBER, "consultant_id"),
        creation=("daily_rate", "purchase_daily_rate", "start_date", "end_date", "planned_days"), **DEALS,
    ),
    Tracked(
        "deals.PurchaseOrderEvent", _("Bon de commande"), subject=lambda event, data, names: data.get("number") or "",
        creation=("amount", "valid_from", "valid_until"), **DEALS,
    ),
    Tracked(
        "deals.MilestoneEvent", _("Échéance"), subject=lambda event, data, names: data.get("label") or "",
        creation=("amount", "due_date", "due_event"), **DEALS,
    ),
    Tracked(
        "deals.SubscriptionEvent", _("Abonnement"), subject=lambda event, data, names: data.get("label") or "",
        creation=("amount", "period", "timing", "start_date"), **DEALS,
    ),
    Tracked(
        "deals.DealInvoiceRecipientEvent", _("Destinataire des factures"), subject=_named(CONTACT, "contact_id"),
        shows_columns=False, **DEALS,
    ),
)
