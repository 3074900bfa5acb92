"""Who receives the monthly management report (a PDF of the month's figures, emailed by a
scheduled task): the members an admin or ADV chose. Nothing else of reporting is stored."""

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
