"""Shared helpers of the closing-side tests (calendar, reminders, reports, demo): a firm on
tenant A with a manager, ADV and consultants who joined before the months the tests use, and
timesheets put in any state with fixed timestamps (no test in this module)."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from notifications.models import Notification
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory
from timesheets.models import Timesheet, TimesheetStatus

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MAY = datetime.date(2026, 5, 1)
JOINED = datetime.datetime(2026, 5, 1, tzinfo=PARIS)  # expected from May 2026 on


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment of `day`, Paris time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def person(tenant, role: str, first: str, last: str, *, reports_to: Persona | None = None,
           joined: datetime.datetime = JOINED, contractor: bool = False) -> Persona:
    email = f"{first.lower()}.{last.lower()}@{tenant.slug}.test"
    user = UserFactory(email=email, first_name=first, last_name=last)
    with tenant_context(tenant):
        membership = MembershipFactory(
            user=user, role=role, reports_to=reports_to.membership if reports_to else None, is_contractor=contractor
        )
        Membership.objects.filter(pk=membership.pk).update(created_at=joined)
        membership.refresh_from_db()
    return Persona(user, membership, tenant)


def timesheet(member: Persona, month: datetime.date, status: str = TimesheetStatus.DRAFT, *,
              submitted: datetime.datetime | None = None, approved: datetime.datetime | None = None) -> Timesheet:
    """A timesheet in `status`, its first submission at `submitted` (fixed timestamps)."""
    with tenant_context(member.tenant):
        row, _created = Timesheet.objects.get_or_create(consultant=member.membership, month=month)
        Timesheet.objects.filter(pk=row.pk).update(
            status=status,
            submitted_at=submitted if status != TimesheetStatus.DRAFT else None,
            first_submitted_at=submitted,
            approved_at=approved or (submitted if status == TimesheetStatus.APPROVED else None),
        )
        row.refresh_from_db()
    return row


def sent(tenant) -> list[tuple[str, str]]:
    """(recipient email, event) of every notification of the tenant, sorted."""
    with tenant_context(tenant):
        return sorted(Notification.objects.values_list("recipient__email", "event"))


def clear_notifications(tenant) -> None:
    with tenant_context(tenant):
        Notification.objects.all().delete()


@dataclass
class Firm:
    tenant: object
    alice: Persona  # admin
    adv: Persona
    manager: Persona
    late1: Persona  # reports to manager, no timesheet
    late2: Persona  # reports to manager, a draft
    done: Persona  # reports to manager, submitted on time and approved
    waiting: Persona  # reports to manager, submitted on time, waiting for approval
    loner: Persona  # no manager, no timesheet


@pytest.fixture
def firm(alice) -> Firm:
    tenant = alice.tenant
    with tenant_context(tenant):
        Membership.objects.filter(pk=alice.membership.pk).update(created_at=JOINED)
    manager = person(tenant, "manager", "Manon", "Chef")
    adv = person(tenant, "adv", "Sophie", "Adv")
    late1 = person(tenant, "consultant", "Luc", "Lent", reports_to=manager)
    late2 = person(tenant, "consultant", "Lise", "Brouillon", reports_to=manager)
    done = person(tenant, "consultant", "Dan", "Fait", reports_to=manager)
    waiting = person(tenant, "consultant", "Wendy", "Attente", reports_to=manager)
    loner = person(tenant, "consultant", "Olga", "Seule")
    timesheet(late2, MAY)
    timesheet(done, MAY, TimesheetStatus.APPROVED, submitted=at(datetime.date(2026, 5, 20)))
    timesheet(waiting, MAY, TimesheetStatus.SUBMITTED, submitted=at(datetime.date(2026, 5, 21)))
    return Firm(tenant, alice, adv, manager, late1, late2, done, waiting, loner)
