"""The accountant's export: the firm's account mapping (French chart of accounts by default), the
clients' auxiliary account numbers, and the log of every export run with the file kept.

- `AccountMapping`: one row per firm (read with `settings_read`, written by `services`): the client
  account (411), the revenue accounts (706: one per deal type, or one for the firm), the revenue
  accounts of EU reverse-charge and non-EU services, the bank account (512), the journals (VE, BQ).
- `VatAccount`: the VAT collected account (44571) of each rate.
- `ClientAccount`: a client's auxiliary account number, generated the first time it is needed and
  never changed after, unless a person edits it; unique in the firm.
- `AccountingExport`: who ran which export (FEC or CSV journal) over which dates, when; the file is
  kept with its SHA-256 so that what the accountant received can be proven and downloaded again.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel
from clients.models import Client

from . import defaults

# PCG: an account number starts with three digits; letters and digits after (what accounting
# software accept), no separator that would break the FEC.
account_number = RegexValidator(
    r"^[0-9]{3}[0-9A-Za-z]{0,17}$",
    _("Un numéro de compte commence par trois chiffres (plan comptable général), suivis de chiffres ou lettres."),
)
auxiliary_number = RegexValidator(
    r"^[0-9A-Za-z][0-9A-Za-z_-]{0,16}$", _("Lettres, chiffres, tirets ; 17 caractères au plus.")
)
journal_code = RegexValidator(r"^[0-9A-Za-z]{1,6}$", _("Lettres et chiffres, 6 caractères au plus."))


def _account(label, default, blank=True):
    return models.CharField(label, max_length=20, blank=blank, default=default, validators=[account_number])


def _label(label, default):
    return models.CharField(label, max_length=100, blank=True, default=default)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class AccountMapping(TenantModel):
    """The firm's accounts (one row per firm). A blank account that the exported range needs
    blocks the export with the list of what to fill."""

    client_account = _account(_("compte clients"), defaults.CLIENT_ACCOUNT)
    client_account_label = _label(_("libellé du compte clients"), defaults.CLIENT_ACCOUNT_LABEL)
    auxiliary_prefix = models.CharField(
        _("préfixe des comptes auxiliaires"), max_length=4, blank=True, default=defaults.AUXILIARY_PREFIX,
        validators=[RegexValidator(r"^[0-9A-Za-z]*$", _("Lettres et chiffres."))],
    )
    revenue_per_deal_type = models.BooleanField(
        _("un compte de produits par type d'affaire"), default=True,
        help_text=_("Sinon, un seul compte de produits pour le cabinet."),
    )
    revenue_account = _account(_("produits (compte unique ou factures sans affaire)"), defaults.REVENUE_ACCOUNT)
    revenue_account_label = _label(_("libellé"), defaults.REVENUE_ACCOUNT_LABEL)
    revenue_t_and_m_account = _account(_("produits régie"), defaults.REVENUE_T_AND_M_ACCOUNT)
    revenue_t_and_m_label = _label(_("libellé"), defaults.REVENUE_T_AND_M_LABEL)
    revenue_fixed_price_account = _account(_("produits forfait"), defaults.REVENUE_FIXED_PRICE_ACCOUNT)
    revenue_fixed_price_label = _label(_("libellé"), defaults.REVENUE_FIXED_PRICE_LABEL)
    revenue_subscription_account = _account(_("produits abonnement"), defaults.REVENUE_SUBSCRIPTION_ACCOUNT)
    revenue_subscription_label = _label(_("libellé"), defaults.REVENUE_SUBSCRIPTION_LABEL)
    revenue_eu_account = _account(_("prestations UE (autoliquidation)"), defaults.REVENUE_EU_ACCOUNT)
    revenue_eu_label = _label(_("libellé"), defaults.REVENUE_EU_LABEL)
    revenue_export_account = _account(_("prestations hors UE"), defaults.REVENUE_EXPORT_ACCOUNT)
    revenue_export_label = _label(_("libellé"), defaults.REVENUE_EXPORT_LABEL)
    bank_account = _account(_("banque"), defaults.BANK_ACCOUNT)
    bank_account_label = _label(_("libellé"), defaults.BANK_ACCOUNT_LABEL)
    sales_journal_code = models.CharField(
        _("code du journal des ventes"), max_length=6, blank=True, default=defaults.SALES_JOURNAL, validators=[journal_code]
    )
    sales_journal_label = _label(_("libellé du journal des ventes"), defaults.SALES_JOURNAL_LABEL)
    bank_journal_code = models.CharField(
        _("code du journal de banque"), max_length=6, blank=True, default=defaults.BANK_JOURNAL, validators=[journal_code]
    )
    bank_journal_label = _label(_("libellé du journal de banque"), defaults.BANK_JOURNAL_LABEL)

    class Meta:
        verbose_name = _("plan de comptes")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="accountmapping_one_per_tenant")]

    def __str__(self) -> str:
        return str(_("plan de comptes"))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class VatAccount(TenantModel):
    """The VAT collected account of one rate (44571…)."""

    rate = models.DecimalField(
        _("taux (%)"), max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    account = _account(_("compte de TVA collectée"), "")
    label = _label(_("libellé"), "")

    class Meta:
        ordering = ["-rate"]
        verbose_name = _("compte de TVA")
        constraints = [models.UniqueConstraint(fields=["tenant", "rate"], name="vataccount_one_per_rate")]

    def __str__(self) -> str:
        return f"{self.rate} % → {self.account}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class ClientAccount(TenantModel):
    """A client's auxiliary account (CompAuxNum of the FEC): stable once given."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="accounting_account")
    number = models.CharField(_("compte auxiliaire"), max_length=17, validators=[auxiliary_number])
    edited = models.BooleanField(default=False, help_text="typed by a person rather than generated")

    class Meta:
        ordering = ["number"]
        verbose_name = _("compte auxiliaire client")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="clientaccount_unique_number"),
            models.UniqueConstraint(fields=["tenant", "client"], name="clientaccount_one_per_client"),
        ]

    def __str__(self) -> str:
        return self.number


class ExportKind(models.TextChoices):
    FEC = "fec", _("FEC (fichier des écritures comptables)")
    CSV = "csv", _("Journal des ventes (CSV)")


class AccountingExport(TenantModel):
    """One export run: who, when, which dates, the file and its SHA-256 (never changed)."""

    kind = models.CharField(_("type"), max_length=4, choices=ExportKind.choices)
    start = models.DateField(_("du"))
    end = models.DateField(_("au"))
    run_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    run_by_name = models.CharField(_("lancé par"), max_length=200, blank=True)
    file = models.FileField(upload_to="accounting/", max_length=300)
    filename = models.CharField(_("fichier"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    entry_count = models.PositiveIntegerField(_("écritures"), default=0)
    line_count = models.PositiveIntegerField(_("lignes"), default=0)
    total_debit = models.DecimalField(_("total débit"), max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export comptable")
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="accountingexport_range")]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="accountingexport_recent")]

    def __str__(self) -> str:
        return self.filename
