"""Sending an issued invoice to the client, and its deposit on a platform."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError
from adv.tenancy.models import Membership
from adv.ui.numbers import format_money
from clients.models import Contact

from .. import access, signals
from ..errors import BillingErrorCode
from ..models import (
    Invoice,
    InvoiceStatus,
)


def recipients_for(invoice: Invoice) -> tuple[list[str], list[str]]:
    from clients.models import InvoiceDelivery
    from deals.models import DealInvoiceRecipient

    if invoice.deal_id:
        chosen = list(DealInvoiceRecipient.objects.filter(deal_id=invoice.deal_id).select_related("contact"))
        if chosen:
            return [r.contact.email for r in chosen if r.contact.email], []
    contacts = Contact.objects.filter(client_id=invoice.client_id, is_active=True).exclude(invoice_delivery="")
    to = [c.email for c in contacts if c.invoice_delivery == InvoiceDelivery.TO]
    cc = [c.email for c in contacts if c.invoice_delivery == InvoiceDelivery.CC]
    return (to or cc), (cc if to else [])


@transaction.atomic
def invoice_send(*, actor: Membership, invoice: Invoice):
    """Email the invoice's PDF and its attachments to the client's recipients, through the outbox."""
    from notifications.services import email_enqueue

    access.require_bill(actor)
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("client", "credited_invoice").get(pk=invoice.pk)
    )
    if not invoice.is_issued:
        raise Conflict(_("Émettez la préfacture avant de l'envoyer."), code=BillingErrorCode.NOT_ISSUED)
    if invoice.render_status != "done" or not invoice.pdf_file:
        raise Conflict(
            _("Le PDF de la facture n'est pas encore prêt : réessayez dans un instant."), code=BillingErrorCode.PDF_NOT_READY
        )
    to, cc = recipients_for(invoice)
    if not to:
        raise DomainError(
            _("Aucun destinataire des factures chez ce client : ajoutez-en un sur sa fiche."), code=BillingErrorCode.NO_RECIPIENT
        )
    attachments = [
        {
            "name": f"{invoice.number.replace('/', '-')}.pdf",
            "path": invoice.pdf_file.name,
            "content_type": "application/pdf",
        }
    ]
    for attachment in invoice.attachments.select_related("document__current_version"):
        version = attachment.document.current_version
        if version is not None:
            attachments.append(
                {"name": version.original_name, "path": version.file.name, "content_type": version.content_type}
            )
    references = []
    if invoice.po_number:
        references.append(_("Bon de commande : %(po)s") % {"po": invoice.po_number})
    if invoice.buyer_reference:
        references.append(_("Votre référence : %(ref)s") % {"ref": invoice.buyer_reference})
    sends = invoice.sent_at.isoformat() if invoice.sent_at else "first"
    context = {
        "number": invoice.number,
        "issue_date": invoice.issue_date.strftime("%d/%m/%Y"),
        "total": format_money(invoice.total_gross, invoice.currency),
        "references": "\n".join(references),
        "client_name": invoice.buyer.get("name", ""),
    }
    if invoice.is_credit_note:
        # A credit note has no due date: the email names the invoice it credits instead.
        origin = invoice.credited_invoice
        context |= {"credited_number": origin.number, "credited_date": origin.issue_date.strftime("%d/%m/%Y")}
    else:
        context["due_date"] = invoice.due_date.strftime("%d/%m/%Y")
    email = email_enqueue(
        to=to,
        cc=cc,
        template_key="billing.credit_note_email" if invoice.is_credit_note else "billing.invoice_email",
        language=invoice.language,
        idempotency_key=f"invoice-send:{invoice.pk}:{sends}",
        attachments=attachments,
        context=context,
    )
    invoice.sent_at = timezone.now()
    if invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.SENT
    invoice.save(update_fields=["sent_at", "status", "updated_at"])
    signals.invoice_sent.send(sender=Invoice, invoice_id=str(invoice.pk), actor_id=str(actor.pk), channel="email")
    return invoice, email


@transaction.atomic
def invoice_mark_deposited(*, actor: Membership, invoice: Invoice, reference: str) -> Invoice:
    access.require_bill(actor)
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued:
        raise Conflict(_("Émettez la préfacture avant de la déposer."), code=BillingErrorCode.NOT_ISSUED)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Indiquez la référence donnée par la plateforme."), code=BillingErrorCode.REQUIRED, field="reference")
    invoice.deposited_at = timezone.now()
    invoice.deposit_reference = reference[:100]
    if invoice.status == InvoiceStatus.ISSUED:
        invoice.status = InvoiceStatus.SENT
        invoice.sent_at = invoice.sent_at or invoice.deposited_at
    invoice.save(update_fields=["deposited_at", "deposit_reference", "status", "sent_at", "updated_at"])
    signals.invoice_sent.send(sender=Invoice, invoice_id=str(invoice.pk), actor_id=str(actor.pk), channel="manual")
    return invoice


# --- Credit notes ---------------------------------------------------------------------------------
