"""Domain errors of e-invoicing (stable codes; the API answers them as problem+json)."""

from enum import StrEnum


class EinvoicingErrorCode(StrEnum):
    """Values are a contract: never change one."""

    PLATFORM_CHECK_FAILED = "platform_check_failed"
    PLATFORM_URL_REQUIRED = "platform_url_required"
    NOT_RETRYABLE = "submission_not_retryable"
    UNKNOWN_FIELDS = "unknown_fields"
    REPORT_NOT_RETRYABLE = "report_not_retryable"
