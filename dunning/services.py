"""Every write of collections, one function per business action.

Sending a reminder has one path (`_send`), used by the beat task and by "Relancer maintenant":
the step is claimed in the reminder ledger (`notifications.ledger.claim`, kind `dunning.reminder`,
subject the invoice, step `step:<id>` or `repeat:<id>:<day>`) in the transaction that writes the
outbox email and the `Reminder` row, so a step goes out once whatever runs twice. The ledger's
recipient is the firm member the plan's reminders are kept by (the plan's `signatory`, else the
firm's first admin): the client's contacts are not members.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import Conflict, DomainError, NotFound
from adv.tenancy.firm_settings import settings_for_update
from adv.tenancy.models import Membership, Role, Tenant
from adv.ui.numbers import format_decimal, format_money
from billing import signals as billing_signals
from billing.models import OPEN_STATUSES, Invoice, InvoiceKind, RenderStatus
from clients.models import Client, Contact
from notifications import defaults, ledger
from notifications.services import email_enqueue

from . import access, penalties, selectors
from .errors import DunningErrorCode
from .models import (
    DEFAULT_STEPS,
    TONE_TEMPLATES,
    ClientDunning,
    DunningContact,
    DunningPause,
    DunningPlan,
    DunningStep,
    PauseKind,
    PauseSource,
    PaymentPromise,
    PromiseStatus,
    Reminder,
    Tone,
)
from .schedule import PlanStep, next_step

logger = logging.getLogger(__name__)
LEDGER_KIND = "dunning.reminder"
MANUAL_KIND = "dunning.manual"
MAX_STEP_DAYS = 365


# --- The plan ----------------------------------------------------------------------------------


def _seed_steps(plan: DunningPlan) -> None:
    DunningStep.objects.bulk_create(
        [DunningStep(tenant_id=plan.tenant_id, plan=plan, days_after_due=days, tone=tone, template_key=TONE_TEMPLATES[tone]) for days, tone in DEFAULT_STEPS]
    )


@transaction.atomic
def plan_for_update() -> DunningPlan:
    """The firm's plan, locked; created with the default steps the first time."""
    tenant_id = require_tenant_id()
    created = not DunningPlan.objects.filter(tenant_id=tenant_id).exists()
    plan = settings_for_update(DunningPlan)
    if created:
        _seed_steps(plan)
    return plan


def _membership_or_error(value, field: str) -> Membership | None:
    if value in (None, ""):
        return None
    member = value if isinstance(value, Membership) else Membership.objects.filter(pk=value).first()
    if member is None or member.tenant_id != require_tenant_id() or not member.is_active or member.role not in access.ACT_ROLES:
        raise DomainError(_("Choisissez un membre actif de l'ADV ou un administrateur."), code=DunningErrorCode.INVALID_STEP, field=field)
    return member


def _rate(value) -> Decimal:
    try:
        rate = Decimal(str(value).replace(",", ".").replace("%", "").strip())
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not rate.is_finite() or rate < 0 or rate > 100:
        raise DomainError(_("Le taux est un pourcentage entre 0 et 100."), code=DunningErrorCode.INVALID_AMOUNT, field="penalty_rate")
    return rate.quantize(Decimal("0.01"))


@transaction.atomic
def plan_update(*, actor: Membership, is_active: bool, penalty_rate, signatory=None) -> DunningPlan:
    access.require_act(actor)
    plan = plan_for_update()
    plan.is_active = bool(is_active)
    plan.penalty_rate = _rate(penalty_rate)
    plan.signatory = _membership_or_error(signatory, "signatory")
    plan.save(update_fields=["is_active", "penalty_rate", "signatory", "updated_at"])
    return plan


def _step_fields(days_after_due, tone: str, template_key: str) -> tuple[int, str, str]:
    try:
        days = int(str(days_after_due).strip())
    except (TypeError, ValueError):
        raise DomainError(_("Indiquez un nombre de jours."), code=DunningErrorCode.INVALID_STEP, field="days_after_due") from None
    if days <= 0:
        raise DomainError(
            _("Une relance part après l'échéance : indiquez au moins 1 jour après la date d'échéance "
              "(une étape le jour de l'échéance ou avant n'est pas une relance)."),
            code=DunningErrorCode.STEP_BEFORE_DUE_DATE,
            field="days_after_due",
        )
    if days > MAX_STEP_DAYS:
        raise DomainError(_("Au plus 365 jours après l'échéance."), code=DunningErrorCode.INVALID_STEP, field="days_after_due")
    if tone not in Tone.values:
        raise DomainError(_("Ton inconnu."), code=DunningErrorCode.INVALID_STEP, field="tone")
    template_key = template_key or TONE_TEMPLATES[tone]
    if not template_key.startswith("dunning."):
        raise DomainError(_("Choisissez un message de relance."), code=DunningErrorCode.INVALID_TEMPLATE, field="template_key")
    try:
        defaults.get(template_key)
    except Exception:  # noqa: BLE001 - UnknownTemplate
        raise DomainError(_("Message inconnu."), code=DunningErrorCode.INVALID_TEMPLATE, field="template_key") from None
    return days, tone, template_key


def _refuse_duplicate(plan: DunningPlan, days: int, exclude=None) -> None:
    others = DunningStep.objects.filter(plan=plan, days_after_due=days)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise DomainError(
            _("Le plan a déjà une étape à %(days)s jours.") % {"days": days}, code=DunningErrorCode.STEP_DUPLICATE,
            field="days_after_due",
        )


@transaction.atomic
def step_add(*, actor: Membership, days_after_due, tone: str, template_key: str = "") -> DunningStep:
    access.require_act(actor)
    plan = plan_for_update()
    days, tone, template_key = _step_fields(days_after_due, tone, template_key)
    _refuse_duplicate(plan, days)
    return DunningStep.objects.create(plan=plan, days_after_due=days, tone=tone, template_key=template_key)


@transaction.atomic
def step_update(*, actor: Membership, step: DunningStep, days_after_due, tone: str, template_key: str = "") -> DunningStep:
    """A step keeps its identity when its day changes: a reminder already sent for it is not sent again."""
    access.require_act(actor)
    plan = plan_for_update()
    step = DunningStep.objects.filter(pk=step.pk, plan=plan).first()
    if step is None:
        raise NotFound(_("Étape introuvable."))
    days, tone, template_key = _step_fields(days_after_due, tone, template_key)
    _refuse_duplicate(plan, days, exclude=step)
    step.days_after_due, step.tone, step.template_key = days, tone, template_key
    step.save(update_fields=["days_after_due", "tone", "template_key", "updated_at"])
    return step


@transaction.atomic
def step_delete(*, actor: Membership, step: DunningStep) -> None:
    access.require_act(actor)
    plan = plan_for_update()
    deleted, _rows = DunningStep.objects.filter(pk=step.pk, plan=plan).delete()
    if not deleted:
        raise NotFound(_("Étape introuvable."))


# --- A client's settings -------------------------------------------------------------------------


@transaction.atomic
def client_settings_update(
    *, actor: Membership, client: Client, opted_out: bool, opt_out_reason: str = "", contact_ids=()
) -> ClientDunning:
    """Opt the client out of automatic reminders (or back in) and choose who receives them, among
    the client's contacts with an email address."""
    access.require_act(actor)
    settings, _created = ClientDunning.objects.select_for_update().get_or_create(client=client)
    settings.opted_out = bool(opted_out)
    settings.opt_out_reason = (opt_out_reason or "").strip()[:300] if opted_out else ""
    settings.save(update_fields=["opted_out", "opt_out_reason", "updated_at"])
    wanted = {str(pk) for pk in contact_ids or ()}
    contacts = list(Contact.objects.filter(client=client, pk__in=wanted, is_active=True).exclude(email=""))
    if len(contacts) != len(wanted):
        raise DomainError(
            _("Choisissez des contacts actifs du client, avec une adresse e-mail."),
            code=DunningErrorCode.NO_RECIPIENT, field="contacts",
        )
    DunningContact.objects.filter(settings=settings).exclude(contact_id__in=[c.pk for c in contacts]).delete()
    have = set(DunningContact.objects.filter(settings=settings).values_list("contact_id", flat=True))
    DunningContact.objects.bulk_create([DunningContact(tenant_id=settings.tenant_id, settings=settings, contact=c) for c in contacts if c.pk not in have])
    return settings


# --- Sending -------------------------------------------------------------------------------------


def _ledger_holder(plan: DunningPlan) -> Membership:
    """The member the ledger's rows of the firm's reminders are keyed on (see the module's docstring)."""
    if plan.signatory_id and plan.signatory.is_active:
        return plan.signatory
    holder = Membership.objects.filter(role=Role.ADMIN, is_active=True).order_by("created_at", "id").first()
    if holder is None:
        raise Conflict(_("Aucun administrateur actif au nom de qui relancer."), code=DunningErrorCode.NO_RECIPIENT)
    return holder


def _language(invoice: Invoice) -> str:
    profile = getattr(invoice.client, "billing_profile", None) if invoice.client_id else None
    try:
        return (profile.invoice_language if profile else "") or invoice.language or "fr"
    except Exception:  # noqa: BLE001 - no billing profile row
        return invoice.language or "fr"


def _context(invoice: Invoice, claim: penalties.Claim, language: str) -> dict[str, str]:
    def money(value):
        return format_money(value, invoice.currency, language_code=language)

    tenant = Tenant.objects.get(pk=require_tenant_id())
    rate = format_decimal(claim.rate, None, language_code=language, trim=True)
    return {
        "client_name": invoice.buyer.get("name", "") or str(invoice.client),
        "number": invoice.number,
        "issue_date": invoice.issue_date.strftime("%d/%m/%Y"),
        "due_date": invoice.due_date.strftime("%d/%m/%Y"),
        "total": money(invoice.total_gross),
        "balance": money(claim.balance),
        "days_late": str(claim.days_late),
        "penalty_rate": f"{rate}\u00a0%" if language == "fr" else f"{rate}%",
        "penalties": money(claim.penalties),
        "indemnity": money(claim.indemnity),
        "total_claimed": money(claim.total),
        "iban": tenant.iban or "",
    }


class _Skip(Exception):
    """An automatic reminder that cannot go today (no recipient, PDF not ready): retried next run."""


def _send(
    *, invoice: Invoice, step: PlanStep, ledger_step: str, actor: Membership | None, today: datetime.date,
    plan: DunningPlan,
) -> Reminder | None:
    """The one path of a reminder: checks, ledger claim, outbox email with the PDF, `Reminder` row.
    Returns None when the step was claimed already (sent before, or by a concurrent run)."""
    automatic = actor is None
    if invoice.render_status != RenderStatus.DONE or not invoice.pdf_file:
        if automatic:
            raise _Skip("pdf not ready")
        raise Conflict(_("Le PDF de la facture n'est pas prêt : réessayez dans un instant."), code=DunningErrorCode.PDF_NOT_READY)
    to, cc = selectors.dunning_recipients(invoice)
    if not to:
        if automatic:
            raise _Skip("no recipient")
        raise DomainError(
            _("Aucun destinataire des relances chez ce client : choisissez-en un sur sa fiche."),
            code=DunningErrorCode.NO_RECIPIENT,
        )
    now = timezone.now()
    if not ledger.claim(
        kind=LEDGER_KIND, subject=str(invoice.pk), step=ledger_step, recipient=_ledger_holder(plan), sent_by=actor,
        template_key=step.template_key, now=now,
    ):
        return None
    claim = penalties.claim(balance=invoice.balance, due_date=invoice.due_date, today=today, rate=plan.penalty_rate)
    language = _language(invoice)
    email = email_enqueue(
        to=to,
        cc=cc,
        template_key=step.template_key,
        language=language,
        idempotency_key=f"dunning:{invoice.pk}:{ledger_step}",
        attachments=[{
            "name": f"{invoice.number.replace('/', '-')}.pdf", "path": invoice.pdf_file.name,
            "content_type": "application/pdf",
        }],
        context=_context(invoice, claim, language),
    )
    formal = step.tone == Tone.FORMAL_NOTICE
    return Reminder.objects.create(
        invoice=invoice,
        step_id=step.id,
        tone=step.tone,
        step_days=step.days_after_due,
        days_late=claim.days_late,
        sent_at=now,
        to=email.to,
        cc=email.cc,
        sent_by=actor,
        is_automatic=automatic,
        email=email,
        ledger_step=ledger_step,
        balance=claim.balance,
        penalties=claim.penalties if formal else Decimal("0"),
        indemnity=claim.indemnity if formal else Decimal("0"),
    )


def _locked_overdue(invoice_id, today: datetime.date) -> Invoice | None:
    invoice = (
        Invoice.objects.select_for_update(of=("self",)).select_related("client").filter(pk=invoice_id).first()
    )
    if invoice is None or not invoice.is_overdue(today):
        return None
    return invoice


def _open_dispute(invoice) -> DunningPause | None:
    return DunningPause.objects.filter(invoice=invoice, kind=PauseKind.DISPUTE, ended_at__isnull=True).first()


@transaction.atomic
def reminder_send_now(*, actor: Membership, invoice: Invoice, today: datetime.date | None = None) -> Reminder:
    """"Relancer maintenant": the next step of the plan goes now (the automatic run will not send it
    again); once every step is sent, the last one is sent again. At most one manual reminder per invoice and day."""
    access.require_act(actor)
    today = today or timezone.localdate()
    locked = _locked_overdue(invoice.pk, today)
    if locked is None:
        raise Conflict(_("Cette facture n'est pas en retard de paiement."), code=DunningErrorCode.NOT_OVERDUE)
    if _open_dispute(locked) is not None:
        raise Conflict(
            _("La facture est en litige : réglez le litige avant de relancer."), code=DunningErrorCode.DISPUTED
        )
    plan = plan_for_update()
    steps = selectors.plan_steps(plan)
    if not steps:
        raise Conflict(_("Le plan de relance n'a aucune étape."), code=DunningErrorCode.NO_STEP)
    sent = list(Reminder.objects.filter(invoice=locked, step__isnull=False).values_list("step_id", "step_days"))
    upcoming = next_step(
        steps, due_date=locked.due_date, today=today, sent_step_ids=[s for s, _d in sent],
        last_sent_days=max((d for _s, d in sent), default=None),
    )
    # One manual reminder per invoice and day: a double click never sends two steps.
    if not ledger.claim(kind=MANUAL_KIND, subject=str(locked.pk), step=today.isoformat(), recipient=_ledger_holder(plan), sent_by=actor):
        raise Conflict(_("Cette facture a déjà été relancée aujourd'hui."), code=DunningErrorCode.ALREADY_REMINDED)
    if upcoming is not None:
        step, ledger_step = upcoming[0], f"step:{upcoming[0].id}"
    else:
        step = steps[-1]
        ledger_step = f"repeat:{step.id}:{today.isoformat()}"
    reminder = _send(invoice=locked, step=step, ledger_step=ledger_step, actor=actor, today=today, plan=plan)
    if reminder is None:
        raise Conflict(_("Cette relance est déjà partie aujourd'hui."), code=DunningErrorCode.ALREADY_REMINDED)
    return reminder


def reminders_send_due(today: datetime.date | None = None) -> int:
    """The beat task's work for one firm: check the promises whose date has passed, then send every
    automatic reminder due today, each invoice in its own transaction (one failure skips one invoice)."""
    today = today or timezone.localdate()
    promises_check(today=today)
    current = selectors.plan()
    if not current._state.adding and not current.is_active:
        return 0
    if current._state.adding:
        if not selectors.overdue_invoices(today).exists():
            return 0
        plan_for_update()
    sent = 0
    steps = selectors.plan_steps()
    for invoice_id, step in selectors.due_reminders(today, steps):
        try:
            with transaction.atomic():
                plan = selectors.plan()
                invoice = _locked_overdue(invoice_id, today)
                if invoice is None or _open_dispute(invoice) is not None:
                    continue
                if _send(invoice=invoice, step=step, ledger_step=f"step:{step.id}", actor=None, today=today, plan=plan):
                    sent += 1
        except _Skip as skip:
            logger.info("Dunning reminder of invoice %s not sent today: %s", invoice_id, skip)
        except Exception:  # logged; the next invoice is sent, this one is tried again next run
            logger.exception("Dunning reminder of invoice %s failed", invoice_id)
    return sent


# --- Pauses and disputes -----------------------------------------------------------------------------


def _invoice_for_dunning(invoice_id) -> Invoice:
    invoice = Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice_id).first()
    if invoice is None or invoice.kind != InvoiceKind.INVOICE or not invoice.is_issued:
        raise NotFound(_("Facture introuvable."))
    return invoice


@transaction.atomic
def pause_create(
    *, actor: Membership, invoice: Invoice, reason: str = "", until: datetime.date | None = None,
    dispute: bool = False, today: datetime.date | None = None,
) -> DunningPause:
    """Stop the invoice's reminders: a pause (until a date, or until resumed) or a dispute."""
    access.require_act(actor)
    today = today or timezone.localdate()
    invoice = _invoice_for_dunning(invoice.pk)
    if until is not None and until < today:
        raise DomainError(_("La date de fin est passée."), code=DunningErrorCode.INVALID_DATE, field="until")
    reason = (reason or "").strip()[:500]
    if dispute:
        if not reason:
            raise DomainError(_("Indiquez le motif du litige."), code=DunningErrorCode.INVALID_STEP, field="reason")
        pause = _dispute_open(invoice, reason=reason, source=PauseSource.STAFF, actor=actor, today=today)
        # Announced to the floors that follow disputes (e-invoicing, portal); our own receiver finds it open.
        billing_signals.invoice_disputed.send(
            sender=Invoice, invoice_id=str(invoice.pk), disputed=True, reason=reason, source=PauseSource.STAFF
        )
        return pause
    return DunningPause.objects.create(
        invoice=invoice, kind=PauseKind.PAUSE, reason=reason, source=PauseSource.STAFF, since=today, until=until,
        created_by=actor,
    )


@transaction.atomic
def pause_end(*, actor: Membership | None, invoice: Invoice, today: datetime.date | None = None) -> int:
    """Resume the reminders: ends the invoice's open pauses and dispute. Returns how many ended."""
    if actor is not None:
        access.require_act(actor)
    invoice = _invoice_for_dunning(invoice.pk)
    open_pauses = DunningPause.objects.filter(invoice=invoice, ended_at__isnull=True)
    disputed = open_pauses.filter(kind=PauseKind.DISPUTE).exists()
    ended = open_pauses.update(ended_at=timezone.now(), ended_by=actor, updated_at=timezone.now())
    if not ended:
        raise Conflict(_("Les relances de cette facture ne sont pas en pause."), code=DunningErrorCode.NOT_PAUSED)
    if disputed:
        billing_signals.invoice_disputed.send(
            sender=Invoice, invoice_id=str(invoice.pk), disputed=False, reason="", source=PauseSource.STAFF
        )
    return ended


def _dispute_open(invoice: Invoice, *, reason: str, source: str, actor: Membership | None, today: datetime.date) -> DunningPause:
    existing = _open_dispute(invoice)
    if existing is not None:
        return existing
    return DunningPause.objects.create(
        invoice=invoice, kind=PauseKind.DISPUTE, reason=reason, source=source, since=today, created_by=actor
    )


def dispute_record(*, invoice_id, disputed: bool, reason: str = "", source: str = PauseSource.STAFF) -> None:
    """`billing.signals.invoice_disputed` (portal, platform "en litige", staff): an open dispute
    pauses the reminders, its closing resumes them. Runs in the sender's transaction."""
    source = source if source in PauseSource.values else PauseSource.STAFF
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return
    if disputed:
        _dispute_open(invoice, reason=(reason or "")[:500], source=source, actor=None, today=timezone.localdate())
    else:
        DunningPause.objects.filter(invoice=invoice, kind=PauseKind.DISPUTE, ended_at__isnull=True).update(
            ended_at=timezone.now(), updated_at=timezone.now()
        )


# --- Payment promises --------------------------------------------------------------------------------


@transaction.atomic
def promise_record(
    *, actor: Membership, invoice: Invoice, promised_on, amount, note: str = "", today: datetime.date | None = None
) -> PaymentPromise:
    """The client promised to pay `amount` by `promised_on`: reminders wait until it is checked."""
    access.require_act(actor)
    today = today or timezone.localdate()
    invoice = _invoice_for_dunning(invoice.pk)
    if invoice.status not in OPEN_STATUSES or invoice.balance <= 0:
        raise Conflict(_("Cette facture est soldée."), code=DunningErrorCode.NOT_OVERDUE)
    if not isinstance(promised_on, datetime.date):
        raise DomainError(_("Indiquez la date promise."), code=DunningErrorCode.INVALID_DATE, field="promised_on")
    if promised_on < today:
        raise DomainError(_("La date promise est passée."), code=DunningErrorCode.INVALID_DATE, field="promised_on")
    if promised_on > today + datetime.timedelta(days=MAX_STEP_DAYS):
        raise DomainError(_("Au plus un an à partir d'aujourd'hui."), code=DunningErrorCode.INVALID_DATE, field="promised_on")
    try:
        value = Decimal(str(amount).replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise DomainError(_("Le montant doit être positif."), code=DunningErrorCode.INVALID_AMOUNT, field="amount")
    value = value.quantize(Decimal("0.01"))
    if value > invoice.balance:
        raise DomainError(
            _("Le montant promis dépasse le reste dû (%(balance)s).") % {"balance": format_money(invoice.balance, invoice.currency)},
            code=DunningErrorCode.INVALID_AMOUNT, field="amount",
        )
    if PaymentPromise.objects.filter(invoice=invoice, status=PromiseStatus.PENDING).exists():
        raise Conflict(_("Une promesse est déjà en attente sur cette facture."), code=DunningErrorCode.PROMISE_PENDING)
    return PaymentPromise.objects.create(
        invoice=invoice, promised_on=promised_on, amount=value, note=(note or "").strip()[:500],
        balance_at_promise=invoice.balance, noted_by=actor,
    )


def _promise_kept(promise: PaymentPromise, invoice: Invoice) -> bool:
    return invoice.balance <= 0 or invoice.balance <= promise.balance_at_promise - promise.amount


def promise_check_invoice(*, invoice_id) -> None:
    """A payment arrived: a pending promise it fulfils is kept (checked now, not at its date)."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return
    for promise in PaymentPromise.objects.filter(invoice=invoice, status=PromiseStatus.PENDING):
        if _promise_kept(promise, invoice):
            promise.status, promise.checked_at = PromiseStatus.KEPT, timezone.now()
            promise.save(update_fields=["status", "checked_at", "updated_at"])


@transaction.atomic
def promises_check(*, today: datetime.date | None = None) -> tuple[int, int]:
    """The day after its date, a pending promise is kept (the balance fell by the amount promised)
    or broken: the reminders resume (the next run sends the step due). Returns (kept, broken)."""
    today = today or timezone.localdate()
    kept = broken = 0
    for promise in PaymentPromise.objects.select_for_update(of=("self",)).select_related("invoice").filter(
        status=PromiseStatus.PENDING, promised_on__lt=today
    ):
        promise.status = PromiseStatus.KEPT if _promise_kept(promise, promise.invoice) else PromiseStatus.BROKEN
        promise.checked_at = timezone.now()
        promise.save(update_fields=["status", "checked_at", "updated_at"])
        kept, broken = (kept + 1, broken) if promise.status == PromiseStatus.KEPT else (kept, broken + 1)
    return kept, broken

