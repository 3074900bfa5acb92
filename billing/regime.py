"""Which VAT regime an invoice falls under, and the mention French law asks for it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import VatRegime

EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())

# UNTDID 5305 VAT category of each regime (BT-118 / BT-151).
CATEGORIES = {
    VatRegime.STANDARD: "S",
    VatRegime.REVERSE_CHARGE: "AE",
    # A service outside the EU is outside the scope of French VAT (art. 259-1 CGI): "O", not "G"
    # (G is the export of goods).
    VatRegime.EXPORT: "O",
    VatRegime.EXEMPT: "E",
}


def client_country(client) -> str:
    return (client.billing_country or client.country or "FR").upper()


def vat_regime_for(client, policy) -> str:
    """Services to a business (B2B): French VAT in France; reverse charge for an EU client with a VAT
    number outside France; outside the EU, no French VAT. A tenant exemption (e.g. 293 B) wins."""
    if policy.vat_exemption_text:
        return VatRegime.EXEMPT
    country = client_country(client)
    if country == "FR":
        return VatRegime.STANDARD
    if country in EU_COUNTRIES:
        return VatRegime.REVERSE_CHARGE if client.vat_number else VatRegime.STANDARD
    return VatRegime.EXPORT


def vat_category(regime: str) -> str:
    return CATEGORIES[regime]


def exemption_reason(regime: str, policy) -> str:
    """The text printed on the invoice and put in the XML (BT-120) when no VAT is charged."""
    if regime == VatRegime.REVERSE_CHARGE:
        return _(
            "Autoliquidation – TVA due par le preneur (article 259-1 du CGI, article 196 de la directive 2006/112/CE)."
        )
    if regime == VatRegime.EXPORT:
        return _("TVA non applicable – article 259-1 du CGI (prestation de services hors Union européenne).")
    if regime == VatRegime.EXEMPT:
        return policy.vat_exemption_text
    return ""


def vat_on_debits_mention() -> str:
    """The mention of a firm that opted to pay VAT on debits (art. 269-2-c and 242 nonies A, I-13° of
    annex II to the CGI); without it, VAT on services is due on payment (encaissements)."""
    return _("Option pour le paiement de la taxe d'après les débits.")
