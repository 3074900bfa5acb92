"""Domain errors of deals (stable codes; transitions answer 409 in the API)."""

from enum import StrEnum

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError

from .models import DealStatus


class DealErrorCode(StrEnum):
    """The stable `code` of every domain error of deals: what the API answers in its
    problems and clients of the API match on. Values are a contract: never change one."""

    AMOUNT_REQUIRED = "amount_required"
    ASSIGNMENTS_OUTSIDE = "assignments_outside"
    CLIENT_ARCHIVED = "client_archived"
    DEAL_FINISHED = "deal_finished"
    DEAL_NOT_STAFFABLE = "deal_not_staffable"
    DOCUMENT_IN_USE = "document_in_use"
    DOCUMENT_ON_OTHER_DEAL = "document_on_other_deal"
    DOCUMENT_PROVES_SIGNATURE = "document_proves_signature"
    DUE_REQUIRED = "due_required"
    FUTURE_DATE = "future_date"
    INVALID = "invalid"
    INVALID_CONTACT = "invalid_contact"
    INVALID_MEMBER = "invalid_member"
    INVALID_MEMBER_ROLE = "invalid_member_role"
    INVALID_PREFIX = "invalid_prefix"
    INVALID_RECIPIENT = "invalid_recipient"
    INVALID_TRANSITION = "invalid_transition"
    INVALID_TYPE = "invalid_type"
    MILESTONE_INVOICED = "milestone_invoiced"
    MISSING_DOCUMENTS = "missing_documents"
    NOT_FIXED_PRICE = "not_fixed_price"
    NOT_SUBSCRIPTION = "not_subscription"
    ORDERED_AMOUNT_REQUIRED = "ordered_amount_required"
    OUTSIDE_DEAL_DATES = "outside_deal_dates"
    PO_NUMBER_TAKEN = "po_number_taken"
    PURCHASE_RATE_FOR_CONTRACTORS = "purchase_rate_for_contractors"
    RATE_NOT_POSITIVE = "rate_not_positive"
    REQUIRED = "required"
    SCHEDULE_DOES_NOT_ADD_UP = "schedule_does_not_add_up"
    TYPE_LOCKED = "type_locked"
    UNKNOWN_FIELDS = "unknown_fields"
    WRONG_DOCUMENT_TYPE = "wrong_document_type"


class InvalidTransition(Conflict):
    code = DealErrorCode.INVALID_TRANSITION

    def __init__(self, current: str, target: str):
        super().__init__(
            _("Impossible de passer une affaire de « %(current)s » à « %(target)s ».")
            % {"current": DealStatus(current).label, "target": DealStatus(target).label}
        )
        self.current = current
        self.target = target


class MissingDocuments(DomainError):
    """Signing without the deal's required documents: lists them."""

    code = DealErrorCode.MISSING_DOCUMENTS
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
