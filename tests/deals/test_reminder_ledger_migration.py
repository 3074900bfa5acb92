"""The migrations that merge the reminder tables of clients, deals, timesheets and billing (its
close escalations) into the reminder ledger: every row arrives, keyed as the code now claims it, and goes back when reversed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from adv.tenancy.context import tenant_context
from adv.tenancy.db_roles import connect_as, ensure_app_role
from deals import services
from deals.models import DealStatus, DealType, Milestone
from notifications.models import ReminderSent

from .conftest import TODAY

BEFORE = [
    ("notifications", "0004_reminder_ledger"),
    ("clients", "0006_billing_country_default_cleared"),
    ("deals", "0004_signature_documents_rls"),
    ("timesheets", "0005_fill_announced_deadlines"),
    ("billing", "0009_billing_job_row_level_security"),
]
MAY = datetime.date(2026, 5, 1)


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


def _migrate_to_latest() -> MigrationExecutor:
    """Forward to every app's last migration, not only the three apps': going back to BEFORE also
    unapplied the apps that depend on them (e-invoicing, chat…), and later tests on this database
    need their tables."""
    executor = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ensure_app_role(connection)  # the tables made again need the application role's grants again
    return executor


def _old_rows(executor, tenant, alice, bob, deal, milestone, client_id) -> None:
    """One row of each old table (and kind of subject), written as the old code wrote them."""
    old = executor.loader.project_state(BEFORE).apps
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])  # forced RLS binds the owner
        requirement = old.get_model("clients", "RequirementReminder")
        requirement.objects.create(
            tenant_id=tenant.pk, membership_id=bob.pk, kind="chase", step=f"{client_id}:2026-11-23", sent_by_id=alice.pk,
            items=[{"client": client_id}],
        )
        requirement.objects.create(tenant_id=tenant.pk, membership_id=bob.pk, kind="weekly_digest", step="2026-W48")
        reminder = old.get_model("deals", "DealReminder")
        reminder.objects.create(tenant_id=tenant.pk, deal_id=deal.pk, membership_id=bob.pk, kind="unsigned_chase", step=2)
        reminder.objects.create(
            tenant_id=tenant.pk, deal_id=deal.pk, milestone_id=milestone.pk, membership_id=alice.pk,
            kind="milestone_escalation", step=0,
        )
        old.get_model("timesheets", "Reminder").objects.create(
            tenant_id=tenant.pk, month=MAY, membership_id=bob.pk, kind="submission", step="2026-05-22",
            template_key="timesheet.submission_reminder", sent_by_id=alice.pk,
        )
        old.get_model("billing", "BillingEscalation").objects.create(
            tenant_id=tenant.pk, month=MAY, milestone_id=milestone.pk, membership_id=alice.pk,
            reason="Échéance « Lot 1 » non facturée.",
        )


@pytest.mark.django_db(transaction=True)
def test_the_rows_of_the_old_reminder_tables_arrive_in_the_ledger_and_go_back(alice, bob, make_deal, doc_types):
    # given a deal with a milestone, and the reminder tables as they were
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("10000.00"))
    with tenant_context(alice.tenant):
        services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
            {"label": "Lot 1", "due_date": TODAY(), "amount": Decimal("10000.00"), "required_document_type": doc_types["pv-recette"]},
        ])
        milestone = Milestone.objects.get(deal=deal)
    client_id = str(deal.client_id)
    a, b = alice.membership, bob.membership
    connect_as("owner")  # migrations run as the schema owner
    try:
        executor = _migrate(BEFORE)
        _old_rows(executor, alice.tenant, a, b, deal, milestone, client_id)
        # when the migrations run
        _migrate_to_latest()
        with tenant_context(alice.tenant):
            rows = sorted(
                ReminderSent.objects.values_list("kind", "subject", "step", "recipient_id", "sent_by_id", "template_key")
            )
            chase = ReminderSent.objects.get(kind="clients.chase")
            escalation = ReminderSent.objects.get(kind="billing.escalation")
        # then every row is in the ledger, keyed as the code claims it now
        assert rows == sorted([
            ("clients.chase", client_id, "2026-11-23", b.pk, a.pk, ""),
            ("clients.weekly_digest", "", "2026-W48", b.pk, None, ""),
            ("deals.unsigned_chase", str(deal.pk), "2", b.pk, None, ""),
            ("deals.milestone_escalation", str(milestone.pk), "0", a.pk, None, ""),
            ("timesheets.submission", "2026-05-01", "2026-05-22", b.pk, a.pk, "timesheet.submission_reminder"),
            ("billing.escalation", f"milestone:{milestone.pk}", "2026-05", a.pk, None, ""),
        ])
        assert escalation.details == ["Échéance « Lot 1 » non facturée."]
        assert chase.details == [{"client": client_id}] and chase.sent_at is not None
        # and reversed, the old tables get their rows back (and the ledger forgets them)
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(alice.tenant.pk)])
            counts = [
                old.get_model(*label).objects.count()
                for label in (
                    ("clients", "RequirementReminder"), ("deals", "DealReminder"), ("timesheets", "Reminder"),
                    ("billing", "BillingEscalation"),
                )
            ]
            reason = old.get_model("billing", "BillingEscalation").objects.values_list(
                "milestone_id", "month", "reason"
            ).get()
            steps = sorted(old.get_model("clients", "RequirementReminder").objects.values_list("step", flat=True))
            left = ReminderSent.cross_tenant_objects.count()
        assert counts == [2, 2, 1, 1]
        assert reason == (milestone.pk, MAY, "Échéance « Lot 1 » non facturée.")
        assert steps == sorted(["2026-W48", f"{client_id}:2026-11-23"])
        assert left == 0
    finally:
        _migrate_to_latest()
        connect_as("app")
