"""Domain errors of the documents app (stable codes, mapped once to HTTP and to the UI)."""

from enum import StrEnum

from adv.tenancy.errors import DomainError


class DocumentErrorCode(StrEnum):
    """The stable `code` of every domain error of documents: what the API answers in its problems
    and clients of the API match on (the values they had in the clients app). Values are a
    contract: never change one."""

    ANTIVIRUS_ERROR = "antivirus_error"
    ANTIVIRUS_UNAVAILABLE = "antivirus_unavailable"
    CODE_TAKEN = "code_taken"
    EMPTY = "empty"
    INFECTED = "infected"
    LEVEL_ABOVE_CLEARANCE = "level_above_clearance"
    REQUIREMENT_EXISTS = "requirement_exists"
    TOO_LARGE = "too_large"
    TYPE_MISMATCH = "type_mismatch"
    TYPE_NOT_ALLOWED = "type_not_allowed"
    UNKNOWN_FIELDS = "unknown_fields"
    UPLOAD_REFUSED = "upload_refused"


class UploadRefused(DomainError):
    """A file that is not stored: too large, of a type we refuse, lying about its type, infected."""

    code = DocumentErrorCode.UPLOAD_REFUSED

    def __init__(self, message: str, *, code: str = DocumentErrorCode.UPLOAD_REFUSED):
        super().__init__(message, code=code, field="file")
