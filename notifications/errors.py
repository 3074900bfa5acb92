"""Domain errors of notifications, with stable codes."""

from adv.tenancy.errors import Conflict, DomainError, NotFound, PermissionDenied

__all__ = ["Conflict", "DomainError", "InvalidTemplate", "NotFound", "PermissionDenied", "UnknownTemplate"]


class UnknownTemplate(DomainError):
    """No default template is registered under this key: a programming error of the caller."""

    code = "unknown_template"
    status = 404


class InvalidTemplate(DomainError):
    """A tenant's template uses placeholders its message does not offer, or other syntax."""

    code = "invalid_template"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(str(e) for messages in errors.values() for e in messages), field=next(iter(errors), None))
        self.errors = errors
