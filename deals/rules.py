"""The business rules of deals that several paths share (services, selectors, reports, tasks):
the dates a deal allows, what is missing to sign, a milestone's status. Who may do what is
`deals/access.py`."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Document, DocumentRequirement

from .models import STAFFABLE_STATUSES, Deal, Milestone, MilestoneStatus

STAFFABLE = STAFFABLE_STATUSES


def within(start: datetime.date | None, end: datetime.date | None, deal: Deal) -> bool:
    """A period lies within the deal's dates (an open end stays open only if the deal's is)."""
    if start is None or start < deal.start_date:
        return False
    if deal.end_date is not None:
        if end is None or end > deal.end_date:
            return False
    return end is None or end >= start


def missing_for_signature(deal: Deal) -> list[str]:
    """Labels of what the deal lacks to be signed: the document types its type requires (valid
    documents attached to the deal), and a purchase order number when one is required."""
    today = timezone.localdate()
    requirements = DocumentRequirement.objects.filter(is_active=True, applies_to=f"deal_{deal.deal_type}").select_related(
        "document_type"
    )
    present = {}
    for document in deal.documents.all():
        if document.current_version_id and not document.is_expired(today):
            present[document.document_type_id] = document
    missing = [r.document_type.name for r in requirements if r.document_type_id not in present]
    if deal.requires("purchase_order_required") and not deal.purchase_orders.exists():
        missing.append(_("numéro de bon de commande"))
    return missing


def signature_proof_documents(deal: Deal) -> list:
    """The deal's documents that prove the order, recorded with the signature: the valid ones
    (current file, not expired) of a contractual type or of a type the deal type requires."""
    today = timezone.localdate()
    required = set(
        DocumentRequirement.objects.filter(is_active=True, applies_to=f"deal_{deal.deal_type}").values_list("document_type_id", flat=True)
    )
    documents = Document.objects.filter(deal=deal, current_version__isnull=False).select_related("document_type").order_by(
        "document_type__name", "created_at", "id"
    )
    return [
        d for d in documents
        if (d.document_type.is_contractual or d.document_type_id in required) and not d.is_expired(today)
    ]


def milestone_status(milestone: Milestone, today: datetime.date) -> str:
    if milestone.status == MilestoneStatus.INVOICED:
        return MilestoneStatus.INVOICED
    is_due = (milestone.due_date is not None and milestone.due_date <= today) or milestone.event_occurred_on is not None
    if not is_due:
        return MilestoneStatus.PLANNED
    if milestone.required_document_type_id is None or milestone.document_id is not None:
        return MilestoneStatus.READY
    return MilestoneStatus.BLOCKED
