"""The lifecycle statuses of an invoice on the e-invoicing network (AFNOR XP Z12-012, the DGFiP's
external specifications): their codes, French labels, and what each asks of the firm.

The codes are the CDAR "ProcessConditionCode" values the platforms exchange; a platform may send
them in any order (a late "reçue" after "approuvée"): the history keeps every event in the order it
happened, and the invoice's current status is the latest event by its date.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Lifecycle(models.TextChoices):
    DEPOSEE = "200", _("Déposée")
    EMISE = "201", _("Émise")
    RECUE = "202", _("Reçue")
    MISE_A_DISPOSITION = "203", _("Mise à disposition")
    PRISE_EN_CHARGE = "204", _("Prise en charge")
    APPROUVEE = "205", _("Approuvée")
    APPROUVEE_PARTIELLEMENT = "206", _("Approuvée partiellement")
    EN_LITIGE = "207", _("En litige")
    SUSPENDUE = "208", _("Suspendue")
    COMPLETEE = "209", _("Complétée")
    REFUSEE = "210", _("Refusée")
    PAIEMENT_TRANSMIS = "211", _("Paiement transmis")
    ENCAISSEE = "212", _("Encaissée")
    REJETEE = "213", _("Rejetée")


CODES = frozenset(Lifecycle.values)
# The client disputes or pauses the invoice: the ADV is told, dunning pauses.
DISPUTED = frozenset({Lifecycle.EN_LITIGE, Lifecycle.SUSPENDUE})
# Statuses that end a dispute when they follow one.
DISPUTE_ENDED = frozenset(
    {Lifecycle.APPROUVEE, Lifecycle.APPROUVEE_PARTIELLEMENT, Lifecycle.COMPLETEE, Lifecycle.PAIEMENT_TRANSMIS, Lifecycle.ENCAISSEE}
)
# Final: nothing more is expected from the platform.
FINAL = frozenset({Lifecycle.REFUSEE, Lifecycle.REJETEE, Lifecycle.ENCAISSEE})


def label(code: str) -> str:
    try:
        return str(Lifecycle(code).label)
    except ValueError:
        return code


def tone(code: str) -> str:
    """The Bootstrap colour a status is shown in."""
    if code in (Lifecycle.REJETEE, Lifecycle.REFUSEE):
        return "danger"
    if code in DISPUTED:
        return "warning"
    if code in (Lifecycle.APPROUVEE, Lifecycle.APPROUVEE_PARTIELLEMENT, Lifecycle.ENCAISSEE, Lifecycle.PAIEMENT_TRANSMIS):
        return "success"
    return "secondary"
