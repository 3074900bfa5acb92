"""The plan's steps with a frozen clock: +7 courteous, +21 firm, +45 formal notice with the
penalties and the 40 € indemnity; each step once (reminder ledger); paused by payments, disputes,
promises and opt-out; "Relancer maintenant" on the same path."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from billing import services as billing_services
from billing import signals
from billing.models import Invoice
from clients.models import BillingProfile, Contact
from dunning import services, tasks
from dunning.models import DunningPause, DunningStep, PaymentPromise, Reminder
from notifications.models import OutboxEmail, ReminderSent

from .conftest import DUE, at, late

pytestmark = pytest.mark.django_db


def run(overdue, time_machine, day: datetime.date) -> int:
    time_machine.move_to(at(day), tick=False)
    with tenant_context(overdue.firm.tenant):
        return services.reminders_send_due()


def sent(overdue) -> list[tuple[str, int]]:
    with tenant_context(overdue.firm.tenant):
        return [(r.tone, r.step_days) for r in Reminder.objects.filter(invoice=overdue.invoice).order_by("sent_at")]


def test_each_step_goes_on_its_day_once(overdue, time_machine):
    assert run(overdue, time_machine, DUE) == 0
    assert run(overdue, time_machine, late(6)) == 0
    assert run(overdue, time_machine, late(7)) == 1
    assert run(overdue, time_machine, late(7)) == 0  # run again the same day: nothing
    assert run(overdue, time_machine, late(8)) == 0
    assert run(overdue, time_machine, late(20)) == 0
    assert run(overdue, time_machine, late(21)) == 1
    assert run(overdue, time_machine, late(44)) == 0
    assert run(overdue, time_machine, late(45)) == 1
    assert run(overdue, time_machine, late(90)) == 0  # the plan is over
    assert sent(overdue) == [("courteous", 7), ("firm", 21), ("formal_notice", 45)]
    with tenant_context(overdue.firm.tenant):
        # every step is one row of the reminder ledger
        assert ReminderSent.objects.filter(kind="dunning.reminder", subject=str(overdue.invoice.pk)).count() == 3
        first = Reminder.objects.filter(invoice=overdue.invoice).order_by("sent_at").first()
        assert first.is_automatic and first.sent_by is None
        assert first.to == ["factures@helios.example"]
        email = OutboxEmail.objects.get(pk=first.email_id)
        assert email.to == ["factures@helios.example"]
        assert email.attachments[0]["path"] == overdue.invoice.pdf_file.name
        assert email.attachments[0]["content_type"] == "application/pdf"
        assert overdue.invoice.number in email.subject and "rappel" in email.subject


def test_the_formal_notice_claims_penalties_and_the_indemnity(overdue, time_machine):
    run(overdue, time_machine, late(45))
    balance = overdue.invoice.total_gross
    expected = (balance * Decimal("12.15") / 100 * 45 / 365).quantize(Decimal("0.01"))
    with tenant_context(overdue.firm.tenant):
        notice = Reminder.objects.get(invoice=overdue.invoice)
        email = OutboxEmail.objects.get(pk=notice.email_id)
    assert (notice.tone, notice.days_late, notice.penalties, notice.indemnity) == (
        "formal_notice", 45, expected, Decimal("40.00")
    )
    assert "mise en demeure" in email.subject
    money = f"{expected:,.2f}".replace(",", "\u202f").replace(".", ",")
    assert "40,00" in email.body and expected.to_integral_value() > 0
    assert money.split(",")[1] in email.body  # the cents of the penalties are in the text
    assert "12,15" in email.body


def test_an_invoice_found_late_gets_the_latest_step_alone(overdue, time_machine):
    assert run(overdue, time_machine, late(50)) == 1
    assert sent(overdue) == [("formal_notice", 45)]


def test_a_payment_to_zero_stops_the_reminders_and_its_cancellation_resumes_them(overdue, time_machine):
    time_machine.move_to(at(late(5)), tick=False)
    with tenant_context(overdue.firm.tenant):
        payment = billing_services.payment_record(
            actor=overdue.firm.adv.membership, invoice=overdue.invoice, amount=overdue.invoice.total_gross,
            paid_on=late(5),
        )
    assert run(overdue, time_machine, late(7)) == 0
    with tenant_context(overdue.firm.tenant):
        billing_services.payment_cancel(actor=overdue.firm.adv.membership, payment=payment)
    assert run(overdue, time_machine, late(8)) == 1


def test_a_partial_payment_reminds_of_the_rest(overdue, time_machine):
    time_machine.move_to(at(late(3)), tick=False)
    with tenant_context(overdue.firm.tenant):
        billing_services.payment_record(
            actor=overdue.firm.adv.membership, invoice=overdue.invoice, amount=Decimal("1000"), paid_on=late(3)
        )
    run(overdue, time_machine, late(7))
    with tenant_context(overdue.firm.tenant):
        assert Reminder.objects.get(invoice=overdue.invoice).balance == overdue.invoice.total_gross - 1000


def test_a_dispute_pauses_until_it_is_closed(overdue, time_machine):
    time_machine.move_to(at(late(2)), tick=False)
    with tenant_context(overdue.firm.tenant):
        signals.invoice_disputed.send(
            sender=Invoice, invoice_id=str(overdue.invoice.pk), disputed=True, reason="Jours contestés", source="portal"
        )
        pause = DunningPause.objects.get(invoice=overdue.invoice)
        assert (pause.kind, pause.source, pause.reason) == ("dispute", "portal", "Jours contestés")
    assert run(overdue, time_machine, late(7)) == 0
    with tenant_context(overdue.firm.tenant):
        with pytest.raises(DomainError) as refused:
            services.reminder_send_now(actor=overdue.firm.adv.membership, invoice=overdue.invoice)
        assert refused.value.code == "disputed"
        signals.invoice_disputed.send(
            sender=Invoice, invoice_id=str(overdue.invoice.pk), disputed=False, reason="", source="portal"
        )
    assert run(overdue, time_machine, late(10)) == 1  # the step missed while disputed goes now


def test_a_pause_until_a_date(overdue, time_machine):
    time_machine.move_to(at(late(1)), tick=False)
    with tenant_context(overdue.firm.tenant):
        services.pause_create(actor=overdue.firm.adv.membership, invoice=overdue.invoice, reason="Client en congés",
                              until=late(12))
    assert run(overdue, time_machine, late(12)) == 0
    assert run(overdue, time_machine, late(13)) == 1


def test_a_promise_pauses_and_a_broken_one_resumes(overdue, time_machine):
    time_machine.move_to(at(late(5)), tick=False)
    with tenant_context(overdue.firm.tenant):
        promise = services.promise_record(
            actor=overdue.firm.adv.membership, invoice=overdue.invoice, promised_on=late(15), amount="5000"
        )
    assert run(overdue, time_machine, late(7)) == 0
    assert run(overdue, time_machine, late(15)) == 0  # the promised day itself: still waiting
    assert run(overdue, time_machine, late(16)) == 1  # nothing paid: broken, the reminders resume
    with tenant_context(overdue.firm.tenant):
        assert PaymentPromise.objects.get(pk=promise.pk).status == "broken"


def test_a_promise_kept_by_a_payment(overdue, time_machine):
    time_machine.move_to(at(late(5)), tick=False)
    with tenant_context(overdue.firm.tenant):
        promise = services.promise_record(
            actor=overdue.firm.adv.membership, invoice=overdue.invoice, promised_on=late(15), amount="5000"
        )
        billing_services.payment_record(
            actor=overdue.firm.adv.membership, invoice=overdue.invoice, amount="4000", paid_on=late(5)
        )
        assert PaymentPromise.objects.get(pk=promise.pk).status == "pending"  # not the whole amount yet
        billing_services.payment_record(
            actor=overdue.firm.adv.membership, invoice=overdue.invoice, amount="1000", paid_on=late(5)
        )
        assert PaymentPromise.objects.get(pk=promise.pk).status == "kept"
    # kept, but the rest is still due: reminders go on
    assert run(overdue, time_machine, late(7)) == 1


def test_an_opted_out_client_is_not_reminded_automatically(overdue, time_machine):
    time_machine.move_to(at(late(1)), tick=False)
    with tenant_context(overdue.firm.tenant):
        services.client_settings_update(
            actor=overdue.firm.adv.membership, client=overdue.firm.helios, opted_out=True, opt_out_reason="Grand compte"
        )
    assert run(overdue, time_machine, late(7)) == 0
    with tenant_context(overdue.firm.tenant):  # a person still may
        assert services.reminder_send_now(actor=overdue.firm.adv.membership, invoice=overdue.invoice).tone == "courteous"


def test_dunning_contacts_replace_the_invoice_recipients(overdue, time_machine):
    with tenant_context(overdue.firm.tenant):
        compta = Contact.objects.create(client=overdue.firm.helios, last_name="Compta", email="relances@helios.example")
        services.client_settings_update(
            actor=overdue.firm.adv.membership, client=overdue.firm.helios, opted_out=False, contact_ids=[compta.pk]
        )
    run(overdue, time_machine, late(7))
    with tenant_context(overdue.firm.tenant):
        assert Reminder.objects.get(invoice=overdue.invoice).to == ["relances@helios.example"]


def test_the_clients_language(overdue, time_machine):
    with tenant_context(overdue.firm.tenant):
        BillingProfile.objects.filter(client=overdue.firm.helios).update(invoice_language="en")
    run(overdue, time_machine, late(7))
    with tenant_context(overdue.firm.tenant):
        email = OutboxEmail.objects.get(pk=Reminder.objects.get(invoice=overdue.invoice).email_id)
    assert email.language == "en" and "reminder" in email.subject


def test_remind_now_sends_the_next_step_once_a_day(overdue, time_machine):
    time_machine.move_to(at(late(3)), tick=False)
    adv = overdue.firm.adv.membership
    with tenant_context(overdue.firm.tenant):
        first = services.reminder_send_now(actor=adv, invoice=overdue.invoice)
        assert (first.tone, first.is_automatic, first.sent_by_id) == ("courteous", False, adv.pk)
        with pytest.raises(DomainError) as twice:
            services.reminder_send_now(actor=adv, invoice=overdue.invoice)
        assert twice.value.code == "already_reminded"
    assert run(overdue, time_machine, late(7)) == 0  # the courteous step went already
    assert run(overdue, time_machine, late(21)) == 1
    assert sent(overdue) == [("courteous", 7), ("firm", 21)]


def test_remind_now_is_refused_to_the_accountant_and_before_the_due_date(overdue, time_machine):
    time_machine.move_to(at(DUE), tick=False)
    with tenant_context(overdue.firm.tenant):
        with pytest.raises(DomainError) as early:
            services.reminder_send_now(actor=overdue.firm.adv.membership, invoice=overdue.invoice)
        assert early.value.code == "not_overdue"
        with pytest.raises(DomainError) as forbidden:
            services.reminder_send_now(actor=overdue.firm.accountant.membership, invoice=overdue.invoice)
        assert forbidden.value.status == 403


def test_a_step_at_or_before_the_due_date_is_refused(overdue):
    with tenant_context(overdue.firm.tenant):
        services.plan_for_update()  # the default plan
        for days in (0, -3):
            with pytest.raises(DomainError) as refused:
                services.step_add(actor=overdue.firm.adv.membership, days_after_due=days, tone="courteous")
            assert refused.value.code == "step_before_due_date"
            assert "après l'échéance" in refused.value.message
        assert list(DunningStep.objects.values_list("days_after_due", "tone").order_by("days_after_due")) == [
            (7, "courteous"), (21, "firm"), (45, "formal_notice")
        ]


def test_a_step_moved_keeps_what_was_sent(overdue, time_machine):
    run(overdue, time_machine, late(7))
    with tenant_context(overdue.firm.tenant):
        step = DunningStep.objects.get(days_after_due=7)
        services.step_update(actor=overdue.firm.adv.membership, step=step, days_after_due=10, tone="courteous")
    assert run(overdue, time_machine, late(10)) == 0


def test_the_beat_task_runs_per_firm(overdue, time_machine, settings):
    time_machine.move_to(at(late(7)), tick=False)
    assert tasks.dunning_run(str(overdue.firm.tenant.pk)) == 1
    assert tasks.dunning_run(str(overdue.firm.tenant.pk)) == 0


def test_an_invoice_without_its_pdf_waits(overdue, time_machine):
    with tenant_context(overdue.firm.tenant):
        Invoice.objects.filter(pk=overdue.invoice.pk).update(render_status="pending")
    assert run(overdue, time_machine, late(7)) == 0
    with tenant_context(overdue.firm.tenant):
        assert not ReminderSent.objects.filter(kind="dunning.reminder").exists()


def test_a_staff_dispute_is_announced_to_the_other_floors(overdue, time_machine):
    received = []

    def listener(sender, **kwargs):
        received.append((kwargs["disputed"], kwargs["source"]))

    signals.invoice_disputed.connect(listener)
    try:
        time_machine.move_to(at(late(2)), tick=False)
        with tenant_context(overdue.firm.tenant):
            services.pause_create(actor=overdue.firm.adv.membership, invoice=overdue.invoice, reason="Contesté", dispute=True)
            services.pause_end(actor=overdue.firm.adv.membership, invoice=overdue.invoice)
            assert DunningPause.objects.get(invoice=overdue.invoice).ended_at is not None
    finally:
        signals.invoice_disputed.disconnect(listener)
    assert received == [(True, "staff"), (False, "staff")]
