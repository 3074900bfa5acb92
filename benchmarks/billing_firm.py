"""The billing benchmarks' firm: the timesheet harness's firm (`benchmarks.__main__.consultancy_firm`: tenant,
admin, managers, consultants) extended with what a month-end billing needs, all bulk-inserted.

At scale 1.0: 600 clients ready to invoice (billing address, SIREN, a recipient contact), 1,500
signed deals (1,200 time-and-materials, 200 fixed-price with a milestone due in the month, 100
monthly subscriptions due), one assignment per consultant on a T&M deal (400 deals with one
consultant, 800 with two), and the month's approved timesheets: one line per consultant, one day
per working day (22 in October 2026: 44,000 day entries).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta


def _siren(n: int) -> str:
    """A 9-digit SIREN passing the Luhn check."""
    base = f"{(300000000 + n * 7) % 10**8:08d}"
    for last in range(10):
        digits = base + str(last)
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits
    raise AssertionError


def counts(scale: float) -> dict:
    deals = max(15, round(1500 * scale))
    fixed = max(2, round(deals * 200 / 1500))
    subs = max(1, round(deals * 100 / 1500))
    return {
        "consultants": max(10, round(2000 * scale)),
        "clients": max(3, round(600 * scale)),
        "t_and_m": deals - fixed - subs,
        "fixed": fixed,
        "subscriptions": subs,
    }


def billing_firm(scale: float, month: datetime.date):
    """Create the firm; returns (tenant, admin, facts). Run outside any tenant context."""
    from django.utils import timezone

    from adv.tenancy.context import tenant_context
    from adv.tenancy.models import Tenant
    from benchmarks.__main__ import consultancy_firm
    from clients.models import BillingProfile, Client, Contact, InvoiceDelivery
    from deals.models import Assignment, Deal, DealStatus, DealType, Milestone, Subscription
    from timesheets.models import Timesheet, TimesheetEntry, TimesheetLine, TimesheetStatus

    n = counts(scale)
    tenant, admin, people = consultancy_firm(n["consultants"])
    Tenant.objects.filter(pk=tenant.pk).update(
        legal_form="SAS",
        rcs_city="Paris",
        siren="732829320",
        siret="73282932000074",
        vat_number="FR44732829320",
        address_line1="10 rue de la Paix",
        postal_code="75002",
        city="Paris",
        country="FR",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPPXXX",
    )
    tenant.refresh_from_db()
    start = month.replace(day=1)
    end = start + relativedelta(months=1) - datetime.timedelta(days=1)
    long_ago = start - datetime.timedelta(days=400)
    later = end + datetime.timedelta(days=400)
    now = timezone.now()
    with tenant_context(tenant) as tenant_id:
        clients = [
            Client(
                tenant_id=tenant_id,
                status="client",
                legal_name=f"Client {i:04d} SA",
                siren=_siren(i),
                country="FR",
                billing_line1=f"{i} avenue des Clients",
                billing_postal_code="69003",
                billing_city="Lyon",
                billing_country="FR",
            )
            for i in range(n["clients"])
        ]
        Client.objects.bulk_create(clients, batch_size=2000)
        BillingProfile.objects.bulk_create(
            [BillingProfile(tenant_id=tenant_id, client=c) for c in clients], batch_size=2000
        )
        Contact.objects.bulk_create(
            [
                Contact(
                    tenant_id=tenant_id,
                    client=c,
                    first_name="Compta",
                    last_name=f"Fournisseurs {i}",
                    email=f"compta{i}@client{i}.test",
                    invoice_delivery=InvoiceDelivery.TO,
                )
                for i, c in enumerate(clients)
            ],
            batch_size=2000,
        )
        deals = []
        kinds = (
            [DealType.T_AND_M] * n["t_and_m"]
            + [DealType.FIXED_PRICE] * n["fixed"]
            + [DealType.SUBSCRIPTION] * n["subscriptions"]
        )
        for i, kind in enumerate(kinds):
            deals.append(
                Deal(
                    tenant_id=tenant_id,
                    client=clients[i % len(clients)],
                    reference=f"BEN-{i:05d}",
                    title=f"Affaire {i}",
                    deal_type=kind,
                    status=DealStatus.ACTIVE,
                    start_date=long_ago,
                    end_date=later,
                    signed_on=long_ago,
                    sales_owner=admin,
                )
            )
        Deal.objects.bulk_create(deals, batch_size=2000)
        t_and_m = deals[: n["t_and_m"]]
        fixed = deals[n["t_and_m"] : n["t_and_m"] + n["fixed"]]
        subs = deals[n["t_and_m"] + n["fixed"] :]
        Milestone.objects.bulk_create(
            [
                Milestone(
                    tenant_id=tenant_id,
                    deal=d,
                    label=f"Lot {i} : recette",
                    due_date=start + datetime.timedelta(days=14),
                    amount=Decimal("12000.00"),
                )
                for i, d in enumerate(fixed)
            ],
            batch_size=2000,
        )
        Subscription.objects.bulk_create(
            [
                Subscription(
                    tenant_id=tenant_id,
                    deal=d,
                    label="Maintenance applicative",
                    amount=Decimal("1500.00"),
                    start_date=long_ago,
                    next_billing_date=start,
                )
                for d in subs
            ],
            batch_size=2000,
        )
        assignments = [
            Assignment(
                tenant_id=tenant_id,
                deal=t_and_m[i % len(t_and_m)],
                consultant=person,
                daily_rate=Decimal(500 + (i % 10) * 50),
                start_date=long_ago,
                end_date=later,
            )
            for i, person in enumerate(people)
        ]
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        submitted = now - datetime.timedelta(days=20)
        timesheets = [
            Timesheet(
                tenant_id=tenant_id,
                consultant=person,
                month=start,
                status=TimesheetStatus.APPROVED,
                submitted_at=submitted,
                first_submitted_at=submitted,
                approved_at=submitted,
                approved_by=admin,
            )
            for person in people
        ]
        Timesheet.objects.bulk_create(timesheets, batch_size=2000)
        lines = [
            TimesheetLine(tenant_id=tenant_id, timesheet=ts, assignment=a)
            for ts, a in zip(timesheets, assignments, strict=True)
        ]
        TimesheetLine.objects.bulk_create(lines, batch_size=2000)
        days = [start + datetime.timedelta(days=d) for d in range((end - start).days + 1)]
        working = [d for d in days if d.weekday() < 5]
        entries = [
            TimesheetEntry(tenant_id=tenant_id, line=line, day=day, quantity=Decimal("1.00"))
            for line in lines
            for day in working
        ]
        TimesheetEntry.objects.bulk_create(entries, batch_size=5000)
    facts = {**n, "deals": len(deals), "entries": len(entries), "working_days": len(working)}
    return tenant, admin, facts
