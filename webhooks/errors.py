"""Domain errors of webhooks (stable codes)."""

from enum import StrEnum

from adv.tenancy.errors import Conflict, DomainError, NotFound, PermissionDenied  # noqa: F401


class WebhookErrorCode(StrEnum):
    """The stable `code` of every domain error of webhooks: what the API answers in its problems.
    Values are a contract: never change one."""

    INVALID_URL = "invalid_url"
    TARGET_REFUSED = "target_refused"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    NO_EVENT_TYPE = "no_event_type"
    DELIVERY_IN_PROGRESS = "delivery_in_progress"


class TargetRefused(DomainError):
    """A URL the product will not call: not http(s), or resolving to a private, loopback,
    link-local or reserved address (SSRF)."""

    code = WebhookErrorCode.TARGET_REFUSED

    def __init__(self, message: str):
        super().__init__(message, field="url")
