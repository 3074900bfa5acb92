"""The client-signed timesheet, stored on the client record as a "feuille de temps signée"
attached to the deal, so that billing sends it with the invoice.

Who may attach it is the timesheet's rule (the consultant of the month, or ADV), not the
document library's: a consultant has no right to upload client documents in general, nor the
clearance to read them, yet the signed copy of their own month is theirs to hand in. So this
does not go through `documents.services.document_upload` (which checks those rights) but through
`document_store` below it: the same file checks as every document (size, type read from the
bytes, antivirus), checked before anything is written and deleted if the transaction fails.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership
from documents.models import Document, DocumentType
from documents.services import document_store

from .errors import TimesheetErrorCode

SIGNED_TIMESHEET_DOCUMENT_TYPE = "feuille-temps-signee"


def signed_document_type() -> DocumentType:
    document_type = DocumentType.objects.filter(code=SIGNED_TIMESHEET_DOCUMENT_TYPE, is_active=True).first()
    if document_type is None:
        raise DomainError(
            _("Le type de document « Feuille de temps signée » n'existe pas ou est désactivé : un administrateur doit le rétablir."),
            code=TimesheetErrorCode.DOCUMENT_TYPE_MISSING,
        )
    return document_type


def signed_copy_store(*, uploaded_by: Membership, timesheet, deal, upload) -> Document:
    """Check and store the file as the deal's signed timesheet of that month. The caller has
    checked that `uploaded_by` may hand in this timesheet's signed copy."""
    document_type = signed_document_type()
    consultant = timesheet.consultant.user
    title = _("CRA signé %(month)s – %(consultant)s – %(deal)s") % {
        "month": timesheet.month.strftime("%m/%Y"),
        "consultant": consultant.get_full_name() or consultant.email,
        "deal": deal.reference,
    }
    return document_store(
        uploaded_by=uploaded_by,
        client=deal.client,
        deal=deal,
        document_type=document_type,
        title=title[: Document._meta.get_field("title").max_length],
        upload=upload,
        signed_on=timezone.localdate(),
    )
