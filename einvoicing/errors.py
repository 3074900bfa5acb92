"""Domain errors of e-invoicing (stable codes; the API answers them as problem+json)."""

from enum import StrEnum


class EinvoicingErrorCode(StrEnum):
    """Values are a contract: never change one."""

    PLATFORM_CHECK_FAILED = "platform_check_failed"
    PLATFORM_URL_REQUIRED = "platform_url_required"
    NOT_RETRYABLE = "submission_not_retryable"
    UNKNOWN_FIELDS = "unknown_fields"
    REPORT_NOT_RETRYABLE = "report_not_retryable"
    SUPPLIER_REASON_REQUIRED = "supplier_reason_required"
    SUPPLIER_ALREADY_DECIDED = "supplier_invoice_decided"
    SUPPLIER_NOT_CONTRACTOR = "supplier_not_contractor"
    SUPPLIER_INVALID = "supplier_invoice_invalid"
