"""Helpers of the CRA entry, approval, client approval, API and PDF tests (no test here).

The clock is fixed on Wednesday 3 June 2026 (Paris): May 2026 is the month being closed, with its
public holidays (Friday 1 May, Friday 8 May, Thursday 14 May Ascension, Monday 25 May Whit Monday)
and weekends; July 2026 is in the future.

The firm (tenant A): alice (admin), bob (consultant, reports to alice, staffed on Helios from
6 to 27 May), Manon (manager) with Chloé (consultant) reporting to her, Sophie (ADV), Hugo (an
external contractor reporting to Manon, staffed on another client, Orion). Rates exist in the
database (650 € and 720 €; Hugo bought at 480 €) and must never show.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.firm_settings import settings_ensure
from clients import services as client_services
from clients.models import BillingProfile
from deals import services as deal_services
from deals.models import Assignment, Deal
from documents import services as document_services
from tests.conftest import Persona
from tests.factories import ClientApprovalFactory, MembershipFactory, UserFactory
from timesheets import services
from timesheets.models import (
    AbsenceType,
    Timesheet,
    TimesheetEntry,
    TimesheetLine,
    TimesheetPolicy,
    TimesheetStatus,
)
from timesheets.services import Cell

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 6, 3, 10, 0, tzinfo=PARIS)
MAY = datetime.date(2026, 5, 1)
JUNE = datetime.date(2026, 6, 1)
JULY = datetime.date(2026, 7, 1)
RATES = ("650", "720", "480")  # sale rates and a purchase rate: never on a timesheet page


def shown_rates(text: str) -> list[str]:
    """The rates that appear as numbers in ``text``; digits inside a UUID or a longer number do not count."""
    return [rate for rate in RATES if re.search(rf"(?<![\w-]){rate}(?![\w-])", text)]
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def may(day: int) -> datetime.date:
    return MAY.replace(day=day)


def pdf_upload(name: str = "cra-signe.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@dataclass
class Firm:
    tenant: object
    alice: Persona
    bob: Persona
    manager: Persona
    chloe: Persona
    adv: Persona
    hugo: Persona
    client: object
    deal: Deal
    assignment: Assignment
    other_client: object
    other_deal: Deal
    hugo_assignment: Assignment
    chloe_assignment: Assignment


@pytest.fixture
def frozen(monkeypatch):
    """Now is Wednesday 3 June 2026, 10:00 in Paris."""
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))
    return NOW


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return root


def member(tenant, role: str, first: str, last: str, *, reports_to=None, contractor: bool = False, clearance: int = 1) -> Persona:
    user = UserFactory(email=f"{first.lower()}.{last.lower()}@alpha.test", first_name=first, last_name=last)
    with tenant_context(tenant):
        membership = MembershipFactory(
            user=user, role=role, reports_to=reports_to, is_contractor=contractor, clearance_level=clearance
        )
    return Persona(user, membership, tenant)


@pytest.fixture
def firm(alice, bob, frozen) -> Firm:
    tenant = alice.tenant
    manager = member(tenant, "manager", "Manon", "Lefort", clearance=2)
    chloe = member(tenant, "consultant", "Chloé", "David", reports_to=manager.membership)
    adv = member(tenant, "adv", "Sophie", "Bernard", clearance=3)
    hugo = member(tenant, "consultant", "Hugo", "Leroy", reports_to=manager.membership, contractor=True)
    with tenant_context(tenant):
        services.absence_types_seed_defaults()
        document_services.document_types_seed_defaults()
        client = client_services.client_create(actor=alice.membership, legal_name="Helios Énergies SA", status="client", adv_owner=adv.membership)
        client_services.contact_create(
            actor=alice.membership, client=client, first_name="Marc", last_name="Olivier", email="marc.olivier@helios.example",
            signs_timesheets=True,
        )
        other_client = client_services.client_create(actor=alice.membership, legal_name="Orion Banque SA", status="client")
        deal = deal_services.deal_create(
            actor=alice.membership, client=client, deal_type="t_and_m", title="Refonte du portail client",
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
            consultant_instructions="Badge à retirer à l'accueil ; réunion d'équipe le lundi à 9 h.",
        )
        deal = deal_services.deal_validate_provisionally(actor=alice.membership, deal=deal)
        other_deal = deal_services.deal_create(
            actor=alice.membership, client=other_client, deal_type="t_and_m", title="Audit de sécurité",
            start_date=datetime.date(2026, 1, 1),
        )
        other_deal = deal_services.deal_validate_provisionally(actor=alice.membership, deal=other_deal)
        assignment = deal_services.assignment_create(
            actor=alice.membership, deal=deal, consultant=bob.membership, daily_rate=Decimal("650"),
            start_date=may(6), end_date=may(27),
        )
        chloe_assignment = deal_services.assignment_create(
            actor=alice.membership, deal=deal, consultant=chloe.membership, daily_rate=Decimal("720"),
            start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31),
        )
        hugo_assignment = deal_services.assignment_create(
            actor=alice.membership, deal=other_deal, consultant=hugo.membership, daily_rate=Decimal("720"),
            purchase_daily_rate=Decimal("480"), start_date=datetime.date(2026, 1, 1),
        )
    return Firm(
        tenant=tenant, alice=alice, bob=bob, manager=manager, chloe=chloe, adv=adv, hugo=hugo, client=client, deal=deal,
        assignment=assignment, other_client=other_client, other_deal=other_deal, hugo_assignment=hugo_assignment,
        chloe_assignment=chloe_assignment,
    )


def require_on_client(firm: Firm, *, signed: bool = False, reception: bool = False) -> None:
    with tenant_context(firm.tenant):
        BillingProfile.objects.filter(client=firm.client).update(signed_timesheet_required=signed, reception_number_required=reception)


def set_policy(firm: Firm, **fields) -> None:
    with tenant_context(firm.tenant):
        settings_ensure(TimesheetPolicy)  # reading the policy writes nothing: create the row to change it
        TimesheetPolicy.objects.update(**fields)


def open_month(person: Persona, month: datetime.date = MAY, *, actor: Persona | None = None) -> Timesheet:
    with tenant_context(person.tenant):
        return services.timesheet_open(actor=(actor or person).membership, consultant=person.membership, month=month)


def line(timesheet: Timesheet, *, deal: Deal | None = None, absence: str | None = None) -> TimesheetLine:
    with tenant_context(timesheet.tenant_id):
        if absence:
            return TimesheetLine.objects.get(timesheet=timesheet, absence_type=AbsenceType.objects.get(code=absence))
        return TimesheetLine.objects.select_related("assignment__deal").get(timesheet=timesheet, assignment__deal=deal)


def fill(person: Persona, timesheet: Timesheet, cells: list[tuple[TimesheetLine, int, str]], *, actor: Persona | None = None, extra=False) -> Timesheet:
    """Save `cells` (line, day of the month, quantity) with the timesheet's current version."""
    with tenant_context(person.tenant):
        fresh = Timesheet.objects.get(pk=timesheet.pk)
        return services.timesheet_save(
            actor=(actor or person).membership, timesheet=fresh, version=fresh.version,
            cells=[Cell(row.pk, fresh.month.replace(day=d), Decimal(q), extra) for row, d, q in cells],
        )


def working_days_of_assignment(days=range(6, 28)) -> list[int]:
    """Bob's working days on Helios in May 2026 (6–27 May, without weekends and holidays)."""
    holidays = {8, 14, 25}
    return [d for d in days if may(d).weekday() < 5 and d not in holidays]


def submitted(person: Persona, timesheet: Timesheet, *, actor: Persona | None = None) -> Timesheet:
    with tenant_context(person.tenant):
        return services.timesheet_submit(actor=(actor or person).membership, timesheet=Timesheet.objects.get(pk=timesheet.pk))


def approved(person: Persona, timesheet: Timesheet, *, by: Persona) -> Timesheet:
    with tenant_context(person.tenant):
        return services.timesheet_approve(actor=by.membership, timesheet=Timesheet.objects.get(pk=timesheet.pk))


def reload(timesheet: Timesheet) -> Timesheet:
    with tenant_context(timesheet.tenant_id):
        return Timesheet.objects.get(pk=timesheet.pk)


def entries_of(timesheet: Timesheet) -> list[tuple[str, datetime.date, Decimal, bool]]:
    with tenant_context(timesheet.tenant_id):
        from timesheets.models import TimesheetEntry

        return sorted(
            (str(e.line_id), e.day, e.quantity, e.is_extra) for e in TimesheetEntry.objects.filter(line__timesheet=timesheet)
        )


def team_with_submitted_may(firm, size: int, start: int) -> None:
    """`size` more consultants in Manon's team, each with a submitted May of 17 days, a leave
    day and a pending client approval: written straight to the tables, for speed."""
    with tenant_context(firm.tenant):
        leave = AbsenceType.objects.get(code="conges-payes")
        for n in range(start, start + size):
            person = member(firm.tenant, "consultant", f"Conso{n}", f"Equipe{n}", reports_to=firm.manager.membership)
            timesheet = Timesheet.objects.create(
                consultant=person.membership, month=MAY, status=TimesheetStatus.SUBMITTED, submitted_at=NOW, first_submitted_at=NOW,
            )
            work = TimesheetLine.objects.create(timesheet=timesheet, assignment=firm.chloe_assignment)
            absence = TimesheetLine.objects.create(timesheet=timesheet, absence_type=leave)
            TimesheetEntry.objects.bulk_create(
                [TimesheetEntry(tenant_id=firm.tenant.pk, line=work, day=MAY.replace(day=d), quantity=Decimal("1")) for d in working_days_of_assignment()]
                + [TimesheetEntry(tenant_id=firm.tenant.pk, line=absence, day=datetime.date(2026, 5, 4), quantity=Decimal("1"))]
            )
            ClientApprovalFactory(timesheet=timesheet, deal=firm.deal)
