"""Demo data of collections: the demo firm's plan (the defaults: +7 courteous, +21 firm, +45 formal
notice), the reminders the beat task would have sent so far on every overdue invoice (each step on
its day, through the service's one path and the reminder ledger, so loading the demo again sends
nothing), and a payment promise on the open invoice that is not overdue yet.

Runs after billing's demo (INSTALLED_APPS order), whose month before last leaves invoices overdue
whatever the day. Idempotent: steps are claimed once in the ledger, a promise is noted once."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from adv.tenancy.models import Membership, Tenant
from billing.models import OPEN_STATUSES, Invoice, InvoiceKind
from notifications.models import ReminderSent

from . import selectors, services
from .models import PaymentPromise, Reminder

ADV_EMAIL = "adv@demo.adv.test"


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 20)))


def seed(tenant: Tenant) -> None:
    adv = Membership.objects.select_related("user").filter(user__email=ADV_EMAIL).first()
    if adv is None:
        return
    today = timezone.localdate()
    plan = services.plan_for_update()
    steps = selectors.plan_steps(plan)
    for invoice in selectors.overdue_invoices(today).select_related("client").order_by("due_date", "number"):
        for step in steps:
            day = invoice.due_date + datetime.timedelta(days=step.days_after_due)
            if day > today:
                break
            ledger_step = f"step:{step.id}"
            try:
                with transaction.atomic():
                    reminder = services._send(
                        invoice=invoice, step=step, ledger_step=ledger_step, actor=None, today=day, plan=plan
                    )
            except services._Skip:
                break  # no PDF or no recipient: the beat task will send it when it can
            if reminder is not None:  # sent on its day, as the beat task would have
                Reminder.objects.filter(pk=reminder.pk).update(sent_at=_at(day))
                ReminderSent.objects.filter(
                    kind=services.LEDGER_KIND, subject=str(invoice.pk), step=ledger_step
                ).update(sent_at=_at(day))
    # A promise on an open invoice not yet due: the client announced its payment.
    promised = (
        Invoice.objects.filter(kind=InvoiceKind.INVOICE, status__in=OPEN_STATUSES, due_date__gte=today)
        .exclude(number=None)
        .order_by("due_date", "number")
        .first()
    )
    if promised is not None and not PaymentPromise.objects.exists() and promised.balance > 0:
        services.promise_record(
            actor=adv, invoice=promised, promised_on=promised.due_date + datetime.timedelta(days=10),
            amount=promised.balance, note="Paiement annoncé par la comptabilité du client (appel du jour).",
        )
