"""The default accounts, from the French chart of accounts (plan comptable général, PCG 2014):
411 clients, 706 prestations de services, 44571 TVA collectée, 512 banques; journals VE and BQ.
Six-digit numbers, as most accounting software expect; a firm changes them on its mapping page."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

CLIENT_ACCOUNT = "411000"
CLIENT_ACCOUNT_LABEL = "Clients"
AUXILIARY_PREFIX = "C"
REVENUE_ACCOUNT = "706000"
REVENUE_ACCOUNT_LABEL = "Prestations de services"
REVENUE_T_AND_M_ACCOUNT = "706100"
REVENUE_T_AND_M_LABEL = "Prestations de services - régie"
REVENUE_FIXED_PRICE_ACCOUNT = "706200"
REVENUE_FIXED_PRICE_LABEL = "Prestations de services - forfait"
REVENUE_SUBSCRIPTION_ACCOUNT = "706300"
REVENUE_SUBSCRIPTION_LABEL = "Prestations de services - abonnements"
REVENUE_EU_ACCOUNT = "706400"
REVENUE_EU_LABEL = "Prestations de services UE (autoliquidation)"
REVENUE_EXPORT_ACCOUNT = "706500"
REVENUE_EXPORT_LABEL = "Prestations de services hors UE"
BANK_ACCOUNT = "512000"
BANK_ACCOUNT_LABEL = "Banque"
SALES_JOURNAL = "VE"
SALES_JOURNAL_LABEL = "Journal des ventes"
BANK_JOURNAL = "BQ"
BANK_JOURNAL_LABEL = "Journal de banque"

# TVA collectée, one sub-account of 44571 per French rate.
VAT_ACCOUNTS = {
    Decimal("20.00"): ("445712", "TVA collectée 20 %"),
    Decimal("10.00"): ("445711", "TVA collectée 10 %"),
    Decimal("5.50"): ("445713", "TVA collectée 5,5 %"),
    Decimal("2.10"): ("445714", "TVA collectée 2,1 %"),
}

# The wording of the mapping page's help.
HELP = _(
    "Comptes par défaut du plan comptable général : 411 clients, 706 prestations de services, "
    "44571 TVA collectée, 512 banque ; journaux VE (ventes) et BQ (banque)."
)
