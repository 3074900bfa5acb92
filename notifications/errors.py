"""Domain errors of notifications, with stable codes."""

from enum import StrEnum

from adv.tenancy.errors import Conflict, DomainError, NotFound, PermissionDenied

__all__ = ["Conflict", "DomainError", "InvalidTemplate", "NotFound", "PermissionDenied", "UnknownTemplate"]


class NotificationErrorCode(StrEnum):
    """The stable `code` of every domain error of notifications: what the API answers in its
    problems and clients of the API match on. Values are a contract: never change one."""

    EMAIL_ALREADY_SENT = "email_already_sent"
    INVALID_EMAIL = "invalid_email"
    INVALID_TEMPLATE = "invalid_template"
    NO_RECIPIENT = "no_recipient"
    UNKNOWN_TEMPLATE = "unknown_template"


class UnknownTemplate(DomainError):
    """No default template is registered under this key: a programming error of the caller."""

    code = NotificationErrorCode.UNKNOWN_TEMPLATE
    status = 404


class InvalidTemplate(DomainError):
    """A tenant's template uses placeholders its message does not offer, or other syntax."""

    code = NotificationErrorCode.INVALID_TEMPLATE

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(str(e) for messages in errors.values() for e in messages), field=next(iter(errors), None))
        self.errors = errors
