"""Error codes of the accounts' domain errors (language, two-factor authentication)."""

from enum import StrEnum


class UserErrorCode(StrEnum):
    """The stable `code` of every domain error of accounts: what the API answers in its problems.
    Values are a contract: never change one."""

    INVALID_LANGUAGE = "invalid_language"
    INVALID_OTP = "invalid_otp"
    OTP_THROTTLED = "otp_throttled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_NOT_STARTED = "two_factor_not_started"
    TWO_FACTOR_REQUIRED = "two_factor_required"
