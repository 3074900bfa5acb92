"""Domain errors of billing (stable codes; the API answers them as problem+json)."""

from enum import StrEnum

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError


class BillingErrorCode(StrEnum):
    """The stable `code` of every domain error of billing: what the API answers in its
    problems and clients of the API match on. Values are a contract: never change one."""

    AMOUNT_TOO_LARGE = "amount_too_large"
    BILLING_RUN_IN_PROGRESS = "billing_run_in_progress"
    CREDIT_EXCEEDS_INVOICE = "credit_exceeds_invoice"
    DISCOUNT_AMOUNT_OR_PERCENT = "discount_amount_or_percent"
    DISCOUNT_TOO_LARGE = "discount_too_large"
    FULLY_CREDITED = "fully_credited"
    FUTURE_DATE = "future_date"
    GENERATED_LINE = "generated_line"
    INVALID = "invalid"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_DATE = "invalid_date"
    INVALID_DISCOUNT = "invalid_discount"
    INVALID_KIND = "invalid_kind"
    INVALID_METHOD = "invalid_method"
    INVALID_NUMBER = "invalid_number"
    INVALID_NUMBER_FORMAT = "invalid_number_format"
    INVALID_PERCENT = "invalid_percent"
    INVALID_UNIT = "invalid_unit"
    INVALID_VAT_RATE = "invalid_vat_rate"
    INVOICE_BLOCKED = "invoice_blocked"
    INVOICE_IMMUTABLE = "invoice_immutable"
    ISSUE_DATE_BEFORE_LAST = "issue_date_before_last"
    ISSUE_DATE_FUTURE = "issue_date_future"
    NEGATIVE_PRICE = "negative_price"
    NO_RECIPIENT = "no_recipient"
    NOBODY_TO_CHASE = "nobody_to_chase"
    NOT_ISSUED = "not_issued"
    NOT_PAYABLE = "not_payable"
    OVERPAYMENT = "overpayment"
    PARTIALLY_CREDITED = "partially_credited"
    PDF_NOT_READY = "pdf_not_ready"
    REQUIRED = "required"
    UNKNOWN_COLUMNS = "unknown_columns"
    UNKNOWN_FIELDS = "unknown_fields"
    ZERO_QUANTITY = "zero_quantity"


class InvoiceImmutable(Conflict):
    code = BillingErrorCode.INVOICE_IMMUTABLE

    def __init__(self, number: str | None = None):
        super().__init__(
            _("La facture %(number)s est émise : elle ne peut plus être modifiée. Faites un avoir.")
            % {"number": number or ""}
        )


class InvoiceBlocked(DomainError):
    """Issuing a pre-invoice that a blocking check stops; lists the reasons."""

    code = BillingErrorCode.INVOICE_BLOCKED
    status = 409

    def __init__(self, reasons: list[str]):
        super().__init__(_("Cette préfacture est bloquée : %(reasons)s.") % {"reasons": " ; ".join(reasons)})
        self.reasons = reasons

    def problem_extensions(self) -> dict:
        return {"reasons": [str(reason) for reason in self.reasons]}


class InvalidNumberFormat(DomainError):
    code = BillingErrorCode.INVALID_NUMBER_FORMAT

    def __init__(self, message: str, field: str = "invoice_number_format"):
        super().__init__(message, field=field)


class RunInProgress(Conflict):
    code = BillingErrorCode.BILLING_RUN_IN_PROGRESS

    def __init__(self):
        super().__init__(_("Un lancement de facturation est déjà en cours pour ce mois."))
