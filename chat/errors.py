"""Domain errors of the chat (stable codes, mapped once to HTTP and to the UI)."""

from enum import StrEnum

from adv.tenancy.errors import DomainError


class ChatErrorCode(StrEnum):
    """The stable `code` of every domain error of the chat: what the API answers in its problems
    and clients of the API match on. Values are a contract: never change one."""

    CHANNEL_NAME_TAKEN = "channel_name_taken"
    EDIT_WINDOW_CLOSED = "edit_window_closed"
    EMPTY_MESSAGE = "empty_message"
    INVALID_DND = "invalid_dnd"
    INVALID_MEMBERS = "invalid_members"
    MESSAGE_DELETED = "message_deleted"
    MESSAGE_TOO_LONG = "message_too_long"
    NOT_AUTHOR = "not_author"
    RATE_LIMITED = "rate_limited"
    SYSTEM_MESSAGE = "system_message"
    UNKNOWN_MENTION = "unknown_mention"


class ChatError(DomainError):
    """A message or conversation refused (400)."""


class RateLimited(DomainError):
    code = ChatErrorCode.RATE_LIMITED
    status = 429
