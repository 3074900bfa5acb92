"""The chat listens to the domain events of the floors below: a chase posts a message in the
object's thread mentioning the person responsible (`notifications.signals.chase_sent`); a change
of situation posts a system message in the threads that exist (document stored, deal signed,
pre-invoices issued with their number, CRA approved) and marks the chases it answers resolved.
A dispute of an invoice (`billing.signals.invoice_disputed`: the client on the portal, the
e-invoicing platform, the staff) is posted in the invoice's thread, which it opens if needed: the
client's words call for an answer there; its closing is posted in the thread if it exists.

The signals are sent inside the writing transaction: the messages are written in it too (they
commit or roll back with the action); their live events leave after commit (`live.on_commit`).
"""

from __future__ import annotations

import logging

from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError
from adv.tenancy.models import Membership, Tenant
from billing.signals import invoice_disputed, invoices_issued
from deals.signals import deal_signed
from documents.signals import document_stored
from notifications.signals import chase_sent
from timesheets.signals import timesheet_approved

from . import services
from .models import Conversation, ConversationKind, ObjectType

logger = logging.getLogger(__name__)


@receiver(chase_sent)
def post_chase(sender, *, object_type, object_id, responsible_ids, actor_id=None, text="", code="", **kwargs):
    responsible = list(Membership.objects.select_related("user").filter(pk__in=responsible_ids, is_active=True))
    actor = Membership.objects.select_related("user").filter(pk=actor_id).first() if actor_id else None
    body = _("relance : %(text)s") % {"text": text}
    try:
        if object_type == ObjectType.INVOICE:
            responsible = _chase_pre_invoice_elsewhere(actor, object_id, responsible, body, code)
        if responsible:
            services.chase_post(actor=actor, object_type=object_type, object_id=object_id, responsible=responsible,
                                body=body, chase_code=code)
    except DomainError:  # the chase itself stands (its notification is sent); the thread is a bonus
        logger.info("Chase not posted in the chat", exc_info=True)


def _chase_pre_invoice_elsewhere(actor, invoice_id, responsible, body, code) -> list:
    """A pre-invoice's thread is read by billing only: a responsible person who may not read it (a
    sales owner, a project manager) is chased in the thread of the deal it bills, which they read,
    with the pre-invoice named. Returns the people left for the pre-invoice's own thread."""
    from billing.models import Invoice

    from . import access, objects

    readers = [m for m in responsible if access.role_reads(m, ObjectType.INVOICE)]
    others = [m for m in responsible if m not in readers]
    invoice = Invoice.objects.filter(pk=invoice_id).only("deal_id").first()
    if others and invoice is not None and invoice.deal_id:
        target = objects.resolve(ObjectType.INVOICE, invoice_id)
        services.chase_post(actor=actor, object_type=ObjectType.DEAL, object_id=invoice.deal_id, responsible=others,
                            body=f"{body} ({target.title if target else ''})", chase_code=code)
    return readers


def _existing(object_type: str, object_ids) -> list:
    return list(
        Conversation.objects.filter(kind=ConversationKind.OBJECT, object_type=object_type, object_id__in=list(object_ids))
        .values_list("object_id", flat=True)
    )


@receiver(invoices_issued)
def post_invoices_issued(sender, *, invoice_ids, **kwargs):
    from billing.models import Invoice

    ids = _existing(ObjectType.INVOICE, invoice_ids)
    for invoice in Invoice.objects.filter(pk__in=ids).only("number"):
        services.system_post(
            object_type=ObjectType.INVOICE, object_id=invoice.pk,
            body=_("Préfacture émise : facture #%(number)s.") % {"number": invoice.number}, resolves="",
        )


@receiver(document_stored)
def post_document_stored(sender, *, document_id, client_id, deal_id=None, **kwargs):
    from documents.models import Document

    document = Document.objects.select_related("document_type").filter(pk=document_id).first()
    if document is None:
        return
    body = _("Document déposé : %(title)s (%(type)s).") % {"title": document.title, "type": document.document_type.name}
    code = document.document_type.code
    if _existing(ObjectType.CLIENT, [client_id]):
        services.system_post(object_type=ObjectType.CLIENT, object_id=client_id, body=body, resolves=code)
    if deal_id and _existing(ObjectType.DEAL, [deal_id]):
        services.system_post(object_type=ObjectType.DEAL, object_id=deal_id, body=body, resolves=code)
    if deal_id:
        from deals.models import Milestone

        milestones = Milestone.objects.filter(deal_id=deal_id, required_document_type_id=document.document_type_id).values_list("id", flat=True)
        for milestone_id in _existing(ObjectType.MILESTONE, milestones):
            services.system_post(object_type=ObjectType.MILESTONE, object_id=milestone_id, body=body, resolves="milestone_document")


@receiver(deal_signed)
def post_deal_signed(sender, *, deal_id, **kwargs):
    if _existing(ObjectType.DEAL, [deal_id]):
        services.system_post(object_type=ObjectType.DEAL, object_id=deal_id, body=_("Affaire signée."), resolves="")


@receiver(timesheet_approved)
def post_timesheet_approved(sender, *, timesheet_id, **kwargs):
    if _existing(ObjectType.TIMESHEET, [timesheet_id]):
        services.system_post(object_type=ObjectType.TIMESHEET, object_id=timesheet_id, body=_("CRA approuvé."), resolves="")


def _dispute_body(source: str, reason: str) -> str:
    if source == "portal":
        text = _("Facture contestée par le client sur le portail : « %(reason)s »")
    elif source == "platform":
        text = _("Facture en litige sur la plateforme de facturation électronique : « %(reason)s »")
    else:
        text = _("Litige enregistré sur cette facture : « %(reason)s »")
    return text % {"reason": (reason or "").strip() or "—"}


@receiver(invoice_disputed)
def post_invoice_disputed(sender, *, invoice_id, disputed, reason="", source="staff", **kwargs):
    """In the firm's language: the signal may come from a portal page shown in the client's."""
    language = Tenant.objects.filter(pk=require_tenant_id()).values_list("language", flat=True).first() or "fr"
    with translation.override(language):
        if disputed:
            try:
                services.thread_for_object(actor=None, object_type=ObjectType.INVOICE, object_id=invoice_id)
            except DomainError:  # not an invoice of the firm: the dispute itself stands
                logger.info("Dispute not posted in the chat", exc_info=True)
                return
            services.system_post(object_type=ObjectType.INVOICE, object_id=invoice_id, body=_dispute_body(source, reason))
        elif _existing(ObjectType.INVOICE, [invoice_id]):
            services.system_post(object_type=ObjectType.INVOICE, object_id=invoice_id, body=_("Litige clos : les relances reprennent."))
