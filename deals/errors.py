"""Domain errors of deals (stable codes; transitions answer 409 in the API)."""

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, current: str, target: str):
        from .models import DealStatus

        super().__init__(
            _("Impossible de passer une affaire de « %(current)s » à « %(target)s ».")
            % {"current": DealStatus(current).label, "target": DealStatus(target).label}
        )
        self.current = current
        self.target = target


class MissingDocuments(DomainError):
    """Signing without the deal's required documents: lists them."""

    code = "missing_documents"
    status = 409

    def __init__(self, missing: list[str]):
        super().__init__(
            _("Pour signer, il manque : %(missing)s. Déposez-les sur l'affaire, ou indiquez un motif pour signer sans.")
            % {"missing": ", ".join(missing)},
            errors={"missing": list(missing)},
        )
        self.missing = missing

    def problem_extensions(self) -> dict:
        return {"missing": list(self.missing)}
