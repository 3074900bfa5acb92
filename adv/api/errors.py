"""Error codes of the API's own domain errors (tokens)."""

from enum import StrEnum


class ApiErrorCode(StrEnum):
    """The stable `code` of the API's own errors. Values are a contract: never change one."""

    EXPIRY_IN_PAST = "expiry_in_past"
    NAME_REQUIRED = "name_required"
    SECOND_FACTOR_REQUIRED = "second_factor_required"
    SESSION_REQUIRED = "session_required"
