"""Domain errors of collections (stable codes; the API answers them as problem+json)."""

from enum import StrEnum


class DunningErrorCode(StrEnum):
    """The stable `code` of every domain error of dunning: a contract of the API, never changed."""

    ALREADY_REMINDED = "already_reminded"
    DISPUTED = "disputed"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_DATE = "invalid_date"
    INVALID_STEP = "invalid_step"
    INVALID_TEMPLATE = "invalid_template"
    NO_RECIPIENT = "no_recipient"
    NO_STEP = "no_step"
    NOT_OVERDUE = "not_overdue"
    NOT_PAUSED = "not_paused"
    PDF_NOT_READY = "pdf_not_ready"
    PROMISE_PENDING = "promise_pending"
    STEP_BEFORE_DUE_DATE = "step_before_due_date"
    STEP_DUPLICATE = "step_duplicate"
