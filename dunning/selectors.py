"""Reads of collections: the plan, the invoices whose reminder is due, an invoice's dunning state,
the overdue list's columns (one query per page) and the API's lists."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject

from adv.tenancy.firm_settings import settings_read
from adv.ui.numbers import format_money
from billing.models import OPEN_STATUSES, Invoice, InvoiceKind

from .models import (
    DEFAULT_STEPS,
    TONE_TEMPLATES,
    ClientDunning,
    DunningContact,
    DunningPause,
    DunningPlan,
    DunningStep,
    PauseKind,
    PaymentPromise,
    PromiseStatus,
    Reminder,
)
from .schedule import PlanStep, due_step, next_step
from .timeline import TimelineEvent, timeline

MONEY = DecimalField(max_digits=16, decimal_places=2)
BALANCE = ExpressionWrapper(F("total_gross") - F("amount_paid") - F("amount_credited"), output_field=MONEY)


def plan() -> DunningPlan:
    """The firm's plan, or an unsaved one with the defaults (reading never writes)."""
    return settings_read(DunningPlan)


def plan_steps(current: DunningPlan | None = None) -> list[PlanStep]:
    """The plan's steps in order; the default steps (without ids) when the firm never saved its plan."""
    current = current or plan()
    if current._state.adding:
        return [PlanStep(None, days, tone, TONE_TEMPLATES[tone]) for days, tone in DEFAULT_STEPS]
    return [
        PlanStep(row["id"], row["days_after_due"], row["tone"], row["template_key"])
        for row in DunningStep.objects.filter(plan=current).values("id", "days_after_due", "tone", "template_key")
    ]


def active_pause_q(today: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}ended_at__isnull": True, f"{prefix}since__lte": today}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today})
    )


def overdue_invoices(today: datetime.date):
    """Issued invoices past their due date with something left to pay."""
    return (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__lt=today)
        .annotate(open_balance=BALANCE)
        .filter(open_balance__gt=0)
    )


def _sent_by_invoice(invoice_ids) -> dict[str, tuple[set, int | None]]:
    sent: dict[str, tuple[set, int | None]] = defaultdict(lambda: (set(), None))
    for row in Reminder.objects.filter(invoice_id__in=invoice_ids, step__isnull=False).values(
        "invoice_id", "step_id", "step_days"
    ):
        ids, last = sent[str(row["invoice_id"])]
        ids.add(str(row["step_id"]))
        sent[str(row["invoice_id"])] = (ids, max(last or 0, row["step_days"]))
    return sent


def due_reminders(today: datetime.date, steps: list[PlanStep]) -> list[tuple[str, PlanStep]]:
    """(invoice id, step) of every automatic reminder due today: overdue, client not opted out, not
    paused, not disputed, no pending promise. Two queries whatever the number of invoices."""
    if not steps:
        return []
    first = min(s.days_after_due for s in steps)
    candidates = list(
        overdue_invoices(today)
        .filter(due_date__lte=today - datetime.timedelta(days=first))
        .exclude(client__dunning__opted_out=True)
        .exclude(Exists(DunningPause.objects.filter(active_pause_q(today), invoice_id=OuterRef("pk"))))
        .exclude(Exists(PaymentPromise.objects.filter(invoice_id=OuterRef("pk"), status=PromiseStatus.PENDING)))
        .order_by("due_date", "number")
        .values("id", "due_date")
    )
    sent = _sent_by_invoice([row["id"] for row in candidates])
    due = []
    for row in candidates:
        ids, last = sent[str(row["id"])]
        step = due_step(steps, due_date=row["due_date"], today=today, sent_step_ids=ids, last_sent_days=last)
        if step is not None:
            due.append((str(row["id"]), step))
    return due


def dunning_recipients(invoice: Invoice) -> tuple[list[str], list[str]]:
    """The client's dunning contacts, else the invoice's own recipients (billing)."""
    from billing.services import recipients_for

    emails = list(
        DunningContact.objects.filter(
            settings__client_id=invoice.client_id, contact__is_active=True
        ).exclude(contact__email="").order_by("created_at").values_list("contact__email", flat=True)
    )
    if emails:
        return list(dict.fromkeys(emails)), []
    return recipients_for(invoice)


def client_settings(client) -> ClientDunning:
    return ClientDunning.objects.filter(client=client).first() or ClientDunning(client=client)


def client_contact_ids(client) -> list[str]:
    return [str(pk) for pk in DunningContact.objects.filter(settings__client=client).values_list("contact_id", flat=True)]


@dataclass
class InvoiceDunning:
    """What the invoice page's "Relances" block shows."""

    reminders: list = field(default_factory=list)
    pauses: list = field(default_factory=list)
    promises: list = field(default_factory=list)
    active_pause: DunningPause | None = None
    open_dispute: DunningPause | None = None
    pending_promise: PaymentPromise | None = None
    timeline: list[TimelineEvent] = field(default_factory=list)
    opted_out: bool = False
    plan_active: bool = True
    next: tuple | None = None
    overdue: bool = False
    days_late: int = 0
    balance: Decimal = Decimal("0")

    @property
    def paused(self) -> bool:
        return bool(self.active_pause or self.open_dispute or self.pending_promise or self.opted_out
                    or not self.plan_active)


def invoice_dunning(invoice: Invoice, today: datetime.date) -> InvoiceDunning:
    current = plan()
    state = InvoiceDunning(plan_active=current.is_active)
    state.reminders = list(
        Reminder.objects.filter(invoice=invoice).select_related("sent_by__user", "email").order_by("-sent_at")
    )
    state.pauses = list(DunningPause.objects.filter(invoice=invoice).select_related("created_by__user", "ended_by__user"))
    state.promises = list(PaymentPromise.objects.filter(invoice=invoice).select_related("noted_by__user"))
    state.open_dispute = next((p for p in state.pauses if p.kind == PauseKind.DISPUTE and p.ended_at is None), None)
    state.active_pause = next((p for p in state.pauses if p.kind == PauseKind.PAUSE and p.is_active(today)), None)
    state.pending_promise = next((p for p in state.promises if p.status == PromiseStatus.PENDING), None)
    state.timeline = timeline(
        reminders=state.reminders, pauses=state.pauses, promises=state.promises,
        money=lambda amount: format_money(amount, invoice.currency),
    )
    state.opted_out = ClientDunning.objects.filter(client_id=invoice.client_id, opted_out=True).exists()
    state.balance = invoice.balance
    state.overdue = invoice.is_overdue(today)
    if invoice.due_date:
        state.days_late = max((today - invoice.due_date).days, 0)
    if state.overdue or (invoice.kind == InvoiceKind.INVOICE and invoice.status in OPEN_STATUSES and invoice.balance > 0):
        automatic = [r for r in state.reminders if r.step_id]
        state.next = next_step(
            plan_steps(current), due_date=invoice.due_date, today=today,
            sent_step_ids=[r.step_id for r in automatic],
            last_sent_days=max((r.step_days for r in automatic), default=None),
        ) if invoice.due_date else None
    return state


def overdue_columns(invoice_ids, today: datetime.date) -> dict[str, dict]:
    """The overdue list's columns (last reminder, next step) for one page of invoices: one query
    (the plan's steps, the sent steps, pauses and promises come as subqueries of it)."""
    if not invoice_ids:
        return {}
    tenant_plan = DunningPlan.objects.filter(tenant_id=OuterRef("tenant_id"))
    rows = (
        Invoice.objects.filter(pk__in=invoice_ids)
        .annotate(
            plan_active=Subquery(tenant_plan.values("is_active")[:1]),
            plan_steps=ArraySubquery(
                DunningStep.objects.filter(plan__tenant_id=OuterRef("tenant_id"))
                .order_by("days_after_due")
                .values(json=JSONObject(id="id", days="days_after_due", tone="tone", key="template_key"))
            ),
            sent=ArraySubquery(
                Reminder.objects.filter(invoice_id=OuterRef("pk")).order_by("-sent_at")
                .values(json=JSONObject(step="step_id", days="step_days", tone="tone", at="sent_at"))
            ),
            paused=Exists(DunningPause.objects.filter(active_pause_q(today), invoice_id=OuterRef("pk"))),
            promised=Exists(PaymentPromise.objects.filter(invoice_id=OuterRef("pk"), status=PromiseStatus.PENDING)),
            opted_out=Exists(ClientDunning.objects.filter(client_id=OuterRef("client_id"), opted_out=True)),
        )
        .values("id", "due_date", "plan_active", "plan_steps", "sent", "paused", "promised", "opted_out")
    )
    defaults = [PlanStep(None, days, tone, TONE_TEMPLATES[tone]) for days, tone in DEFAULT_STEPS]
    columns = {}
    for row in rows:
        steps = [PlanStep(s["id"], s["days"], s["tone"], s["key"]) for s in row["plan_steps"]] if row["plan_active"] is not None else defaults
        automatic = [s for s in row["sent"] if s["step"]]
        last = row["sent"][0] if row["sent"] else None
        upcoming = next_step(
            steps, due_date=row["due_date"], today=today, sent_step_ids=[s["step"] for s in automatic],
            last_sent_days=max((s["days"] for s in automatic), default=None),
        )
        columns[str(row["id"])] = {
            "last_tone": last["tone"] if last else "",
            "last_at": datetime.datetime.fromisoformat(last["at"]) if last else None,
            "next_step": upcoming[0] if upcoming else None,
            "next_date": upcoming[1] if upcoming else None,
            "paused": row["paused"] or row["promised"] or row["opted_out"] or row["plan_active"] is False,
            "reason": "dispute_or_pause" if row["paused"] else "promise" if row["promised"] else
                      "opted_out" if row["opted_out"] else "plan_off" if row["plan_active"] is False else "",
        }
    return columns


def reminders():
    """The API's reminders list, newest first."""
    return Reminder.objects.select_related("invoice", "sent_by").order_by("-sent_at", "id")
