"""Every write on deals, purchase orders, staffing, milestones and subscriptions.

The deal lifecycle (models.TRANSITIONS) is enforced here and only here; a forbidden transition
raises `InvalidTransition` (409 in the API) and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import DomainError, NotFound, PermissionDenied
from adv.tenancy.firm_settings import settings_for_update, settings_read
from adv.tenancy.models import Membership, Role
from adv.ui.numbers import format_money
from clients.models import Client, Contact
from documents import access as document_access
from documents import services as document_services
from documents.models import Document

from . import access, rules
from .errors import DealErrorCode, InvalidTransition, MissingDocuments
from .models import (
    PERIOD_MONTHS,
    TRANSITIONS,
    Assignment,
    BillingTiming,
    Deal,
    DealCounter,
    DealPolicy,
    DealSignatureDocument,
    DealStatus,
    DealType,
    Milestone,
    MilestoneStatus,
    PurchaseOrder,
    Subscription,
)
from .signals import deal_billing_changed, deal_signed

DEAL_FIELDS = {
    "title", "deal_type", "sales_owner", "project_manager", "adv_owner", "currency", "start_date", "end_date",
    "ordered_amount", "consultant_instructions", "pre_invoice_notes", "purchase_order_required",
    "reception_number_required", "signed_timesheet_required",
}
CENT = Decimal("0.01")


def _billing_changed(deal_id) -> None:
    """Announce a change that pre-invoice checks read (billing listens: deals.signals)."""
    deal_billing_changed.send(sender=Deal, deal_id=deal_id)


def _require(actor: Membership, allowed: bool) -> None:
    if actor is None or not actor.is_active or not allowed:
        raise PermissionDenied(_("Vous n'avez pas les droits pour cette action."))


def _clean(instance, exclude: Iterable[str] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        error = DomainError(" ".join(messages), code=DealErrorCode.INVALID, field=None if field == "__all__" else field)
        error.errors = exc.message_dict
        raise error from exc


def _member_of_tenant(m: Membership | None, field: str, roles: Iterable[str] | None = None) -> None:
    if m is None:
        return
    if m.tenant_id != require_tenant_id() or not m.is_active:
        raise DomainError(_("Choisissez un membre actif de la société."), code=DealErrorCode.INVALID_MEMBER, field=field)
    if roles is not None and m.role not in roles:
        raise DomainError(_("Ce membre n'a pas le rôle attendu."), code=DealErrorCode.INVALID_MEMBER_ROLE, field=field)


def _transition(deal: Deal, target: str) -> None:
    if target not in TRANSITIONS[deal.status]:
        raise InvalidTransition(deal.status, target)
    deal.status = target


def policy() -> DealPolicy:
    """The firm's deal rules, read without writing (defaults when never saved)."""
    return settings_read(DealPolicy)


# --- Deals --------------------------------------------------------------------------------------


def _next_reference(today: datetime.date) -> str:
    counter, _created = DealCounter.objects.get_or_create(year=today.year)
    counter = DealCounter.objects.select_for_update(of=("self",)).get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number", "updated_at"])
    return f"{policy().reference_prefix}-{today.year}-{counter.last_number:04d}"


@transaction.atomic
def deal_create(*, actor: Membership, client: Client, **fields) -> Deal:
    _require(actor, access.can_edit_deals(actor))
    unknown = set(fields) - DEAL_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=DealErrorCode.UNKNOWN_FIELDS)
    if client.archived_at is not None:
        raise DomainError(_("Ce client est archivé."), code=DealErrorCode.CLIENT_ARCHIVED, field="client")
    deal = Deal(client=client, **fields)
    if deal.sales_owner_id is None:
        deal.sales_owner = client.owner or actor
    if deal.adv_owner_id is None:
        deal.adv_owner = client.adv_owner
    _validate_deal(deal)
    deal.reference = _next_reference(timezone.localdate())
    deal.save()
    return deal


def _validate_deal(deal: Deal) -> None:
    _clean(deal, exclude=["tenant", "client", "reference", "invoice_recipients"])
    _member_of_tenant(deal.sales_owner, "sales_owner")
    _member_of_tenant(deal.project_manager, "project_manager")
    _member_of_tenant(deal.adv_owner, "adv_owner")
    if deal.deal_type not in DealType.values:
        raise DomainError(_("Type d'affaire inconnu."), code=DealErrorCode.INVALID_TYPE, field="deal_type")


@transaction.atomic
def deal_update(*, actor: Membership, deal: Deal, invoice_recipients: list[Contact] | None = None, **fields) -> Deal:
    _require(actor, access.can_edit_deals(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    if deal.status in (DealStatus.CLOSED, DealStatus.LOST):
        raise DomainError(_("Une affaire clôturée ou perdue ne se modifie plus."), code=DealErrorCode.DEAL_FINISHED)
    unknown = set(fields) - DEAL_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=DealErrorCode.UNKNOWN_FIELDS)
    if "deal_type" in fields and fields["deal_type"] != deal.deal_type and deal.status != DealStatus.DRAFT:
        raise DomainError(_("Le type ne change plus après la validation."), code=DealErrorCode.TYPE_LOCKED, field="deal_type")
    for name, value in fields.items():
        setattr(deal, name, value)
    _validate_deal(deal)
    outside = [a for a in deal.assignments.filter(is_active=True) if not rules.within(a.start_date, a.end_date, deal)]
    if outside:
        raise DomainError(
            _("Des staffings sortiraient des dates de l'affaire : ajustez-les d'abord."), code=DealErrorCode.ASSIGNMENTS_OUTSIDE,
            field="end_date",
        )
    deal.save()
    if invoice_recipients is not None:
        if any(c.client_id != deal.client_id for c in invoice_recipients):
            raise DomainError(_("Les destinataires sont des contacts du client."), code=DealErrorCode.INVALID_RECIPIENT, field="invoice_recipients")
        deal.invoice_recipients.set(invoice_recipients, through_defaults={"tenant_id": deal.tenant_id})
    _billing_changed(deal.pk)
    return deal


@transaction.atomic
def deal_validate_provisionally(*, actor: Membership, deal: Deal) -> Deal:
    """Open the deal for staffing and time entry before the order is signed (situation 2)."""
    _require(actor, access.can_validate_deals(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    _transition(deal, DealStatus.PROVISIONAL)
    deal.provisional_since = timezone.now()
    deal.provisional_by = actor
    deal.save(update_fields=["status", "provisional_since", "provisional_by", "updated_at"])
    _billing_changed(deal.pk)
    return deal


@transaction.atomic
def deal_sign(
    *,
    actor: Membership,
    deal: Deal,
    signed_on: datetime.date,
    signed_by_contact: Contact | None = None,
    override_reason: str = "",
) -> Deal:
    """Record the signature. The deal's required documents must be present, unless an explicit,
    audited override reason is given."""
    _require(actor, access.can_validate_deals(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    if deal.status not in (DealStatus.DRAFT, DealStatus.PROVISIONAL):
        raise InvalidTransition(deal.status, DealStatus.SIGNED)
    if signed_on is None:
        raise DomainError(_("La date de signature est obligatoire."), code=DealErrorCode.REQUIRED, field="signed_on")
    if signed_on > timezone.localdate():
        raise DomainError(_("La date de signature ne peut pas être dans le futur."), code=DealErrorCode.FUTURE_DATE, field="signed_on")
    if signed_by_contact is not None and signed_by_contact.client_id != deal.client_id:
        raise DomainError(_("Le signataire est un contact du client."), code=DealErrorCode.INVALID_CONTACT, field="signed_by_contact")
    missing = rules.missing_for_signature(deal)
    override_reason = (override_reason or "").strip()
    if missing and not override_reason:
        raise MissingDocuments(missing)
    _transition(deal, DealStatus.SIGNED)
    deal.signed_on = signed_on
    deal.signed_by_contact = signed_by_contact
    deal.signature_recorded_by = actor
    deal.signature_override_reason = override_reason if missing else ""
    deal.save()
    # The documents that prove the order, each with the version it has now (audit evidence).
    DealSignatureDocument.objects.bulk_create([
        DealSignatureDocument(tenant_id=deal.tenant_id, deal=deal, document=document, version_id=document.current_version_id)
        for document in rules.signature_proof_documents(deal)
    ])
    _billing_changed(deal.pk)
    deal_signed.send(sender=Deal, deal_id=str(deal.pk), actor_id=str(actor.pk))
    return deal


@transaction.atomic
def deal_activate(*, actor: Membership, deal: Deal) -> Deal:
    _require(actor, access.can_validate_deals(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    _transition(deal, DealStatus.ACTIVE)
    deal.save(update_fields=["status", "updated_at"])
    return deal


@transaction.atomic
def deal_close(*, actor: Membership, deal: Deal) -> Deal:
    _require(actor, access.can_validate_deals(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    _transition(deal, DealStatus.CLOSED)
    deal.closed_at = timezone.now()
    deal.save(update_fields=["status", "closed_at", "updated_at"])
    deal.subscriptions.update(is_active=False)
    return deal


@transaction.atomic
def deal_mark_lost(*, actor: Membership, deal: Deal, reason: str) -> Deal:
    _require(actor, access.can_edit_deals(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de la perte."), code=DealErrorCode.REQUIRED, field="reason")
    _transition(deal, DealStatus.LOST)
    deal.lost_at = timezone.now()
    deal.lost_reason = reason
    deal.save(update_fields=["status", "lost_at", "lost_reason", "updated_at"])
    deal.assignments.update(is_active=False)
    return deal


# --- Purchase orders ------------------------------------------------------------------------


@transaction.atomic
def purchase_order_save(*, actor: Membership, deal: Deal, purchase_order: PurchaseOrder | None = None, **fields) -> PurchaseOrder:
    _require(actor, access.can_edit_deals(actor))
    po = purchase_order or PurchaseOrder(deal=deal)
    for name, value in fields.items():
        setattr(po, name, value)
    po.number = (po.number or "").strip()
    if not po.number:
        raise DomainError(_("Le numéro de commande est obligatoire."), code=DealErrorCode.REQUIRED, field="number")
    if po.document_id and (po.document.client_id != deal.client_id):
        raise NotFound()
    _clean(po, exclude=["tenant", "deal", "document"])
    if PurchaseOrder.objects.filter(deal=deal, number=po.number).exclude(pk=po.pk).exists():
        raise DomainError(_("Ce numéro de commande existe déjà sur l'affaire."), code=DealErrorCode.PO_NUMBER_TAKEN, field="number")
    po.save()
    _billing_changed(deal.pk)
    return po


# --- Staffing -------------------------------------------------------------------------------------


ASSIGNMENT_FIELDS = {"daily_rate", "purchase_daily_rate", "start_date", "end_date", "planned_days", "reception_number_required", "is_active"}


@transaction.atomic
def assignment_create(*, actor: Membership, deal: Deal, consultant: Membership, **fields) -> Assignment:
    _require(actor, access.can_staff(actor))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    if deal.status not in rules.STAFFABLE:
        raise DomainError(
            _("On ne staffe que sur une affaire validée (au moins provisoirement)."), code=DealErrorCode.DEAL_NOT_STAFFABLE
        )
    _member_of_tenant(consultant, "consultant", roles=[Role.CONSULTANT])
    assignment = Assignment(deal=deal, consultant=consultant)
    return _save_assignment(assignment, deal, fields)


@transaction.atomic
def assignment_update(*, actor: Membership, assignment: Assignment, **fields) -> Assignment:
    _require(actor, access.can_staff(actor))
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("deal", "consultant").get(pk=assignment.pk)
    return _save_assignment(assignment, assignment.deal, fields)


def _save_assignment(assignment: Assignment, deal: Deal, fields: dict) -> Assignment:
    unknown = set(fields) - ASSIGNMENT_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=DealErrorCode.UNKNOWN_FIELDS)
    for name, value in fields.items():
        setattr(assignment, name, value)
    if assignment.daily_rate is None or assignment.daily_rate <= 0:
        raise DomainError(_("Le TJM doit être strictement positif."), code=DealErrorCode.RATE_NOT_POSITIVE, field="daily_rate")
    if assignment.purchase_daily_rate is not None and assignment.purchase_daily_rate <= 0:
        raise DomainError(_("Le TJM d'achat doit être strictement positif."), code=DealErrorCode.RATE_NOT_POSITIVE, field="purchase_daily_rate")
    if assignment.purchase_daily_rate is not None and not assignment.consultant.is_contractor:
        raise DomainError(
            _("Le TJM d'achat ne concerne que les consultants externes."), code=DealErrorCode.PURCHASE_RATE_FOR_CONTRACTORS,
            field="purchase_daily_rate",
        )
    if not rules.within(assignment.start_date, assignment.end_date, deal):
        raise DomainError(_("Le staffing doit rester dans les dates de l'affaire."), code=DealErrorCode.OUTSIDE_DEAL_DATES, field="start_date")
    _clean(assignment, exclude=["tenant", "deal", "consultant"])
    assignment.save()
    _billing_changed(deal.pk)  # rate, reception number required...
    return assignment


# --- Milestones -------------------------------------------------------------------------------


@transaction.atomic
def milestone_schedule_replace(*, actor: Membership, deal: Deal, items: list[dict]) -> list[Milestone]:
    """Replace the not-yet-invoiced milestones of a fixed-price deal. The schedule must add up to
    the ordered amount (amounts, or percentages of it that sum to 100)."""
    _require(actor, access.can_manage_milestones(actor, deal))
    deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal.pk)
    if deal.deal_type != DealType.FIXED_PRICE:
        raise DomainError(_("Les échéances concernent les affaires au forfait."), code=DealErrorCode.NOT_FIXED_PRICE)
    if deal.ordered_amount is None:
        raise DomainError(_("Renseignez d'abord le montant commandé."), code=DealErrorCode.ORDERED_AMOUNT_REQUIRED, field="ordered_amount")
    invoiced = list(deal.milestones.filter(status=MilestoneStatus.INVOICED))
    remaining_total = deal.ordered_amount - sum((m.amount for m in invoiced), Decimal("0"))
    new = []
    exact_total = Decimal("0")  # before rounding the amounts computed from percentages
    last_from_percentage = None
    for index, item in enumerate(items):
        item = dict(item)
        percentage = item.pop("percentage", None)
        amount = item.pop("amount", None)
        if amount is None and percentage is None:
            raise DomainError(_("Échéance %(n)s : un montant ou un pourcentage.") % {"n": index + 1}, code=DealErrorCode.AMOUNT_REQUIRED)
        from_percentage = amount is None
        if from_percentage:
            exact = deal.ordered_amount * Decimal(percentage) / 100
            amount = exact.quantize(CENT, rounding=ROUND_HALF_UP)
            exact_total += exact
        else:
            exact_total += Decimal(amount)
        milestone = Milestone(deal=deal, amount=Decimal(amount), percentage=percentage, **item)
        if from_percentage:
            last_from_percentage = milestone
        _member_of_tenant(milestone.project_manager, "project_manager")
        if milestone.due_date is None and not (milestone.due_event or "").strip():
            raise DomainError(
                _("Échéance %(n)s : une date ou un événement déclencheur.") % {"n": index + 1}, code=DealErrorCode.DUE_REQUIRED
            )
        _clean(milestone, exclude=["tenant", "deal", "document", "project_manager", "required_document_type"])
        new.append(milestone)
    total = sum((m.amount for m in new), Decimal("0"))
    if total != remaining_total and exact_total == remaining_total and last_from_percentage is not None:
        # Percentages that make 100 % add up exactly: the last one takes the rounding cents
        # (50 % + 50 % of 10 000,01 € is 5 000,01 € + 5 000,00 €).
        last_from_percentage.amount += remaining_total - total
        total = remaining_total
    if total != remaining_total:
        raise DomainError(
            _("Les échéances totalisent %(total)s au lieu de %(expected)s : l'échéancier doit tomber juste.")
            % {"total": format_money(total, deal.currency), "expected": format_money(remaining_total, deal.currency)},
            code=DealErrorCode.SCHEDULE_DOES_NOT_ADD_UP,
        )
    deal.milestones.exclude(status=MilestoneStatus.INVOICED).delete()
    for milestone in new:
        if milestone.project_manager_id is None:
            milestone.project_manager = deal.project_manager
        milestone.save()
    milestones_refresh(deal=deal, today=timezone.localdate())
    return new


@transaction.atomic
def milestone_attach_document(*, actor: Membership, milestone: Milestone, document: Document) -> Milestone:
    _require(actor, access.can_manage_milestones(actor, milestone.deal))
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("deal").get(pk=milestone.pk)
    if document.client_id != milestone.deal.client_id:
        raise NotFound()
    if milestone.required_document_type_id and document.document_type_id != milestone.required_document_type_id:
        raise DomainError(
            _("Cette échéance attend un document de type « %(type)s ».") % {"type": milestone.required_document_type.name},
            code=DealErrorCode.WRONG_DOCUMENT_TYPE, field="document",
        )
    if milestone.status == MilestoneStatus.INVOICED:
        raise DomainError(_("Cette échéance est déjà facturée."), code=DealErrorCode.MILESTONE_INVOICED)
    milestone.document = document
    milestone.save(update_fields=["document", "updated_at"])
    milestones_refresh(deal=milestone.deal, today=timezone.localdate())
    milestone.refresh_from_db()
    _billing_changed(milestone.deal_id)
    return milestone


@transaction.atomic
def milestone_record_event(*, actor: Membership, milestone: Milestone, occurred_on: datetime.date) -> Milestone:
    _require(actor, access.can_manage_milestones(actor, milestone.deal))
    if occurred_on > timezone.localdate():
        raise DomainError(_("L'événement ne peut pas être dans le futur."), code=DealErrorCode.FUTURE_DATE, field="occurred_on")
    Milestone.objects.filter(pk=milestone.pk).update(event_occurred_on=occurred_on, updated_at=timezone.now())
    milestones_refresh(deal=milestone.deal, today=timezone.localdate())
    milestone.refresh_from_db()
    _billing_changed(milestone.deal_id)
    return milestone


def milestones_refresh(*, today: datetime.date, deal: Deal | None = None) -> int:
    """Move milestones along planned → due → ready / blocked from dates, events and documents.
    Idempotent; returns how many changed. Runs after each milestone write and daily (task)."""
    qs = Milestone.objects.exclude(status=MilestoneStatus.INVOICED).select_related("deal")
    if deal is not None:
        qs = qs.filter(deal=deal)
    changed = 0
    now = timezone.now()
    for milestone in qs.select_for_update(of=("self",)):
        target = rules.milestone_status(milestone, today)
        if target != milestone.status:
            milestone.status = target
            milestone.blocked_since = now if target == MilestoneStatus.BLOCKED else None
            milestone.save(update_fields=["status", "blocked_since", "updated_at"])
            changed += 1
    return changed


# --- Subscriptions ------------------------------------------------------------------------------


SUBSCRIPTION_FIELDS = {"label", "amount", "period", "timing", "start_date", "end_date", "is_active"}


def first_billing_date(start: datetime.date, period: str, timing: str) -> datetime.date:
    """In advance: the first day of the period; in arrears: its last day."""
    if timing == BillingTiming.IN_ADVANCE:
        return start
    return start + relativedelta(months=PERIOD_MONTHS[period]) - datetime.timedelta(days=1)


@transaction.atomic
def subscription_save(*, actor: Membership, deal: Deal, subscription: Subscription | None = None, **fields) -> Subscription:
    _require(actor, access.can_edit_deals(actor))
    if deal.deal_type != DealType.SUBSCRIPTION:
        raise DomainError(_("Les abonnements concernent les affaires de type abonnement."), code=DealErrorCode.NOT_SUBSCRIPTION)
    unknown = set(fields) - SUBSCRIPTION_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=DealErrorCode.UNKNOWN_FIELDS)
    subscription = subscription or Subscription(deal=deal)
    schedule_changed = subscription.pk is None or any(
        k in fields and fields[k] != getattr(subscription, k) for k in ("start_date", "period", "timing")
    )
    for name, value in fields.items():
        setattr(subscription, name, value)
    if subscription.start_date is None:
        raise DomainError(_("La date de début est obligatoire."), code=DealErrorCode.REQUIRED, field="start_date")
    if not rules.within(subscription.start_date, subscription.end_date, deal):
        raise DomainError(_("L'abonnement doit rester dans les dates de l'affaire."), code=DealErrorCode.OUTSIDE_DEAL_DATES, field="start_date")
    if schedule_changed:
        subscription.next_billing_date = first_billing_date(subscription.start_date, subscription.period, subscription.timing)
    _clean(subscription, exclude=["tenant", "deal", "next_billing_date"])
    subscription.save()
    return subscription


# --- Documents of a deal ------------------------------------------------------------------------


@transaction.atomic
def document_attach_to_deal(*, actor: Membership, deal: Deal, document: Document) -> Document:
    """Attach one of the client's documents to the deal it belongs to (signed quote, purchase
    order, acceptance report...): it then counts for the deal's signature and its proof of order."""

    _require(actor, document_access.can_upload_documents(actor) and access.can_view_deals(actor))
    document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
    if document.client_id != deal.client_id or not document_access.can_view_document(actor, document):
        raise NotFound()
    if document.deal_id not in (None, deal.pk):
        raise DomainError(
            _("Ce document est déjà rattaché à une autre affaire."), code=DealErrorCode.DOCUMENT_ON_OTHER_DEAL, field="document"
        )
    document.deal = deal
    document.save(update_fields=["deal", "updated_at"])
    return document


@transaction.atomic
def document_detach_from_deal(*, actor: Membership, deal: Deal, document: Document) -> Document:
    """Undo an attachment made by mistake (the document stays on the client record)."""

    _require(actor, document_access.can_upload_documents(actor) and access.can_view_deals(actor))
    document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
    if document.deal_id != deal.pk or not document_access.can_view_document(actor, document):
        raise NotFound()
    if DealSignatureDocument.objects.filter(deal=deal, document=document).exists():
        raise DomainError(
            _("Ce document prouve la signature de l'affaire : il reste rattaché (preuve pour le commissaire aux comptes)."),
            code=DealErrorCode.DOCUMENT_PROVES_SIGNATURE,
        )
    if deal.milestones.filter(document=document, status=MilestoneStatus.INVOICED).exists():
        raise DomainError(_("Ce document justifie une échéance déjà facturée."), code=DealErrorCode.DOCUMENT_IN_USE)
    document.deal = None
    document.save(update_fields=["deal", "updated_at"])
    return document


@transaction.atomic
def deal_document_upload(*, actor: Membership, deal: Deal, **fields) -> Document:
    """Store a new document on the deal's client (documents.services.document_upload, which checks
    the file) and attach it to the deal, in one transaction."""
    _require(actor, access.can_view_deals(actor))
    # Stored with its deal: a contractual document then tells the deal's people too.
    return document_services.document_upload(actor=actor, client=deal.client, deal=deal, **fields)


@transaction.atomic
def milestone_document_upload(*, actor: Membership, milestone: Milestone, **fields) -> Milestone:
    """Upload the document a milestone requires (the PV de recette...) on the deal and attach it
    to the milestone, in one transaction: a refused type or file leaves nothing behind."""
    _require(actor, access.can_manage_milestones(actor, milestone.deal))
    milestone = Milestone.objects.select_for_update(of=("self",)).select_related("deal", "required_document_type").get(pk=milestone.pk)
    # Checked before the file is stored, so that a refusal leaves no file behind.
    if milestone.status == MilestoneStatus.INVOICED:
        raise DomainError(_("Cette échéance est déjà facturée."), code=DealErrorCode.MILESTONE_INVOICED)
    expected = milestone.required_document_type
    if expected is not None and fields.get("document_type") is not None and fields["document_type"].pk != expected.pk:
        raise DomainError(
            _("Cette échéance attend un document de type « %(type)s ».") % {"type": expected.name},
            code=DealErrorCode.WRONG_DOCUMENT_TYPE, field="document_type",
        )
    document = deal_document_upload(actor=actor, deal=milestone.deal, **fields)
    return milestone_attach_document(actor=actor, milestone=milestone, document=document)


# --- The firm's rules -----------------------------------------------------------------------------

POLICY_FIELDS = {"chase_every_days", "escalate_after_days", "milestone_escalate_after_days", "reference_prefix"}


@transaction.atomic
def policy_update(*, actor: Membership, **fields) -> DealPolicy:
    """Change the firm's chase and escalation delays and its deal reference prefix (admins)."""
    _require(actor, actor is not None and actor.role == Role.ADMIN)
    unknown = set(fields) - POLICY_FIELDS
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=DealErrorCode.UNKNOWN_FIELDS)
    current = settings_for_update(DealPolicy)
    for name, value in fields.items():
        setattr(current, name, value)
    current.reference_prefix = (current.reference_prefix or "").strip().upper()
    if not current.reference_prefix:
        raise DomainError(_("Le préfixe est obligatoire."), code=DealErrorCode.REQUIRED, field="reference_prefix")
    if not current.reference_prefix.replace("-", "").isalnum():
        raise DomainError(
            _("Le préfixe ne contient que des lettres, des chiffres et des tirets."), code=DealErrorCode.INVALID_PREFIX,
            field="reference_prefix",
        )
    _clean(current, exclude=["tenant"])
    current.save()
    return current
