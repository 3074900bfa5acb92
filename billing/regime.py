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


# EU VAT numbers whose prefix is not the ISO 3166 code of their country.
VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


def client_country(client) -> str:
    """Where the client is established (the country of its identity): it decides the VAT regime
    (article 259-1 du CGI: a service to a business is taxed where the business is established)."""
    return (client.country or "FR").strip().upper()


def billing_address_country(client) -> str:
    """The country of the address the invoice is sent to (BT-55). A blank billing country means
    "the client's country"; without a billing address the invoice goes to the head office, in the
    client's country."""
    if client.billing_line1:
        return (client.billing_country or client.country or "FR").strip().upper()
    return client_country(client)


def vat_number_country(vat_number: str) -> str:
    prefix = (vat_number or "").strip().upper()[:2]
    return VAT_PREFIX_COUNTRY.get(prefix, prefix)


def vat_regime_for(client, policy) -> str:
    """Services to a business (B2B), from the client's country (never its billing address): French
    VAT in France; reverse charge for a business established elsewhere in the EU (its VAT number is
    then required: `vat_problems`); outside the EU, no French VAT. A tenant exemption (e.g. 293 B) wins."""
    if policy.vat_exemption_text:
        return VatRegime.EXEMPT
    country = client_country(client)
    if country == "FR":
        return VatRegime.STANDARD
    if country in EU_COUNTRIES:
        return VatRegime.REVERSE_CHARGE
    return VatRegime.EXPORT


def vat_problems(client, regime: str) -> list[str]:
    """Where the client's country, its VAT number and the invoice's VAT regime disagree: each
    reason blocks the pre-invoice (an invoice with the wrong VAT cannot be corrected once issued,
    only credited)."""
    country = client_country(client)
    vat_country = vat_number_country(client.vat_number) if client.vat_number else ""
    problems = []
    if vat_country and vat_country != country:
        problems.append(
            _(
                "Le numéro de TVA %(vat)s est celui d'une société établie dans un autre pays (%(vat_country)s) "
                "que le pays du client (%(country)s) : corrigez le pays ou le numéro de TVA du client."
            )
            % {"vat": client.vat_number, "vat_country": vat_country, "country": country}
        )
    if regime == VatRegime.EXEMPT or not regime:
        return problems
    if country == "FR" and regime != VatRegime.STANDARD:
        problems.append(
            _("Client établi en France facturé sans TVA française : le régime de TVA doit être la TVA française.")
        )
    if country != "FR" and regime == VatRegime.STANDARD:
        problems.append(
            _(
                "TVA française facturée à un client établi hors de France (%(country)s) : vérifiez le pays "
                "du client."
            )
            % {"country": country}
        )
    if regime == VatRegime.REVERSE_CHARGE:
        if country not in EU_COUNTRIES:
            problems.append(
                _("Autoliquidation pour un client établi hors de l'Union européenne (%(country)s).")
                % {"country": country}
            )
        elif country != "FR" and not client.vat_number:
            problems.append(
                _(
                    "Client établi dans l'Union européenne (%(country)s) sans numéro de TVA intracommunautaire : "
                    "l'autoliquidation exige son numéro sur la facture. Renseignez-le sur la fiche du client."
                )
                % {"country": country}
            )
    if regime == VatRegime.EXPORT and country in EU_COUNTRIES:
        problems.append(
            _("Client établi dans l'Union européenne (%(country)s) facturé comme un client hors UE.")
            % {"country": country}
        )
    return problems


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
