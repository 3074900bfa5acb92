"""Domain errors of the tenancy core. Each has a stable `code`, mapped once to HTTP / UI."""

from enum import StrEnum


class TenancyErrorCode(StrEnum):
    """The stable `code` of every domain error of tenancy: what the API answers in its
    problems and clients of the API match on. Values are a contract: never change one."""

    ALREADY_MEMBER = "already_member"
    CONFLICT = "conflict"
    INVALID = "invalid"
    INVALID_CLEARANCE = "invalid_clearance"
    INVALID_MANAGER = "invalid_manager"
    INVALID_ROLE = "invalid_role"
    INVALID_TENANT = "invalid_tenant"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_OTHER_EMAIL = "invitation_other_email"
    INVITATION_UNKNOWN = "invitation_unknown"
    LAST_ADMIN = "last_admin"
    LOGIN_REQUIRED = "login_required"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    REPORTS_TO_CYCLE = "reports_to_cycle"
    SLUG_TAKEN = "slug_taken"
    WEAK_PASSWORD = "weak_password"


class DomainError(Exception):
    """Base of every business-rule violation. `code` is stable and documented in the API."""

    code = TenancyErrorCode.INVALID
    status = 400

    def __init__(
        self, message: str = "", *, code: str | None = None, field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        if code:
            self.code = str(code)  # an app's ErrorCode member, stored as its plain value
        self.field = field
        self.errors = errors

    def field_errors(self) -> dict[str, list[str]] | None:
        """The messages per field that the API answers in `errors`: every invalid field when the
        error carries them (model validation finds them all), else its one field."""
        if self.errors:
            return {name: list(messages) for name, messages in self.errors.items()}
        return {self.field: [self.message]} if self.field else None

    def problem_extensions(self) -> dict:
        """Members added to the API's problem document (RFC 9457 extensions): what a client of
        the API needs to act on this error, such as the missing documents or the blocking reasons."""
        return {}


class PermissionDenied(DomainError):
    code = TenancyErrorCode.PERMISSION_DENIED
    status = 403


class NotFound(DomainError):
    code = TenancyErrorCode.NOT_FOUND
    status = 404


class Conflict(DomainError):
    code = TenancyErrorCode.CONFLICT
    status = 409


class TenantContextMissing(RuntimeError):
    """A tenant-scoped query ran with no active tenant: a programming error, never a 4xx."""


class TenantMismatch(RuntimeError):
    """A row of one tenant was saved while another tenant was active."""
