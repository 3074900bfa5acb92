"""Every write on timesheets (CRA), the closing calendar and client approvals.

Workflow: draft → submitted (timestamped) → approved; a rejection (with its reason) sends it
back to draft. ADV may reopen an approved timesheet (with a reason) until it is billed; a billed
timesheet is locked for good. The grid is saved whole, with optimistic locking (`version`).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from adv.months import Month
from adv.tenancy.context import lookup_by_key, require_tenant_id
from adv.tenancy.errors import Conflict, DomainError, NotFound, PermissionDenied
from adv.tenancy.firm_settings import settings_read
from adv.tenancy.models import Membership
from adv.tenancy.roles import ADV_ROLES
from deals.models import STAFFABLE_STATUSES, Assignment
from notifications.services import email_enqueue, notify

from . import calendar as cal
from .defaults import ABSENCE_TYPES
from .errors import TimesheetErrorCode
from .models import (
    AbsenceType,
    ClientApproval,
    ClientApprovalStatus,
    ClosingCalendar,
    Timesheet,
    TimesheetEntry,
    TimesheetLine,
    TimesheetPolicy,
    TimesheetStatus,
    TimeUnit,
    month_start,
)
from .signals import timesheet_approved, timesheet_billing_changed, timesheet_client_decided
from .signed_copy import signed_copy_store
from .tasks import closing_calendar_changes

logger = logging.getLogger(__name__)
HALF = Decimal("0.5")
ONE = Decimal("1")
QUARTER = Decimal("0.25")
CLIENT_LINK_VALIDITY = datetime.timedelta(days=14)


def _billing_changed(timesheet_id) -> None:
    """Announce a change that pre-invoice checks read (billing listens: timesheets.signals)."""
    timesheet_billing_changed.send(sender=Timesheet, timesheet_id=timesheet_id)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def policy() -> TimesheetPolicy:
    """The firm's timesheet rules, read without writing (defaults when never saved)."""
    return settings_read(TimesheetPolicy)


def absence_types_seed_defaults() -> None:
    for code, name in ABSENCE_TYPES:
        AbsenceType.objects.get_or_create(code=code, defaults={"name": name})


def _is_adv(m: Membership) -> bool:
    return m.role in ADV_ROLES


def may_edit(actor: Membership, timesheet: Timesheet) -> bool:
    """The consultant; ADV on their behalf (or an integration token with that role)."""
    return actor.pk == timesheet.consultant_id or _is_adv(actor)


def may_approve(actor: Membership, timesheet: Timesheet) -> bool:
    if actor.pk == timesheet.consultant_id:
        return False  # never one's own
    return timesheet.consultant.reports_to_id == actor.pk or _is_adv(actor)


def _locked(timesheet_id) -> Timesheet:
    return Timesheet.objects.select_for_update(of=("self",)).select_related("consultant").get(pk=timesheet_id)


# --- Opening a month ----------------------------------------------------------------------------


def assignments_active_in(consultant: Membership, month: datetime.date) -> list[Assignment]:
    first = month_start(month)
    last = cal.next_month(first) - datetime.timedelta(days=1)
    return list(
        Assignment.objects.filter(consultant=consultant, is_active=True, deal__status__in=STAFFABLE_STATUSES, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("deal__client")
        .order_by("start_date", "id")
    )


@transaction.atomic
def timesheet_open(*, actor: Membership, consultant: Membership, month: datetime.date) -> Timesheet:
    """The consultant's timesheet for the month, created if needed, with a line per assignment
    active that month and per absence type (new assignments are added while it is a draft)."""
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise DomainError(_("On ne saisit pas un CRA d'un mois futur."), code=TimesheetErrorCode.FUTURE_MONTH, field="month")
    if consultant.tenant_id != actor.tenant_id:
        raise NotFound()
    if actor.pk != consultant.pk and not _is_adv(actor) and consultant.reports_to_id != actor.pk:
        raise PermissionDenied(_("Vous ne pouvez ouvrir que vos propres CRA."))
    timesheet, _created = Timesheet.objects.get_or_create(consultant=consultant, month=month)
    if timesheet.is_editable:
        existing = set(timesheet.lines.filter(assignment__isnull=False).values_list("assignment_id", flat=True))
        for assignment in assignments_active_in(consultant, month):
            if assignment.pk not in existing:
                TimesheetLine.objects.create(timesheet=timesheet, assignment=assignment)
        present = set(timesheet.lines.filter(absence_type__isnull=False).values_list("absence_type_id", flat=True))
        for absence in AbsenceType.objects.filter(is_active=True).exclude(pk__in=present):
            TimesheetLine.objects.create(timesheet=timesheet, absence_type=absence)
    return timesheet


# --- Saving the grid ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    line_id: object
    day: datetime.date
    quantity: Decimal
    is_extra: bool = False


def _check_quantity(quantity: Decimal, rules: TimesheetPolicy) -> None:
    if rules.unit == TimeUnit.DAYS:
        if quantity not in (HALF, ONE):
            raise DomainError(_("Une case vaut 0, 0,5 ou 1 jour."), code=TimesheetErrorCode.INVALID_QUANTITY)
    else:
        if quantity <= 0 or quantity > rules.hours_per_day or (quantity / QUARTER) % 1:
            raise DomainError(
                _("Une case vaut entre 0,25 et %(max)s heures, par quarts d'heure.") % {"max": rules.hours_per_day},
                code=TimesheetErrorCode.INVALID_QUANTITY,
            )


@transaction.atomic
def timesheet_save(
    *,
    actor: Membership,
    timesheet: Timesheet,
    version: int,
    cells: Iterable[Cell],
    comments: dict | None = None,
    reception_numbers: dict | None = None,
) -> Timesheet:
    """Replace the grid with `cells` (zero cells are simply absent). `version` must be the one the
    form was built from: two tabs saving the same timesheet get a clear conflict, not a silent loss."""
    timesheet = _locked(timesheet.pk)
    if not may_edit(actor, timesheet):
        raise PermissionDenied(_("Ce CRA n'est pas le vôtre."))
    if timesheet.is_locked:
        raise Conflict(_("Ce CRA est facturé : il ne se modifie plus."), code=TimesheetErrorCode.TIMESHEET_LOCKED)
    if timesheet.status != TimesheetStatus.DRAFT:
        raise Conflict(_("Ce CRA est soumis : il ne se modifie plus (demandez un refus ou une réouverture)."), code=TimesheetErrorCode.NOT_DRAFT)
    if version != timesheet.version:
        raise Conflict(
            _("Ce CRA a été modifié entre-temps (dans un autre onglet ?). Rechargez la page : vos saisies n'ont pas été enregistrées."),
            code=TimesheetErrorCode.STALE_VERSION,
        )
    rules = policy()
    lines = {line.pk: line for line in timesheet.lines.select_related("assignment", "absence_type")}
    first = timesheet.month
    end = cal.next_month(first)
    days = {d.date: d for d in cal.month_days(first, rules.holiday_country)}
    per_day: dict[datetime.date, Decimal] = defaultdict(Decimal)
    entries = []
    seen = set()
    for cell in cells:
        quantity = Decimal(cell.quantity)
        if quantity == 0:
            continue
        line = lines.get(_line_key(cell.line_id))
        if line is None:
            raise DomainError(_("Ligne inconnue dans ce CRA."), code=TimesheetErrorCode.UNKNOWN_LINE)
        if not (first <= cell.day < end):
            raise DomainError(_("Le %(day)s n'est pas dans le mois du CRA.") % {"day": cell.day.strftime("%d/%m/%Y")}, code=TimesheetErrorCode.DAY_OUTSIDE_MONTH)
        if (line.pk, cell.day, cell.is_extra) in seen:
            raise DomainError(_("Deux saisies pour la même case."), code=TimesheetErrorCode.DUPLICATE_CELL)
        seen.add((line.pk, cell.day, cell.is_extra))
        _check_quantity(quantity, rules)
        if line.assignment_id:
            a = line.assignment
            if cell.day < a.start_date or (a.end_date and cell.day > a.end_date):
                raise DomainError(
                    _("Le %(day)s est hors de la période du staffing sur %(deal)s.")
                    % {"day": cell.day.strftime("%d/%m/%Y"), "deal": a.deal.reference},
                    code=TimesheetErrorCode.OUTSIDE_ASSIGNMENT,
                )
        elif not days[cell.day].is_working_day:
            raise DomainError(
                _("Pas d'absence un jour non ouvré (%(day)s).") % {"day": cell.day.strftime("%d/%m/%Y")}, code=TimesheetErrorCode.ABSENCE_ON_NON_WORKING_DAY
            )
        if cell.is_extra:
            if not rules.allow_extra_time:
                raise DomainError(_("Le temps supplémentaire n'est pas autorisé dans votre société."), code=TimesheetErrorCode.EXTRA_NOT_ALLOWED)
            if not line.assignment_id:
                raise DomainError(_("Le temps supplémentaire se saisit sur une mission."), code=TimesheetErrorCode.EXTRA_ON_ABSENCE)
        else:
            per_day[cell.day] += quantity
        entries.append(TimesheetEntry(line=line, day=cell.day, quantity=quantity, is_extra=cell.is_extra))
    day_max = ONE if rules.unit == TimeUnit.DAYS else rules.hours_per_day
    over = sorted(day for day, total in per_day.items() if total > day_max)
    if over:
        raise DomainError(
            _("Plus d'une journée saisie le %(days)s.") % {"days": ", ".join(d.strftime("%d/%m") for d in over)},
            code=TimesheetErrorCode.MORE_THAN_A_DAY,
        )
    TimesheetEntry.objects.filter(line__timesheet=timesheet).delete()
    for entry in entries:
        entry.tenant_id = timesheet.tenant_id
    TimesheetEntry.objects.bulk_create(entries)
    for line_id, text in (comments or {}).items():
        line = lines.get(_line_key(line_id))
        if line is not None and line.comment != (text or "")[:500]:
            line.comment = (text or "")[:500]
            line.save(update_fields=["comment", "updated_at"])
    for line_id, number in (reception_numbers or {}).items():
        line = lines.get(_line_key(line_id))
        if line is not None and line.assignment_id:
            line.reception_number = (number or "").strip()[:100]
            line.save(update_fields=["reception_number", "updated_at"])
    timesheet.version += 1
    timesheet.save(update_fields=["version", "updated_at"])
    return timesheet


def _line_key(value) -> uuid.UUID | None:
    """Line ids arrive as UUIDs (Python callers) or text (forms, API)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@transaction.atomic
def timesheet_set_reception_number(*, actor: Membership, line: TimesheetLine, number: str) -> TimesheetLine:
    """The client's reception number for this consultant and month: the consultant or ADV,
    at any time before billing (it is often known only after approval)."""
    timesheet = _locked(line.timesheet_id)
    if not may_edit(actor, timesheet):
        raise PermissionDenied(_("Ce CRA n'est pas le vôtre."))
    if timesheet.is_locked:
        raise Conflict(_("Ce CRA est facturé : il ne se modifie plus."), code=TimesheetErrorCode.TIMESHEET_LOCKED)
    if line.assignment_id is None:
        raise DomainError(_("Le numéro de réception concerne une mission."), code=TimesheetErrorCode.NOT_AN_ASSIGNMENT)
    line.reception_number = (number or "").strip()[:100]
    line.save(update_fields=["reception_number", "updated_at"])
    _billing_changed(timesheet.pk)
    return line


# --- Workflow -------------------------------------------------------------------------------------


@transaction.atomic
def timesheet_submit(*, actor: Membership, timesheet: Timesheet, now: datetime.datetime | None = None) -> Timesheet:
    timesheet = _locked(timesheet.pk)
    if not may_edit(actor, timesheet):
        raise PermissionDenied(_("Ce CRA n'est pas le vôtre."))
    if timesheet.status != TimesheetStatus.DRAFT:
        raise Conflict(_("Ce CRA est déjà soumis."), code=TimesheetErrorCode.ALREADY_SUBMITTED)
    if timesheet.month > month_start(timezone.localdate()):
        raise DomainError(_("On ne soumet pas un CRA d'un mois futur."), code=TimesheetErrorCode.FUTURE_MONTH)
    now = now or timezone.now()
    timesheet.status = TimesheetStatus.SUBMITTED
    timesheet.submitted_at = now
    if timesheet.first_submitted_at is None:
        timesheet.first_submitted_at = now
    timesheet.save(update_fields=["status", "submitted_at", "first_submitted_at", "updated_at"])
    return timesheet


@transaction.atomic
def timesheet_approve(*, actor: Membership, timesheet: Timesheet) -> Timesheet:
    timesheet = _locked(timesheet.pk)
    if not may_approve(actor, timesheet):
        raise PermissionDenied(
            _("Seul le manager du consultant (ou l'ADV) valide ce CRA, et jamais le sien.")
        )
    if timesheet.status != TimesheetStatus.SUBMITTED:
        raise Conflict(_("Seul un CRA soumis se valide."), code=TimesheetErrorCode.NOT_SUBMITTED)
    timesheet.status = TimesheetStatus.APPROVED
    timesheet.approved_at = timezone.now()
    timesheet.approved_by = actor
    timesheet.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    _open_client_approvals(timesheet)
    timesheet_approved.send(sender=Timesheet, timesheet_id=str(timesheet.pk), actor_id=str(actor.pk))
    return timesheet


def timesheet_approve_many(*, actor: Membership, timesheets: Iterable[Timesheet]) -> tuple[list[Timesheet], list[tuple[Timesheet, str]]]:
    """Bulk approval from the manager's queue: each one on its own; failures are reported."""
    approved, failed = [], []
    for timesheet in sorted(timesheets, key=lambda t: str(t.pk)):
        try:
            approved.append(timesheet_approve(actor=actor, timesheet=timesheet))
        except (PermissionDenied, Conflict) as exc:
            failed.append((timesheet, exc.message))
    return approved, failed


@transaction.atomic
def timesheet_reject(*, actor: Membership, timesheet: Timesheet, reason: str) -> Timesheet:
    timesheet = _locked(timesheet.pk)
    if not may_approve(actor, timesheet):
        raise PermissionDenied(_("Seul le manager du consultant (ou l'ADV) refuse ce CRA, et jamais le sien."))
    if timesheet.status != TimesheetStatus.SUBMITTED:
        raise Conflict(_("Seul un CRA soumis se refuse."), code=TimesheetErrorCode.NOT_SUBMITTED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif du refus : le consultant le verra."), code=TimesheetErrorCode.REASON_REQUIRED, field="reason")
    timesheet.status = TimesheetStatus.DRAFT
    timesheet.submitted_at = None
    timesheet.rejected_at = timezone.now()
    timesheet.rejection_reason = reason
    timesheet.version += 1
    timesheet.save(update_fields=["status", "submitted_at", "rejected_at", "rejection_reason", "version", "updated_at"])
    _notify_consultant(timesheet, event="timesheet.rejected", actor=actor, reason=reason)
    return timesheet


@transaction.atomic
def timesheet_reopen(*, actor: Membership, timesheet: Timesheet, reason: str) -> Timesheet:
    """ADV reopens an approved timesheet (audited with its reason) until it is billed."""
    if not _is_adv(actor):
        raise PermissionDenied(_("Seule l'ADV rouvre un CRA validé."))
    timesheet = _locked(timesheet.pk)
    if timesheet.is_locked:
        raise Conflict(_("Ce CRA est facturé : il ne se rouvre plus (passez par un avoir)."), code=TimesheetErrorCode.TIMESHEET_LOCKED)
    if timesheet.status != TimesheetStatus.APPROVED:
        raise Conflict(_("Seul un CRA validé se rouvre."), code=TimesheetErrorCode.NOT_APPROVED)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de la réouverture."), code=TimesheetErrorCode.REASON_REQUIRED, field="reason")
    timesheet.status = TimesheetStatus.DRAFT
    timesheet.submitted_at = None
    timesheet.approved_at = None
    timesheet.approved_by = None
    timesheet.rejection_reason = reason
    timesheet.version += 1
    timesheet.save(update_fields=["status", "submitted_at", "approved_at", "approved_by", "rejection_reason", "version", "updated_at"])
    timesheet.client_approvals.filter(status=ClientApprovalStatus.PENDING).delete()
    _notify_consultant(timesheet, event="timesheet.reopened", actor=actor, reason=reason)
    return timesheet


def timesheet_url(timesheet: Timesheet) -> str:
    """The month page of this timesheet (the consultant's own, or as seen by ADV / the manager)."""
    return reverse(
        "timesheets:member_month",
        kwargs={
            "tenant_slug": timesheet.tenant.slug, "membership_pk": timesheet.consultant_id,
            "year": timesheet.month.year, "month": timesheet.month.month,
        },
    )


def _month_label(month: datetime.date, language: str | None = None) -> str:
    return Month.of(month).label(language)


def _notify_consultant(timesheet: Timesheet, *, event: str, actor: Membership | None, reason: str) -> None:
    notify(
        recipients=[timesheet.consultant], event=event, actor=actor, target=timesheet, url=timesheet_url(timesheet),
        context={"month": _month_label(timesheet.month), "reason": reason},
    )


@transaction.atomic
def timesheet_lock(*, timesheet: Timesheet) -> Timesheet:
    """Called by billing when the timesheet is invoiced."""
    timesheet = _locked(timesheet.pk)
    if timesheet.status != TimesheetStatus.APPROVED:
        raise Conflict(_("Seul un CRA validé se facture."), code=TimesheetErrorCode.NOT_APPROVED)
    if timesheet.locked_at is None:
        timesheet.locked_at = timezone.now()
        timesheet.save(update_fields=["locked_at", "updated_at"])
    return timesheet


# --- Client approval --------------------------------------------------------------------------


def _deals_needing_client_approval(timesheet: Timesheet):
    worked = (
        TimesheetLine.objects.filter(timesheet=timesheet, assignment__isnull=False, entries__isnull=False)
        .select_related("assignment__deal__client__billing_profile")
        .distinct()
    )
    return {line.assignment.deal for line in worked if line.assignment.deal.requires("signed_timesheet_required")}


def _open_client_approvals(timesheet: Timesheet) -> None:
    for deal in _deals_needing_client_approval(timesheet):
        ClientApproval.objects.get_or_create(timesheet=timesheet, deal=deal)


@transaction.atomic
def client_approval_send_link(*, actor: Membership, approval: ClientApproval, contact=None) -> tuple[ClientApproval, str]:
    """A single-use, expiring link for the client's signatory to approve the month online."""
    if not _is_adv(actor) and actor.pk != approval.timesheet.consultant_id:
        raise PermissionDenied(_("Réservé à l'ADV et au consultant."))
    approval = ClientApproval.objects.select_for_update(of=("self",)).get(pk=approval.pk)
    if approval.status != ClientApprovalStatus.PENDING:
        raise Conflict(_("Ce mois est déjà validé ou refusé par le client."), code=TimesheetErrorCode.ALREADY_DECIDED)
    contact = contact or approval.deal.client.contacts.filter(signs_timesheets=True, is_active=True).exclude(email="").first()
    if contact is None or contact.client_id != approval.deal.client_id or not contact.email:
        raise DomainError(
            _("Aucun signataire des CRA avec une adresse e-mail chez ce client : ajoutez-en un sur la fiche client."),
            code=TimesheetErrorCode.NO_SIGNATORY, field="contact",
        )
    raw = secrets.token_urlsafe(32)
    approval.contact = contact
    approval.key_hash = _hash(raw)
    approval.link_expires_at = timezone.now() + CLIENT_LINK_VALIDITY
    approval.link_used_at = None
    approval.save()
    return approval, raw


def client_approval_find(raw: str) -> ClientApproval | None:
    key_hash = _hash(raw)
    with lookup_by_key(key_hash):
        return ClientApproval.cross_tenant_objects.filter(key_hash=key_hash).first()


@transaction.atomic
def client_approval_decide(*, approval_id, raw_token: str, approve: bool, comment: str, ip: str | None) -> ClientApproval:
    """The client's decision through the link (inside the approval's tenant context)."""
    approval = ClientApproval.objects.select_for_update(of=("self",)).get(pk=approval_id)
    if approval.key_hash != _hash(raw_token):
        raise NotFound()
    if approval.link_used_at is not None:
        raise Conflict(_("Ce lien a déjà été utilisé."), code=TimesheetErrorCode.LINK_USED)
    if approval.link_expires_at is None or approval.link_expires_at <= timezone.now():
        raise Conflict(_("Ce lien a expiré : demandez-en un nouveau à votre contact."), code=TimesheetErrorCode.LINK_EXPIRED)
    if approval.status != ClientApprovalStatus.PENDING:  # e.g. the signed copy was uploaded meanwhile
        raise Conflict(_("Ce mois est déjà validé ou refusé par le client."), code=TimesheetErrorCode.ALREADY_DECIDED)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError(_("Indiquez ce qui ne va pas : votre commentaire sera transmis."), code=TimesheetErrorCode.COMMENT_REQUIRED, field="comment")
    now = timezone.now()
    approval.status = ClientApprovalStatus.APPROVED if approve else ClientApprovalStatus.REFUSED
    approval.link_used_at = now
    approval.decided_at = now
    approval.decided_from_ip = ip
    approval.comment = comment
    approval.save()
    _notify_client_decision(approval)
    _billing_changed(approval.timesheet_id)
    timesheet_client_decided.send(
        sender=ClientApproval, approval_id=str(approval.pk), timesheet_id=str(approval.timesheet_id), approved=approve
    )
    return approval


def _notify_client_decision(approval: ClientApproval) -> None:
    """The consultant and the deal's ADV learn the client's answer (a refusal needs action)."""
    approval = ClientApproval.objects.select_related("timesheet__consultant__user", "timesheet__tenant", "deal__adv_owner").get(pk=approval.pk)
    timesheet = approval.timesheet
    recipients = [timesheet.consultant] + ([approval.deal.adv_owner] if approval.deal.adv_owner_id else [])
    notify(
        recipients=recipients,
        event="timesheet.client_decided",
        target=timesheet,
        url=timesheet_url(timesheet),
        context={
            "consultant_name": str(timesheet.consultant.user),
            "month": _month_label(timesheet.month),
            "deal_reference": approval.deal.reference,
            "decision": str(approval.get_status_display()),
            "comment": approval.comment or "—",
        },
    )


@transaction.atomic
def client_approval_attach_signed(*, actor: Membership, approval: ClientApproval, document) -> ClientApproval:
    """The client signed the PDF: its scan, stored as a client document, approves the month."""
    if not _is_adv(actor) and actor.pk != approval.timesheet.consultant_id:
        raise PermissionDenied(_("Réservé à l'ADV et au consultant."))
    approval = ClientApproval.objects.select_for_update(of=("self",)).get(pk=approval.pk)
    if document.client_id != approval.deal.client_id:
        raise NotFound()
    approval.signed_document = document
    approval.status = ClientApprovalStatus.APPROVED
    approval.decided_at = timezone.now()
    approval.save()
    _billing_changed(approval.timesheet_id)
    return approval


CLIENT_APPROVAL_EMAIL = "timesheet.client_approval_request"


def _deal_days(approval: ClientApproval) -> Decimal:
    total = TimesheetEntry.objects.filter(
        line__timesheet_id=approval.timesheet_id, line__assignment__deal_id=approval.deal_id, is_extra=False
    ).aggregate(total=Sum("quantity"))["total"]
    return total or Decimal("0")


def _quantity_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@transaction.atomic
def client_approval_request(*, actor: Membership, approval: ClientApproval, contact=None):
    """Email the client's signatory a single-use link (valid CLIENT_LINK_VALIDITY) to approve or
    refuse the consultant's month on this deal, in the client's invoice language. A new request
    replaces the previous link. Returns (approval, outbox email)."""
    approval, raw = client_approval_send_link(actor=actor, approval=approval, contact=contact)
    approval = ClientApproval.objects.select_related(
        "timesheet__consultant__user", "deal__client__billing_profile", "contact"
    ).get(pk=approval.pk)
    timesheet, deal = approval.timesheet, approval.deal
    profile = getattr(deal.client, "billing_profile", None)
    language = getattr(profile, "invoice_language", None) or actor.tenant.language
    rules = policy()
    with translation.override(language):
        unit = _("jour(s)") if rules.unit == TimeUnit.DAYS else _("heure(s)")
        expires_on = formats.date_format(timezone.localtime(approval.link_expires_at), "DATE_FORMAT")
    email = email_enqueue(
        to=[approval.contact.email],
        template_key=CLIENT_APPROVAL_EMAIL,
        language=language,
        context={
            "contact_name": str(approval.contact),
            "consultant_name": timesheet.consultant.user.get_full_name() or str(timesheet.consultant.user),
            "month": _month_label(timesheet.month, language),
            "deal_reference": deal.reference,
            "deal_title": deal.title,
            "client_name": deal.client.display_name,
            "total": f"{_quantity_text(_deal_days(approval))} {unit}",
            "url": settings.SITE_URL + reverse("client_approval", kwargs={"token": raw}),
            "expires_on": expires_on,
            "sender_name": actor.user.get_full_name() or str(actor.user),
        },
    )
    return approval, email


@transaction.atomic
def client_approval_upload_signed(*, actor: Membership, approval: ClientApproval, upload) -> ClientApproval:
    """The timesheet signed by the client (a scan of the PDF), handed in by the consultant of the
    month or by ADV: stored on the client record as a "feuille de temps signée" attached to the
    deal, with the same file checks as every document (timesheets.signed_copy), then it approves
    the month for that deal."""
    if not _is_adv(actor) and actor.pk != approval.timesheet.consultant_id:
        raise PermissionDenied(_("Réservé à l'ADV et au consultant."))
    approval = ClientApproval.objects.select_related("timesheet__consultant__user", "deal__client").get(pk=approval.pk)
    document = signed_copy_store(uploaded_by=actor, timesheet=approval.timesheet, deal=approval.deal, upload=upload)
    return client_approval_attach_signed(actor=actor, approval=approval, document=document)


# --- Closing calendar -------------------------------------------------------------------------


@transaction.atomic
def closing_calendar_ensure(*, month: datetime.date) -> ClosingCalendar:
    """The month's calendar, proposed by the firm's rule the first time it is needed."""
    month = month_start(month)
    existing = ClosingCalendar.objects.filter(month=month).first()
    if existing is not None:
        return existing
    calendar_row, _created = ClosingCalendar.objects.get_or_create(month=month, defaults=cal.propose_deadlines(month, policy()))
    return calendar_row


@transaction.atomic
def closing_calendar_update(*, actor: Membership, calendar_row: ClosingCalendar, **deadlines) -> ClosingCalendar:
    if not _is_adv(actor):
        raise PermissionDenied(_("Réservé à l'ADV."))
    allowed = {"submission_deadline", "approval_deadline", "client_approval_deadline", "billing_close_deadline"}
    unknown = set(deadlines) - allowed
    if unknown:
        raise DomainError(_("Champs inconnus : %s") % ", ".join(sorted(unknown)), code=TimesheetErrorCode.UNKNOWN_FIELDS)
    calendar_row = ClosingCalendar.objects.select_for_update(of=("self",)).get(pk=calendar_row.pk)
    for name, value in deadlines.items():
        setattr(calendar_row, name, value)
    order = [
        calendar_row.submission_deadline,
        calendar_row.approval_deadline,
        calendar_row.client_approval_deadline,
        calendar_row.billing_close_deadline,
    ]
    if order != sorted(order):
        raise DomainError(
            _("Les échéances se suivent : soumission, validation manager, validation client, puis clôture."),
            code=TimesheetErrorCode.DEADLINES_OUT_OF_ORDER,
        )
    calendar_row.save()
    if calendar_row.announced_at is not None:
        _announce_changes_on_commit()
    return calendar_row


def _announce_changes_on_commit() -> None:
    """People already told the calendar hear of the change now, not at the next hourly run. The
    hourly run re-announces it anyway if the broker is down (the row says what was announced)."""
    tenant_id = str(require_tenant_id())

    def dispatch() -> None:
        try:
            closing_calendar_changes.apply_async(args=[tenant_id], retry=False)
        except Exception:  # the hourly run picks the change up
            logger.warning("Could not dispatch the closing calendar change", exc_info=True)

    transaction.on_commit(dispatch)
