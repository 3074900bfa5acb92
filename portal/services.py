"""Every write of the client portal, one function per business action.

Staff side (actor: a Membership; rights in portal/access.py): enable the portal for a client,
invite one of its contacts, resend the invitation, revoke the access.

Client side (actor: the signed-in `Portal` of portal/session.py, already scoped to the
contact's clients by row-level security): approve CRAs in bulk or reject one with a reason,
approve or upload an acceptance report, give a PO or a reception number, dispute an invoice.
Each records its evidence or its log line (contact, time, address), tells the ADV in charge, and
announces the change that the pre-invoice checks read (billing/refresh.py refreshes the drafts
after commit: no billing run needed).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from adv.tenancy.errors import Conflict, DomainError, NotFound
from adv.tenancy.models import Membership
from billing.models import Invoice, InvoiceKind, InvoiceStatus
from billing.signals import invoice_disputed
from clients.models import Client, Contact
from deals.models import Deal, Milestone, MilestoneStatus, PurchaseOrder
from deals.signals import deal_billing_changed
from documents.models import DocumentType
from notifications.services import email_enqueue, notify
from timesheets.models import ClientApproval, ClientApprovalStatus, TimesheetLine, TimesheetStatus
from timesheets.signals import timesheet_billing_changed, timesheet_client_decided

from . import access, auth, documents, evidence
from .errors import PortalErrorCode
from .messages import CLIENT_ACTION, INVITATION, LOGIN_LINK
from .models import (
    ClientPortal,
    InvoiceDispute,
    PortalContact,
    PortalContactStatus,
    PortalLinkPurpose,
    PortalSignature,
    SignatureDecision,
    SignatureKind,
)

RECEPTION_MAX_LENGTH = TimesheetLine._meta.get_field("reception_number").max_length
PO_NUMBER_MAX_LENGTH = PurchaseOrder._meta.get_field("number").max_length
SIGNED_TIMESHEET_TYPE = "feuille-temps-signee"
ACCEPTANCE_TYPE = "pv-recette"
PURCHASE_ORDER_TYPE = "bon-de-commande"


class TimesheetChanged(Conflict):
    """Some timesheets changed after the client loaded them: nothing is approved."""

    code = PortalErrorCode.TIMESHEET_CHANGED

    def __init__(self, approval_ids: list[str]):
        super().__init__(
            _("Un CRA a été modifié depuis l'affichage de la page : rien n'est validé. Vérifiez la nouvelle version ci-dessous."),
        )
        self.code = PortalErrorCode.TIMESHEET_CHANGED
        self.approval_ids = approval_ids

    def problem_extensions(self) -> dict:
        return {"changed": self.approval_ids}


def _site_url(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


# --- Staff side ------------------------------------------------------------------------------------


@transaction.atomic
def portal_configure(*, actor: Membership, client: Client, enabled: bool, reception_number_max_length: int | None = None) -> ClientPortal:
    """The firm enables (or disables) the portal for one client, and its reference rules."""
    access.require(actor, access.can_configure(actor))
    if reception_number_max_length is not None and not 1 <= reception_number_max_length <= RECEPTION_MAX_LENGTH:
        raise DomainError(
            _("Entre 1 et %(max)s caractères.") % {"max": RECEPTION_MAX_LENGTH}, code=PortalErrorCode.REFERENCE_TOO_LONG,
            field="reception_number_max_length",
        )
    portal, _created = ClientPortal.objects.select_for_update().get_or_create(client=client)
    portal.enabled = enabled
    portal.reception_number_max_length = reception_number_max_length
    portal.save()
    return portal


def _send_invitation(actor: Membership, portal_contact: PortalContact):
    raw = auth.issue_link(portal_contact, PortalLinkPurpose.INVITATION)
    tenant = actor.tenant
    expires = timezone.localtime(timezone.now() + auth.INVITATION_VALIDITY)
    return email_enqueue(
        to=[portal_contact.email], template_key=INVITATION, language=portal_contact.language,
        context={
            "contact_name": str(portal_contact.contact), "sender_name": actor.user.get_full_name() or actor.user.email,
            "tenant_name": tenant.name, "client_name": portal_contact.client.display_name,
            "url": _site_url("portal:link", tenant_slug=tenant.slug, token=raw),
            "portal_url": _site_url("portal:login", tenant_slug=tenant.slug),
            "expires_on": formats.date_format(expires, "DATE_FORMAT"),
        },
    )


@transaction.atomic
def contact_invite(*, actor: Membership, contact: Contact, sees_group: bool = False) -> PortalContact:
    """Open the portal to one of the client's recorded contacts and email them their first link.
    A revoked contact invited again gets a fresh access."""
    access.require(actor, access.can_invite(actor))
    contact = Contact.objects.select_related("client__billing_profile").get(pk=contact.pk)
    email = (contact.email or "").strip().lower()
    if not email:
        raise DomainError(_("Ce contact n'a pas d'adresse e-mail : ajoutez-la sur la fiche client."), code=PortalErrorCode.EMAIL_REQUIRED, field="contact")
    if not contact.is_active:
        raise DomainError(_("Ce contact est inactif."), code=PortalErrorCode.CONTACT_INACTIVE, field="contact")
    existing = PortalContact.objects.select_for_update().filter(contact=contact).first()
    if existing is not None and existing.status != PortalContactStatus.REVOKED:
        raise Conflict(_("Ce contact a déjà accès au portail : renvoyez l'invitation."), code=PortalErrorCode.ALREADY_INVITED)
    if PortalContact.objects.filter(email=email).exclude(status=PortalContactStatus.REVOKED).exclude(contact=contact).exists():
        raise Conflict(_("Cette adresse e-mail sert déjà à un autre accès au portail."), code=PortalErrorCode.ALREADY_INVITED, field="contact")
    profile = getattr(contact.client, "billing_profile", None)
    portal_contact = existing or PortalContact(contact=contact)
    portal_contact.client = contact.client
    portal_contact.email = email
    portal_contact.sees_group = sees_group
    portal_contact.status = PortalContactStatus.INVITED
    portal_contact.invited_by = actor
    portal_contact.invited_at = timezone.now()
    portal_contact.revoked_at = None
    portal_contact.password = ""
    portal_contact.totp_enabled = False
    portal_contact.totp_secret_encrypted = ""
    portal_contact.language = getattr(profile, "invoice_language", None) or actor.tenant.language
    portal_contact.session_epoch = (portal_contact.session_epoch or 0) + 1
    portal_contact.save()
    _send_invitation(actor, portal_contact)
    return portal_contact


@transaction.atomic
def contact_resend(*, actor: Membership, portal_contact: PortalContact) -> PortalContact:
    access.require(actor, access.can_invite(actor))
    portal_contact = PortalContact.objects.select_for_update(of=("self",)).select_related("contact", "client").get(pk=portal_contact.pk)
    if portal_contact.status == PortalContactStatus.REVOKED:
        raise Conflict(_("Cet accès est révoqué : invitez de nouveau le contact."), code=PortalErrorCode.CONTACT_REVOKED)
    portal_contact.invited_at = timezone.now()
    portal_contact.save(update_fields=["invited_at", "updated_at"])
    _send_invitation(actor, portal_contact)
    return portal_contact


@transaction.atomic
def contact_revoke(*, actor: Membership, portal_contact: PortalContact) -> PortalContact:
    """End the access at once: every session and every unused link stop working."""
    access.require(actor, access.can_invite(actor))
    portal_contact = PortalContact.objects.select_for_update(of=("self",)).get(pk=portal_contact.pk)
    if portal_contact.status == PortalContactStatus.REVOKED:
        return portal_contact
    portal_contact.status = PortalContactStatus.REVOKED
    portal_contact.revoked_at = timezone.now()
    portal_contact.session_epoch += 1
    portal_contact.save(update_fields=["status", "revoked_at", "session_epoch", "updated_at"])
    portal_contact.links.filter(used_at__isnull=True).update(used_at=timezone.now())
    return portal_contact


def login_link_email(*, tenant, portal_contact: PortalContact, raw: str):
    return email_enqueue(
        to=[portal_contact.email], template_key=LOGIN_LINK, language=portal_contact.language,
        context={
            "contact_name": str(portal_contact.contact), "tenant_name": tenant.name,
            "url": _site_url("portal:link", tenant_slug=tenant.slug, token=raw),
        },
    )


# --- Client side: helpers ----------------------------------------------------------------------------


def _tell_adv(portal, *, client: Client, adv_owner_id, action: str, detail: str, url: str = "") -> None:
    """The ADV in charge (the deal's, else the client's) learns what the client did."""
    recipient = Membership.objects.filter(pk=adv_owner_id or client.adv_owner_id, is_active=True).first()
    if recipient is None:
        return
    notify(
        recipients=[recipient], event=CLIENT_ACTION, target=client,
        url=url or reverse("clients:detail", kwargs={"tenant_slug": portal.tenant.slug, "pk": client.pk}),
        context={
            "contact_name": str(portal.contact.contact), "client_name": client.display_name, "action": action, "detail": detail,
        },
    )


def _document_type(code: str, fallback: str | None = None) -> DocumentType:
    found = DocumentType.objects.filter(code=code, is_active=True).first()
    if found is None and fallback:
        found = DocumentType.objects.filter(code=fallback, is_active=True).first()
    if found is None:
        raise DomainError(_("Le cabinet n'a pas ce type de document : il doit le rétablir."), code=PortalErrorCode.NOT_AWAITING)
    return found


def awaiting_approvals():
    """Client approvals the portal contact may decide (row-level security narrows to the client)."""
    return ClientApproval.objects.filter(status=ClientApprovalStatus.PENDING, timesheet__status=TimesheetStatus.APPROVED)


# --- Timesheets ------------------------------------------------------------------------------------


def _locked_approvals(ids) -> list[ClientApproval]:
    found = list(
        ClientApproval.objects.select_for_update(of=("self",))
        .select_related("timesheet__consultant__user", "deal__client")
        .filter(pk__in=list(ids))
    )
    if len(found) != len(set(map(str, ids))):
        raise NotFound()
    return found


def _decide(portal, approval: ClientApproval, *, approve: bool, reason: str, content: str) -> PortalSignature:
    now = timezone.now()
    approval.status = ClientApprovalStatus.APPROVED if approve else ClientApprovalStatus.REFUSED
    approval.decided_at = now
    approval.decided_from_ip = portal.ip
    approval.comment = reason
    approval.contact_id = portal.contact.contact_id
    approval.link_used_at = approval.link_used_at or (now if approval.key_hash else None)  # the emailed link is spent too
    signature = PortalSignature.objects.create(
        contact=portal.contact, client=approval.deal.client, kind=SignatureKind.TIMESHEET,
        decision=SignatureDecision.APPROVED if approve else SignatureDecision.REJECTED, reason=reason,
        approval=approval, timesheet=approval.timesheet, timesheet_version=approval.timesheet.version,
        sha256=evidence.digest(content), content=content, ip_address=portal.ip, signed_at=now,
    )
    if approve:
        from timesheets.pdf import pdf_filename

        signature.contact = portal.contact
        data = evidence.signed_timesheet_pdf(approval, signature)
        user = approval.timesheet.consultant.user
        document = documents.file_bytes(
            contact=portal.contact, client=approval.deal.client, deal=approval.deal,
            document_type=_document_type(SIGNED_TIMESHEET_TYPE),
            title=_("CRA signé %(month)s – %(consultant)s – %(deal)s") % {
                "month": approval.timesheet.month.strftime("%m/%Y"), "consultant": user.get_full_name() or user.email,
                "deal": approval.deal.reference,
            },
            data=data, filename=pdf_filename(timesheet=approval.timesheet, deal=approval.deal),
        )
        approval.signed_document = document
        signature.document = document
        signature.save(update_fields=["document", "updated_at"])
    approval.save()
    _tell_consultant(approval)
    auth.log(
        portal.contact, "timesheet_approved" if approve else "timesheet_rejected", ip=portal.ip, client_id=approval.deal.client_id,
        subject_id=approval.pk, sha256=signature.sha256, version=approval.timesheet.version,
    )
    timesheet_billing_changed.send(sender=ClientApproval, timesheet_id=approval.timesheet_id)
    timesheet_client_decided.send(
        sender=ClientApproval, approval_id=str(approval.pk), timesheet_id=str(approval.timesheet_id), approved=approve
    )
    return signature


def _tell_consultant(approval: ClientApproval) -> None:
    """The consultant learns the client's answer, as through the emailed link (same message)."""
    from timesheets.services import timesheet_url

    timesheet = approval.timesheet
    notify(
        recipients=[timesheet.consultant], event="timesheet.client_decided", target=timesheet, url=timesheet_url(timesheet),
        context={
            "consultant_name": str(timesheet.consultant.user), "month": formats.date_format(timesheet.month, "F Y"),
            "deal_reference": approval.deal.reference, "decision": str(approval.get_status_display()),
            "comment": approval.comment or "—",
        },
    )


def _check_awaiting(approval: ClientApproval) -> None:
    if approval.status != ClientApprovalStatus.PENDING:
        raise Conflict(_("Ce CRA est déjà validé ou refusé."), code=PortalErrorCode.ALREADY_DECIDED)
    if approval.timesheet.status != TimesheetStatus.APPROVED:
        raise Conflict(_("Ce CRA a été rouvert par le cabinet : il reviendra une fois corrigé."), code=PortalErrorCode.NOT_AWAITING)


@transaction.atomic
def timesheets_approve(*, portal, items: dict[str, str]) -> list[PortalSignature]:
    """Approve several months at once; `items` maps each approval's id to the SHA-256 the page
    showed. One timesheet changed since: nothing is approved (TimesheetChanged names them)."""
    if not items:
        raise DomainError(_("Cochez au moins un CRA."), code=PortalErrorCode.NOTHING_SELECTED)
    approvals = _locked_approvals(items)
    changed = []
    contents = {}
    for approval in approvals:
        _check_awaiting(approval)
        contents[approval.pk] = evidence.timesheet_content(approval)
        if evidence.digest(contents[approval.pk]) != items[str(approval.pk)]:
            changed.append(str(approval.pk))
    if changed:
        raise TimesheetChanged(changed)
    signatures = [_decide(portal, approval, approve=True, reason="", content=contents[approval.pk]) for approval in approvals]
    by_client: dict = {}
    for approval in approvals:
        by_client.setdefault(approval.deal.client_id, []).append(approval)
    for group in by_client.values():
        names = ", ".join(
            f"{a.timesheet.consultant.user.get_full_name()} {a.timesheet.month:%m/%Y} ({a.deal.reference})" for a in group
        )
        _tell_adv(portal, client=group[0].deal.client, adv_owner_id=group[0].deal.adv_owner_id, action=_("CRA validés"), detail=names)
    return signatures


@transaction.atomic
def timesheet_reject(*, portal, approval_id, sha256: str, reason: str) -> PortalSignature:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif du refus : il sera transmis au cabinet."), code=PortalErrorCode.REASON_REQUIRED, field="reason")
    (approval,) = _locked_approvals([approval_id])
    _check_awaiting(approval)
    content = evidence.timesheet_content(approval)
    if evidence.digest(content) != sha256:
        raise TimesheetChanged([str(approval.pk)])
    signature = _decide(portal, approval, approve=False, reason=reason[:2000], content=content)
    _tell_adv(
        portal, client=approval.deal.client, adv_owner_id=approval.deal.adv_owner_id, action=_("CRA refusé"),
        detail=f"{approval.timesheet.consultant.user.get_full_name()} {approval.timesheet.month:%m/%Y} : {reason}",
    )
    return signature


# --- Milestones (acceptance reports) ---------------------------------------------------------------


def awaiting_milestones():
    return Milestone.objects.filter(status__in=[MilestoneStatus.DUE, MilestoneStatus.BLOCKED], document__isnull=True)


def _locked_milestone(milestone_id) -> Milestone:
    milestone = (
        Milestone.objects.select_for_update(of=("self",)).select_related("deal__client", "required_document_type")
        .filter(pk=milestone_id).first()
    )
    if milestone is None:
        raise NotFound()
    if milestone.document_id is not None or milestone.status not in (MilestoneStatus.DUE, MilestoneStatus.BLOCKED):
        raise Conflict(_("Ce PV n'est pas (ou plus) attendu."), code=PortalErrorCode.MILESTONE_NOT_DUE)
    return milestone


def _attach(portal, milestone: Milestone, document, *, action: str) -> Milestone:
    from deals.services import milestones_refresh

    milestone.document = document
    milestone.save(update_fields=["document", "updated_at"])
    milestones_refresh(deal=milestone.deal, today=timezone.localdate())
    deal_billing_changed.send(sender=Deal, deal_id=milestone.deal_id)
    _tell_adv(portal, client=milestone.deal.client, adv_owner_id=milestone.deal.adv_owner_id, action=action,
              detail=f"{milestone.deal.reference} – {milestone.label}")
    milestone.refresh_from_db()
    return milestone


def _acceptance_type(milestone: Milestone) -> DocumentType:
    return milestone.required_document_type or _document_type(ACCEPTANCE_TYPE)


@transaction.atomic
def milestone_approve(*, portal, milestone_id, sha256: str) -> PortalSignature:
    """Approve the firm's draft acceptance report online: the signed PDF is filed and attached."""
    milestone = _locked_milestone(milestone_id)
    content = evidence.milestone_content(milestone)
    if evidence.digest(content) != sha256:
        raise Conflict(_("Le PV a changé depuis l'affichage de la page : relisez la nouvelle version."), code=PortalErrorCode.DOCUMENT_CHANGED)
    signature = PortalSignature.objects.create(
        contact=portal.contact, client=milestone.deal.client, kind=SignatureKind.ACCEPTANCE, decision=SignatureDecision.APPROVED,
        milestone=milestone, sha256=evidence.digest(content), content=content, ip_address=portal.ip, signed_at=timezone.now(),
    )
    document = documents.file_bytes(
        contact=portal.contact, client=milestone.deal.client, deal=milestone.deal, document_type=_acceptance_type(milestone),
        title=_("PV de recette signé – %(label)s") % {"label": milestone.label},
        data=evidence.acceptance_pdf(milestone, signature), filename=f"PV-{milestone.deal.reference}.pdf",
    )
    signature.document = document
    signature.save(update_fields=["document", "updated_at"])
    auth.log(portal.contact, "acceptance_approved", ip=portal.ip, client_id=milestone.deal.client_id, subject_id=milestone.pk, sha256=signature.sha256)
    _attach(portal, milestone, document, action=_("PV de recette approuvé"))
    return signature


@transaction.atomic
def milestone_upload(*, portal, milestone_id, upload) -> Milestone:
    """The client's own signed acceptance report (file checks of the document library)."""
    milestone = _locked_milestone(milestone_id)
    document = documents.file_upload(
        contact=portal.contact, client=milestone.deal.client, deal=milestone.deal, document_type=_acceptance_type(milestone),
        title=_("PV de recette signé – %(label)s") % {"label": milestone.label}, upload=upload,
    )
    auth.log(portal.contact, "acceptance_uploaded", ip=portal.ip, client_id=milestone.deal.client_id, subject_id=milestone.pk,
             sha256=document.current_version.sha256 if document.current_version_id else "")
    return _attach(portal, milestone, document, action=_("PV de recette signé déposé"))


# --- References --------------------------------------------------------------------------------------


def reception_max_length(client_id) -> int:
    configured = ClientPortal.objects.filter(client_id=client_id).values_list("reception_number_max_length", flat=True).first()
    return configured or RECEPTION_MAX_LENGTH


@transaction.atomic
def reception_number_set(*, portal, line_id, number: str) -> TimesheetLine:
    """The client's reception number of one consultant's month on one deal."""
    line = (
        TimesheetLine.objects.select_for_update(of=("self",)).select_related("assignment__deal__client", "timesheet__consultant__user")
        .filter(pk=line_id, assignment__isnull=False).first()
    )
    if line is None:
        raise NotFound()
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Saisissez le numéro de réception."), code=PortalErrorCode.REFERENCE_REQUIRED, field="number")
    limit = reception_max_length(line.assignment.deal.client_id)
    if len(number) > limit:
        raise DomainError(
            _("Le numéro de réception ne dépasse pas %(max)s caractères (%(length)s saisis).") % {"max": limit, "length": len(number)},
            code=PortalErrorCode.REFERENCE_TOO_LONG, field="number",
        )
    if line.timesheet.locked_at is not None:
        raise Conflict(_("Ce mois est déjà facturé : contactez le cabinet."), code=PortalErrorCode.NOT_AWAITING)
    line.reception_number = number
    line.save(update_fields=["reception_number", "updated_at"])
    timesheet_billing_changed.send(sender=TimesheetLine, timesheet_id=line.timesheet_id)
    auth.log(portal.contact, "reception_number_set", ip=portal.ip, client_id=line.assignment.deal.client_id, subject_id=line.pk, number=number)
    _tell_adv(
        portal, client=line.assignment.deal.client, adv_owner_id=line.assignment.deal.adv_owner_id, action=_("numéro de réception donné"),
        detail=f"{line.timesheet.consultant.user.get_full_name()} {line.timesheet.month:%m/%Y} ({line.assignment.deal.reference}) : {number}",
    )
    return line


def _amount(text) -> Decimal | None:
    text = str(text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise DomainError(_("Montant invalide."), code=PortalErrorCode.INVALID_AMOUNT, field="amount") from None
    if value < 0 or value != value.quantize(Decimal("0.01")) or value >= Decimal("1e12"):
        raise DomainError(_("Montant invalide."), code=PortalErrorCode.INVALID_AMOUNT, field="amount")
    return value


@transaction.atomic
def purchase_order_add(*, portal, deal_id, number: str, amount="", upload=None) -> PurchaseOrder:
    """The client's purchase order for a deal: number, amount, and its file (checked)."""
    deal = Deal.objects.select_related("client").filter(pk=deal_id).first()
    if deal is None:
        raise NotFound()
    number = (number or "").strip()
    if not number:
        raise DomainError(_("Saisissez le numéro de commande."), code=PortalErrorCode.REFERENCE_REQUIRED, field="number")
    if len(number) > PO_NUMBER_MAX_LENGTH:
        raise DomainError(
            _("Le numéro de commande ne dépasse pas %(max)s caractères.") % {"max": PO_NUMBER_MAX_LENGTH},
            code=PortalErrorCode.REFERENCE_TOO_LONG, field="number",
        )
    value = _amount(amount)
    if PurchaseOrder.objects.filter(deal=deal, number=number).exists():
        raise Conflict(_("Ce numéro de commande est déjà enregistré."), code=PortalErrorCode.ALREADY_DECIDED, field="number")
    document = None
    if upload is not None:
        document = documents.file_upload(
            contact=portal.contact, client=deal.client, deal=deal, document_type=_document_type(PURCHASE_ORDER_TYPE),
            title=_("Bon de commande %(number)s") % {"number": number}, upload=upload,
        )
    po = PurchaseOrder.objects.create(deal=deal, number=number, amount=value, document=document)
    deal_billing_changed.send(sender=Deal, deal_id=deal.pk)
    auth.log(portal.contact, "purchase_order_added", ip=portal.ip, client_id=deal.client_id, subject_id=po.pk, number=number)
    _tell_adv(portal, client=deal.client, adv_owner_id=deal.adv_owner_id, action=_("bon de commande donné"), detail=f"{deal.reference} : {number}")
    return po


# --- Invoices ------------------------------------------------------------------------------------------

DISPUTABLE = (InvoiceStatus.ISSUED, InvoiceStatus.SENT, InvoiceStatus.PARTIALLY_PAID)


@transaction.atomic
def invoice_dispute(*, portal, invoice_id, message: str) -> InvoiceDispute:
    """The client flags an invoice as disputed, with a message: the ADV is told and the dunning
    (which listens to billing.signals.invoice_disputed) pauses."""
    message = (message or "").strip()
    invoice = (
        Invoice.objects.select_related("client", "deal").filter(pk=invoice_id).exclude(status=InvoiceStatus.DRAFT).first()
    )
    if invoice is None:
        raise NotFound()
    if not message:
        raise DomainError(_("Expliquez ce qui ne va pas : votre message est transmis au cabinet."), code=PortalErrorCode.MESSAGE_REQUIRED, field="message")
    if invoice.kind != InvoiceKind.INVOICE or invoice.status not in DISPUTABLE:
        raise Conflict(_("Cette facture ne peut pas être contestée."), code=PortalErrorCode.NOT_DISPUTABLE)
    try:
        with transaction.atomic():
            dispute = InvoiceDispute.objects.create(invoice=invoice, client=invoice.client, contact=portal.contact, message=message[:5000])
    except IntegrityError:
        raise Conflict(_("Cette facture est déjà contestée : le cabinet vous répond."), code=PortalErrorCode.ALREADY_DECIDED) from None
    auth.log(portal.contact, "invoice_disputed", ip=portal.ip, client_id=invoice.client_id, subject_id=invoice.pk)
    invoice_disputed.send(sender=Invoice, invoice_id=str(invoice.pk), disputed=True, reason=message, source="portal")
    _tell_adv(
        portal, client=invoice.client, adv_owner_id=invoice.deal.adv_owner_id if invoice.deal_id else None,
        action=_("facture contestée"), detail=f"{invoice.number} : {message}",
        url=reverse("billing:invoice", kwargs={"tenant_slug": portal.tenant.slug, "pk": invoice.pk}),
    )
    return dispute
