"""Past the billing-close deadline, what is not billed is escalated once (ADV in charge and the
responsible person's manager); the month's figures and the accrued revenue (FAE)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from billing import selectors
from billing.escalation import escalate_due
from billing.models import Invoice
from notifications.models import Notification, ReminderSent
from tests.billing.support import OCTOBER
from timesheets.models import ClosingCalendar

pytestmark = pytest.mark.django_db

DEADLINE = datetime.date(2026, 11, 6)


@pytest.fixture
def october_close(billing_firm):
    with tenant_context(billing_firm.tenant):
        # Manon (the project manager, responsible for the missing PV) reports to alice
        Membership.objects.filter(pk=billing_firm.manager.membership.pk).update(
            reports_to=billing_firm.alice.membership
        )
        ClosingCalendar.objects.create(
            month=OCTOBER,
            submission_deadline=datetime.date(2026, 10, 28),
            approval_deadline=datetime.date(2026, 11, 2),
            client_approval_deadline=datetime.date(2026, 11, 4),
            billing_close_deadline=DEADLINE,
        )
    return billing_firm


def _escalated(firm) -> dict:
    with tenant_context(firm.tenant):
        clients = dict(Invoice.objects.values_list("pk", "client_id"))
        found: dict = {}
        for subject, membership_id in _escalations().filter(subject__startswith="invoice:").values_list(
            "subject", "recipient_id"
        ):
            found.setdefault(clients[uuid.UUID(subject.split(":")[1])], set()).add(membership_id)
        return found


def _escalations():
    return ReminderSent.objects.filter(kind="billing.escalation")


def test_past_the_deadline_the_blocked_pre_invoice_goes_to_the_adv_and_the_responsible_manager(october_close):
    firm = october_close
    firm.build()
    with tenant_context(firm.tenant):
        sent = escalate_due(DEADLINE + datetime.timedelta(days=1))
    escalated = _escalated(firm)
    assert escalated[firm.orion.pk] == {firm.adv.membership.pk, firm.alice.membership.pk}
    # the ready ones that nobody issued are escalated too (to the ADV)
    assert escalated[firm.helios.pk] == {firm.adv.membership.pk}
    assert escalated[firm.nova.pk] == {firm.adv.membership.pk}
    assert sent == 4
    with tenant_context(firm.tenant):
        orion = _escalations().get(
            subject=f"invoice:{firm.draft_of(firm.orion).pk}", recipient=firm.adv.membership
        )
        assert orion.step == "2026-10"
        assert "Lot 2" in orion.details[0]
        notes = Notification.objects.filter(event="billing.escalation")
        assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(
            [firm.adv.user.pk] * 3 + [firm.alice.user.pk]
        )
        assert firm.draft_of(firm.orion).escalated_at is not None
    # a second pass sends nothing more
    with tenant_context(firm.tenant):
        assert escalate_due(DEADLINE + datetime.timedelta(days=2)) == 0
        assert _escalations().count() == 4
        assert Notification.objects.filter(event="billing.escalation").count() == 4


def test_issued_invoices_are_not_escalated(october_close):
    firm = october_close
    firm.build()
    firm.issue([firm.draft_of(firm.helios)])
    with tenant_context(firm.tenant):
        escalate_due(DEADLINE + datetime.timedelta(days=1))
    assert set(_escalated(firm)) == {firm.orion.pk, firm.nova.pk}


def test_nothing_is_escalated_before_the_deadline_has_passed(october_close):
    firm = october_close
    firm.build()
    with tenant_context(firm.tenant):
        assert escalate_due(DEADLINE) == 0
        assert escalate_due(DEADLINE - datetime.timedelta(days=3)) == 0
        assert _escalations().count() == 0
        assert not Notification.objects.filter(event="billing.escalation").exists()


def test_month_figures_expected_billed_and_remaining(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        before = selectors.month_figures(OCTOBER)
    assert (before.expected_time, before.expected_milestones, before.expected_subscriptions) == (
        Decimal("25960.00"),
        Decimal("30000.00"),
        Decimal("1500.00"),
    )
    assert (before.expected, before.billed, before.remaining) == (Decimal("57460.00"), 0, Decimal("57460.00"))
    assert before.counts == {"ready": 2, "action": 0, "blocked": 1, "issued": 0}
    # when Helios and Nova are issued (Nova's subscription moves on to November)
    billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.nova)])
    with tenant_context(billing_firm.tenant):
        after = selectors.month_figures(OCTOBER)
    assert after.expected == Decimal("57460.00")
    assert after.expected_subscriptions == Decimal("1500.00")
    assert (after.billed, after.remaining, after.pre_invoiced) == (
        Decimal("27460.00"),
        Decimal("30000.00"),
        Decimal("30000.00"),
    )
    assert after.counts == {"ready": 0, "action": 0, "blocked": 1, "issued": 2}


def test_accrued_revenue_lists_the_unissued_pre_invoices(billing_firm):
    billing_firm.build()
    billing_firm.issue([billing_firm.draft_of(billing_firm.helios)])
    with tenant_context(billing_firm.tenant):
        rows = list(selectors.accrued_revenue(OCTOBER))
    assert sorted((r.client_id, r.total_net) for r in rows) == sorted(
        [(billing_firm.orion.pk, Decimal("30000.00")), (billing_firm.nova.pk, Decimal("1500.00"))]
    )
    assert [r.client_id for r in rows][-1] == billing_firm.orion.pk  # blocked ones after the ready ones
