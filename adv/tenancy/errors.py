"""Domain errors of the tenancy core. Each has a stable `code`, mapped once to HTTP / UI."""


class DomainError(Exception):
    """Base of every business-rule violation. `code` is stable and documented in the API."""

    code = "invalid"
    status = 400

    def __init__(self, message: str = "", *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class TenantContextMissing(RuntimeError):
    """A tenant-scoped query ran with no active tenant: a programming error, never a 4xx."""


class TenantMismatch(RuntimeError):
    """A row of one tenant was saved while another tenant was active."""
