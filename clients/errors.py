"""Domain errors of the clients app (stable codes, mapped once to HTTP and to the UI)."""

from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError


class SirenTaken(Conflict):
    """The SIREN belongs to another client of the firm; carries it, so the UI can link to it."""

    code = "siren_taken"

    def __init__(self, existing):
        super().__init__(
            _("Ce SIREN est déjà celui du client « %(name)s ».") % {"name": existing.display_name},
            field="siren",
        )
        self.existing = existing

    def problem_extensions(self) -> dict:
        return {"existing_client": {"id": str(self.existing.pk), "display_name": self.existing.display_name}}


class UploadRefused(DomainError):
    """A file that is not stored: too large, of a type we refuse, lying about its type, infected."""

    code = "upload_refused"

    def __init__(self, message: str, *, code: str = "upload_refused"):
        super().__init__(message, code=code, field="file")
