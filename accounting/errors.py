"""Domain errors of the accounting export (stable codes; the API answers them as problem+json)."""

from enum import StrEnum

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError


class AccountingErrorCode(StrEnum):
    """The stable `code` of every domain error of the accounting export. Values are a contract."""

    INVALID_RANGE = "invalid_range"
    RANGE_TOO_LONG = "range_too_long"
    MAPPING_INCOMPLETE = "mapping_incomplete"
    AUXILIARY_TAKEN = "auxiliary_account_taken"
    INVALID = "invalid"


class InvalidRange(DomainError):
    code = AccountingErrorCode.INVALID_RANGE


class MappingIncomplete(Conflict):
    """The export needs accounts the mapping leaves blank: nothing is written, here is the list."""

    code = AccountingErrorCode.MAPPING_INCOMPLETE

    def __init__(self, missing: list[str]):
        super().__init__(
            _("Le plan de comptes est incomplet : renseignez %(missing)s avant d'exporter.")
            % {"missing": " ; ".join(missing)}
        )
        self.missing = missing

    def problem_extensions(self) -> dict:
        return {"missing": [str(item) for item in self.missing]}
