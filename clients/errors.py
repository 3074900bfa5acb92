"""Domain errors of the clients app (stable codes, mapped once to HTTP and to the UI)."""

from enum import StrEnum

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict


class ClientErrorCode(StrEnum):
    """The stable `code` of every domain error of clients: what the API answers in its
    problems and clients of the API match on. Values are a contract: never change one."""

    CLIENT_IN_USE = "client_in_use"
    EMAIL_REQUIRED = "email_required"
    FUTURE_DATE = "future_date"
    INVALID = "invalid"
    INVALID_MEMBER = "invalid_member"
    INVALID_PAYMENT_TERMS = "invalid_payment_terms"
    PARENT_CYCLE = "parent_cycle"
    PAYMENT_TERMS_OVER_LEGAL_MAX = "payment_terms_over_legal_max"
    PLATFORM_NAME_REQUIRED = "platform_name_required"
    PUBLIC_SECTOR_CHORUS = "public_sector_chorus"
    REQUIRED = "required"
    SIREN_TAKEN = "siren_taken"
    SIRET_SIREN_MISMATCH = "siret_siren_mismatch"
    UNKNOWN_FIELDS = "unknown_fields"
    USE_RENAME = "use_rename"
    VAT_SIREN_MISMATCH = "vat_siren_mismatch"


class SirenTaken(Conflict):
    """The SIREN belongs to another client of the firm; carries it, so the UI can link to it."""

    code = ClientErrorCode.SIREN_TAKEN

    def __init__(self, existing):
        super().__init__(
            _("Ce SIREN est déjà celui du client « %(name)s ».") % {"name": existing.display_name},
            field="siren",
        )
        self.existing = existing

    def problem_extensions(self) -> dict:
        return {"existing_client": {"id": str(self.existing.pk), "display_name": self.existing.display_name}}
