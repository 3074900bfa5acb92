"""Who receives the monthly management report (a PDF of the month's figures, emailed by a
scheduled task): the members an admin or ADV chose; and the daily count of blocked pre-invoices
(`BlockedSnapshot`). Nothing else of reporting is stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from adv.tenancy.models import Membership, TenantModel


class ReportRecipient(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("membre"))
    added_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("destinataire du rapport mensuel")
        constraints = [models.UniqueConstraint(fields=["tenant", "membership"], name="reportrecipient_unique")]


class BlockedSnapshot(TenantModel):
    """How many pre-invoices of a billed month were blocked by a reason on a day: taken each day
    by a beat task (reporting/tasks.py), because billing keeps a pre-invoice's checks only as they
    stand now. Firm-wide counts: the chart reads them for members who see the whole firm."""

    day = models.DateField(_("jour"))
    month = models.DateField(_("mois facturé"))
    code = models.CharField(_("raison"), max_length=60)
    count = models.PositiveIntegerField(_("préfactures bloquées"))

    class Meta:
        ordering = ["day", "month", "code"]
        verbose_name = _("préfactures bloquées du jour")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day", "month", "code"], name="blockedsnapshot_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "day"], name="blockedsnapshot_day")]
