"""Who may read a conversation: a business object's thread follows the object's own page (the
same rules, read from each app's access module and selectors), a direct message or a group its
participants, a channel every active member of the firm.

- client: the roles that see clients (`clients.access.can_view_clients`);
- deal and milestone: the roles that see deals (`deals.access.can_view_deals`);
- invoice / pre-invoice: the billing readers (`billing.access.can_read`), never an external
  contractor (a bill is sale rates: a message is not a way around them);
- timesheet: its consultant, their manager, the billing readers (`timesheets.selectors`);
- document: role and clearance level, or a grant (`documents.access.visible_documents`).

`readable_q` is the same rule as one SQL predicate over conversations (lists, counts, search);
`may_read` answers for one conversation (the API, the WebSocket at subscribe and at every event).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from adv.tenancy import roles
from adv.tenancy.models import Membership
from billing import access as billing_access
from clients import access as client_access
from deals import access as deal_access
from documents import access as document_access
from documents.models import Document
from timesheets import selectors as timesheet_selectors

from .models import Conversation, ConversationKind, ObjectType, Participant

NOTHING = Q(pk__in=[])
CHANNEL_ADMIN_ROLES = roles.ADV_ROLES


def role_reads(m: Membership, object_type: str) -> bool | None:
    """True/False when the role decides alone; None when the row decides (timesheets, documents)."""
    if object_type == ObjectType.CLIENT:
        return client_access.can_view_clients(m)
    if object_type in (ObjectType.DEAL, ObjectType.MILESTONE):
        return deal_access.can_view_deals(m)
    if object_type == ObjectType.INVOICE:
        return billing_access.can_read(m) and not m.is_contractor
    if object_type == ObjectType.TIMESHEET:
        return True if timesheet_selectors.reads_all(m) else None
    if object_type == ObjectType.DOCUMENT:
        return None
    return False


def _timesheet_ids(m: Membership):
    return timesheet_selectors.timesheet_queryset(actor=m).select_related(None).values("id")


def _document_ids(m: Membership):
    return document_access.visible_documents(Document.objects.all(), m).values("id")


def object_q(m: Membership, prefix: str = "") -> Q:
    """The object threads `m` may read, as a predicate over Conversation (or over a relation to it
    through `prefix`, e.g. "conversation__")."""
    result = NOTHING
    for object_type in ObjectType.values:
        decided = role_reads(m, object_type)
        if decided is False:
            continue
        q = Q(**{f"{prefix}object_type": object_type})
        if decided is None:
            ids = _timesheet_ids(m) if object_type == ObjectType.TIMESHEET else _document_ids(m)
            q &= Q(**{f"{prefix}object_id__in": ids})
        result |= q
    return Q(**{f"{prefix}kind": ConversationKind.OBJECT}) & result


def readable_q(m: Membership, prefix: str = "") -> Q:
    if m is None or not m.is_active:
        return NOTHING
    ref = OuterRef(f"{prefix[:-2]}_id") if prefix else OuterRef("pk")
    joined = Exists(Participant.objects.filter(conversation_id=ref, membership_id=m.pk))
    return (
        object_q(m, prefix)
        | Q(**{f"{prefix}kind": ConversationKind.CHANNEL})
        | (Q(**{f"{prefix}kind__in": [ConversationKind.DIRECT, ConversationKind.GROUP]}) & Q(joined))
    )


def may_read(m: Membership | None, conversation: Conversation) -> bool:
    if m is None or not m.is_active or conversation.tenant_id != m.tenant_id:
        return False
    if conversation.kind == ConversationKind.CHANNEL:
        return True
    if conversation.kind in (ConversationKind.DIRECT, ConversationKind.GROUP):
        return Participant.objects.filter(conversation_id=conversation.pk, membership_id=m.pk).exists()
    return may_read_object(m, conversation.object_type, conversation.object_id)


def may_read_object(m: Membership, object_type: str, object_id) -> bool:
    decided = role_reads(m, object_type)
    if decided is not None:
        return decided
    if object_type == ObjectType.TIMESHEET:
        return timesheet_selectors.timesheet_queryset(actor=m).filter(pk=object_id).exists()
    return document_access.visible_documents(Document.objects.filter(pk=object_id), m).exists()


def may_create_channel(m: Membership) -> bool:
    return m is not None and m.is_active and m.role in CHANNEL_ADMIN_ROLES


def link_visible(m: Membership, link: dict) -> bool:
    """An object link (#AFF-2026-0015, an invoice number) is a link, with its title, only for a
    reader who may see that object (deals and invoices: the role decides, no query)."""
    return bool(role_reads(m, link.get("type", "")))


def readers(conversation: Conversation, members) -> set:
    """The ids of `members` who may read `conversation` now: `may_read` for many at once (a live
    event fanned out to every socket subscribed to it). At most one query (a direct message's or a
    group's participants), plus one per member only where the row decides and their role does
    not (a timesheet's consultant and manager, a document's readers below the clearance)."""
    members = [m for m in members if m is not None and m.is_active and m.tenant_id == conversation.tenant_id]
    if conversation.kind == ConversationKind.CHANNEL:
        return {m.pk for m in members}
    if conversation.kind in (ConversationKind.DIRECT, ConversationKind.GROUP):
        joined = set(Participant.objects.filter(conversation_id=conversation.pk, membership_id__in=[m.pk for m in members])
                     .values_list("membership_id", flat=True))
        return {m.pk for m in members if m.pk in joined}
    return {m.pk for m in members if may_read_object(m, conversation.object_type, conversation.object_id)}
