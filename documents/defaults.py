"""The document types every new firm starts with (editable afterwards), and the expected
documents it starts with."""

from django.utils.translation import gettext_noop as _

from adv.tenancy.models import ClearanceLevel

# (code, name, contractual, default security level)
DOCUMENT_TYPES = [
    ("contrat-cadre", _("Contrat cadre"), True, ClearanceLevel.CONFIDENTIAL),
    ("kbis", _("K-bis"), False, ClearanceLevel.INTERNAL),
    ("bon-de-commande", _("Bon de commande"), True, ClearanceLevel.INTERNAL),
    ("proposition-signee", _("Proposition commerciale signée"), True, ClearanceLevel.CONFIDENTIAL),
    ("devis-signe", _("Devis signé"), True, ClearanceLevel.CONFIDENTIAL),
    ("modalites-facturation", _("Modalités de facturation"), False, ClearanceLevel.INTERNAL),
    ("email-consignes", _("Email de consignes"), False, ClearanceLevel.INTERNAL),
    ("changement-denomination", _("Changement de dénomination"), False, ClearanceLevel.INTERNAL),
    ("pv-recette", _("PV de recette"), False, ClearanceLevel.INTERNAL),
    ("feuille-presence", _("Feuille de présence"), False, ClearanceLevel.INTERNAL),
    ("feuille-temps-signee", _("Feuille de temps signée"), False, ClearanceLevel.INTERNAL),
    ("rib", _("RIB"), False, ClearanceLevel.CONFIDENTIAL),
    ("attestation-urssaf", _("Attestation de vigilance URSSAF"), False, ClearanceLevel.INTERNAL),
]

# (document type code, applies to, max age in days, must be unexpired, responsible)
REQUIREMENTS = [
    ("kbis", "prospect", 90, False, "owner"),
    ("kbis", "client", 90, False, "owner"),
    ("contrat-cadre", "client", None, True, "owner"),
    ("rib", "client", None, False, "adv"),
]
