"""Domain errors of reporting (stable codes; the API answers them as problem+json)."""

from enum import StrEnum

from adv.tenancy.errors import DomainError


class ReportingErrorCode(StrEnum):
    """The stable `code` of every domain error of reporting. Values are a contract: never change one."""

    INVALID_PERIOD = "invalid_period"
    PERIOD_INVERTED = "period_inverted"
    PERIOD_TOO_LONG = "period_too_long"
    INVALID_FILTER = "invalid_filter"
    INVALID_RECIPIENT = "invalid_recipient"


class PeriodInvalid(DomainError):
    code = ReportingErrorCode.INVALID_PERIOD
