"""Domain errors of billing (stable codes; the API answers them as problem+json)."""

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError


class InvoiceImmutable(Conflict):
    code = "invoice_immutable"

    def __init__(self, number: str | None = None):
        super().__init__(
            _("La facture %(number)s est émise : elle ne peut plus être modifiée. Faites un avoir.")
            % {"number": number or ""}
        )


class InvoiceBlocked(DomainError):
    """Issuing a pre-invoice that a blocking check stops; lists the reasons."""

    code = "invoice_blocked"
    status = 409

    def __init__(self, reasons: list[str]):
        super().__init__(_("Cette préfacture est bloquée : %(reasons)s.") % {"reasons": " ; ".join(reasons)})
        self.reasons = reasons

    def problem_extensions(self) -> dict:
        return {"reasons": [str(reason) for reason in self.reasons]}


class InvalidNumberFormat(DomainError):
    code = "invalid_number_format"

    def __init__(self, message: str, field: str = "invoice_number_format"):
        super().__init__(message, field=field)


class RunInProgress(Conflict):
    code = "billing_run_in_progress"

    def __init__(self):
        super().__init__(_("Un lancement de facturation est déjà en cours pour ce mois."))
