"""Demo data of billing: the demo firm's month is ready to bill.

Last month (the month being billed) gives, after its billing run, pre-invoices of every kind:
- ready: time and materials without client approval (TMA SAP), a subscription (infogérance), a
  dated milestone with its acceptance report on a Chorus Pro public client (portail patients);
- blocked, one per reason: a missing purchase order number (client that requires one), a missing
  reception number for a consultant, a missing client-signed timesheet, a missing acceptance
  report for a due milestone;
- action: a provisionally validated (unsigned) deal.
The month before was billed on the 1st of last month: its invoices are issued and rendered, one
paid, one partially paid, one overdue, one with a partial credit note, one sent, one to deposit on
the client's platform. Whatever the day of this month, the overdue one (15 days) is past its due
date and the sent one (45 days end of month) is not.

The deals and consultants billing needs beyond the deals' and timesheets' demos are created here
with the same helpers (deals and timesheets demos): four consultants with their months approved,
five deals. `seed(tenant)` runs after the timesheets' demo (INSTALLED_APPS order) and is idempotent:
people and deals are looked up by natural key, a month already billed (or whose run exists) is left
alone. Writes go through the services with the demo ADV as actor; the PDFs are rendered here,
synchronously, so that every invoice page has its document on first login.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from adv.tenancy import demo as tenancy_demo
from adv.tenancy.errors import DomainError
from adv.tenancy.firm_settings import settings_ensure
from adv.tenancy.models import ClearanceLevel, Membership, Role, Tenant
from clients.demo import Doc
from clients.models import Client
from deals import demo as deals_demo
from deals.demo import DemoDeal, Staff
from deals.models import Deal, Subscription
from documents.files import delete_blob
from documents.models import DocumentType
from timesheets import demo as timesheets_demo
from timesheets.models import ClientApproval, ClosingCalendar, Timesheet
from timesheets.services import timesheet_set_reception_number

from . import rendering, runs, services
from .models import BillingPolicy, BillingRun, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Readiness

ADV_EMAIL = "adv@demo.adv.test"
MANAGER_EMAIL = "manager@demo.adv.test"

# The consultants billing needs: email -> (first name, last name).
CONSULTANTS = {
    "noemie.blanc@demo.adv.test": ("Noémie", "Blanc"),  # Leclerc: no purchase order
    "theo.garnier@demo.adv.test": ("Théo", "Garnier"),  # Terres du Sud: reception number per month
    "sarah.faure@demo.adv.test": ("Sarah", "Faure"),  # Vernier: client-signed timesheet
    "maxime.rousseau@demo.adv.test": ("Maxime", "Rousseau"),  # Dufresne: provisional deal
}

# Titles of the deals created here (client SIREN, title).
DEAL_NO_PO = ("881234579", "Support applicatif ERP chantiers")
DEAL_RECEPTION = ("834561292", "TMA du portail adhérents V1")
DEAL_SIGNED = ("523146983", "Qualification des automates de laboratoire")
DEAL_PROVISIONAL = ("778945618", "Renfort pilotage transport")
DEAL_MILESTONES = ("778945618", "Déploiement WMS – entrepôt de Rungis")
DEAL_PLATFORM = ("823654710", "Audit de la chaîne de gestion des sinistres")

PV_WMS = "PV de recette – conception détaillée WMS"
PV_AUDIT = "PV de recette – rapport d'audit phase 1"
PO_AUDIT, PO_AUDIT_DOCUMENT = "PO-AMA-0173", "Bon de commande Coupa PO-AMA-0173"  # clients' demo


def _member(email: str) -> Membership | None:
    return Membership.objects.select_related("user").filter(user__email=email).first()


def months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(the month being billed, the month before): last month and the one before it."""
    billed = today.replace(day=1) - relativedelta(months=1)
    return billed, billed - relativedelta(months=1)


def seed(tenant: Tenant) -> None:
    adv, manager = _member(ADV_EMAIL), _member(MANAGER_EMAIL)
    if adv is None or manager is None:  # the firm's demo members come first (adv.tenancy.demo)
        return
    _identity(tenant)
    settings_ensure(BillingPolicy)
    zone = zoneinfo.ZoneInfo(tenant.time_zone)
    today = timezone.localdate()
    billed, previous = months(today)
    people = _consultants(manager)
    stored: list = []
    try:
        _deals(tenant, adv, today, billed, previous, stored)
    except BaseException:
        for blob in stored:  # the transaction rolls back: leave no orphan file behind
            delete_blob(blob)
        raise
    _timesheets(people, adv=adv, manager=manager, billed=billed, previous=previous, zone=zone)
    # The consultants added here owe this month's timesheet like the others: replay what the
    # hourly task would have sent them (the timesheets' demo is idempotent; its reminders are
    # claimed once), so that loading the demo again sends nothing new.
    timesheets_demo.seed(tenant)
    if (
        not Invoice.objects.filter(month=previous).exclude(number=None).exists()
        and not BillingRun.objects.filter(month=previous).exists()
    ):
        _align_subscriptions(previous)
        _bill_previous_month(adv, previous, billed, today)
    if not BillingRun.objects.filter(month=billed).exists():
        runs.run_now(actor=adv, month=billed)
    # The chases the hourly task would have sent about the deals added here (the provisional one,
    # the blocked milestone), as the deals' demo does for its own.
    ours = Deal.objects.filter(title__in=[title for _siren, title in (DEAL_NO_PO, DEAL_RECEPTION, DEAL_SIGNED,
                                                                      DEAL_PROVISIONAL, DEAL_MILESTONES, DEAL_PLATFORM)])
    deals_demo.replay_chases(list(ours.values_list("pk", flat=True)))


def _identity(tenant: Tenant) -> None:
    """The seller's legal identity, so that invoices carry every mention (kept if already set)."""
    missing = {k: v for k, v in tenancy_demo.IDENTITY.items() if getattr(tenant, k) in (None, "")}
    if missing:
        Tenant.objects.filter(pk=tenant.pk).update(**missing)
        for key, value in missing.items():
            setattr(tenant, key, value)


def _consultants(manager: Membership) -> dict[str, Membership]:
    people = {}
    for email, (first, last) in CONSULTANTS.items():
        member = tenancy_demo._member(email, first, last, Role.CONSULTANT, ClearanceLevel.PUBLIC)
        Membership.objects.filter(pk=member.pk, reports_to__isnull=True).update(reports_to=manager)
        people[email] = member
    return people


def _days(today: datetime.date, day: datetime.date) -> int:
    return (day - today).days


def _deals(tenant: Tenant, adv: Membership, today, billed, previous, stored) -> None:
    types = {t.code: t for t in DocumentType.objects.all()}
    start_prev, start_billed = _days(today, previous), _days(today, billed)
    override = "Reprise : commande passée avant l'outil, archivée hors outil."
    specs = [
        DemoDeal(
            DEAL_NO_PO[0],
            DEAL_NO_PO[1],
            "t_and_m",
            "active",
            start_billed,
            start_billed + 240,
            signed_days_ago=-start_billed + 3,
            override_reason=override,
            staff=[Staff("noemie.blanc@demo.adv.test", "590.00", "160")],
            instructions="Le bon de commande annuel du client est attendu : facturer dès sa réception.",
        ),
        DemoDeal(
            DEAL_RECEPTION[0],
            DEAL_RECEPTION[1],
            "t_and_m",
            "active",
            start_prev,
            start_prev + 300,
            signed_days_ago=-start_prev + 5,
            override_reason=override,
            staff=[Staff("theo.garnier@demo.adv.test", "610.00", "200", reception_number_required=True)],
            instructions="Le client communique un numéro de réception chaque mois, à reporter sur la facture.",
        ),
        DemoDeal(
            DEAL_SIGNED[0],
            DEAL_SIGNED[1],
            "t_and_m",
            "active",
            start_prev,
            start_prev + 270,
            signed_days_ago=-start_prev + 4,
            override_reason=override,
            staff=[Staff("sarah.faure@demo.adv.test", "660.00", "180")],
            instructions="Le CRA est signé chaque mois par le responsable qualité du laboratoire.",
        ),
        DemoDeal(
            DEAL_PROVISIONAL[0],
            DEAL_PROVISIONAL[1],
            "t_and_m",
            "provisional",
            start_billed,
            start_billed + 150,
            provisional_days=-start_billed + 2,
            staff=[Staff("maxime.rousseau@demo.adv.test", "570.00", "100")],
            instructions="Démarrage sur accord oral du directeur transport : la proposition est en signature.",
        ),
        DemoDeal(
            DEAL_MILESTONES[0],
            DEAL_MILESTONES[1],
            "fixed_price",
            "active",
            start_prev - 30,
            start_prev + 180,
            "60000.00",
            signed_days_ago=-start_prev + 35,
            override_reason=override,
            pm=deals_demo.PM_EMAIL,
            documents=[Doc("pv-recette", PV_WMS, -_days(today, previous + datetime.timedelta(days=17)))],
        ),
        DemoDeal(
            DEAL_PLATFORM[0],
            DEAL_PLATFORM[1],
            "fixed_price",
            "active",
            start_prev - 20,
            start_prev + 90,
            "24000.00",
            signed_days_ago=-start_prev + 25,
            override_reason=override,
            pm=deals_demo.PM_EMAIL,
            documents=[Doc("pv-recette", PV_AUDIT, -_days(today, previous + datetime.timedelta(days=22)))],
            # Coupa: every invoice is attached to the client's purchase order (required on the profile).
            attach_existing=[PO_AUDIT_DOCUMENT],
            purchase_orders=[{"number": PO_AUDIT, "amount": "24000.00", "valid_from": start_prev - 25,
                              "valid_until": start_prev + 200, "document": PO_AUDIT_DOCUMENT}],
        ),
    ]
    schedules = {
        DEAL_MILESTONES[1]: [
            (
                "Conception détaillée",
                _days(today, previous + datetime.timedelta(days=14)),
                "",
                "18000.00",
                "pv-recette",
                PV_WMS,
            ),
            (
                "Recette du lot 1 (réception et stockage)",
                _days(today, billed + datetime.timedelta(days=19)),
                "",
                "24000.00",
                "pv-recette",
                None,
            ),
            ("Mise en service", _days(today, billed + relativedelta(months=3)), "", "18000.00", "pv-recette", None),
        ],
        DEAL_PLATFORM[1]: [
            (
                "Rapport d'audit – phase 1",
                _days(today, previous + datetime.timedelta(days=21)),
                "",
                "12000.00",
                "pv-recette",
                PV_AUDIT,
            ),
            (
                "Plan de remédiation – phase 2",
                _days(today, billed + relativedelta(months=2)),
                "",
                "12000.00",
                None,
                None,
            ),
        ],
    }
    for spec in specs:
        client = Client.objects.filter(siren=spec.client_siren).first()
        if client is None or Deal.objects.filter(client=client, title=spec.title).exists():
            continue
        deals_demo._deal(tenant, adv, spec, today, types, stored)
        if spec.title in schedules:
            deal = Deal.objects.get(client=client, title=spec.title)
            deals_demo._schedule(adv, deal, schedules[spec.title], today, types)


def _timesheets(people: dict, *, adv, manager, billed, previous, zone) -> None:
    """The consultants' months, submitted on time and approved; the client signs the previous
    month's timesheet of the laboratory, not yet last month's (the link is sent)."""
    plan = {
        "noemie.blanc@demo.adv.test": [billed],
        "theo.garnier@demo.adv.test": [previous, billed],
        "sarah.faure@demo.adv.test": [previous, billed],
        "maxime.rousseau@demo.adv.test": [billed],
    }
    for email, months_ in plan.items():
        consultant = people[email]
        for month in months_:
            if Timesheet.objects.filter(consultant=consultant, month=month).exists():
                continue
            row = ClosingCalendar.objects.get(month=month)
            timesheets_demo._past_month(
                consultant, month, row, adv=adv, manager=manager, delay=None, approve=True, zone=zone
            )
            for approval in ClientApproval.objects.filter(timesheet__consultant=consultant, timesheet__month=month):
                timesheets_demo._client_approval(approval, adv=adv, approve=month == previous)
    # Last month's reception number is missing; the month before, the client had given it.
    timesheet = Timesheet.objects.filter(consultant=people["theo.garnier@demo.adv.test"], month=previous).first()
    if timesheet is not None:
        for line in timesheet.lines.filter(assignment__isnull=False, reception_number=""):
            timesheet_set_reception_number(actor=adv, line=line, number=f"REC-{previous:%Y-%m}-0917")


def _align_subscriptions(previous: datetime.date) -> None:
    """History taken over: the periods before the previous month were billed outside the tool."""
    billed_subscriptions = InvoiceLine.objects.filter(subscription__isnull=False).values("subscription_id")
    Subscription.objects.filter(is_active=True, period="monthly", next_billing_date__lt=previous).exclude(
        pk__in=billed_subscriptions
    ).update(next_billing_date=previous)


def _bill_previous_month(adv: Membership, previous: datetime.date, billed: datetime.date, today: datetime.date) -> None:
    """The previous month, billed on the 1st of last month; then what happened since."""
    runs.run_now(actor=adv, month=previous)
    ready = list(
        Invoice.objects.filter(month=previous, kind=InvoiceKind.INVOICE, status=InvoiceStatus.DRAFT)
        .exclude(readiness=Readiness.BLOCKED)
        .values_list("pk", flat=True)
    )
    result = services.invoices_issue(actor=adv, invoice_ids=ready, issue_date=billed)
    for invoice in result.issued:
        rendering.render_stored(invoice.pk)
    by_title = {
        invoice.deal.title: invoice
        for invoice in Invoice.objects.filter(pk__in=[i.pk for i in result.issued]).select_related("deal")
    }

    def sent(title: str) -> Invoice | None:
        invoice = by_title.get(title)
        if invoice is None:
            return None
        try:
            return services.invoice_send(actor=adv, invoice=invoice)[0]
        except DomainError:  # no recipient, or the PDF not ready: leave it issued
            return invoice

    # Paid in full: the subscription.
    invoice = sent("Infogérance du SI logistique")
    if invoice is not None:
        invoice.refresh_from_db()
        services.payment_record(
            actor=adv,
            invoice=invoice,
            amount=invoice.balance,
            paid_on=min(today, billed + datetime.timedelta(days=27)),
            method="transfer",
            reference="VIR DUFRESNE TRANSPORTS",
        )
    # Partially paid: the SAP maintenance (45 days: due this month or the last days of the last).
    invoice = sent("TMA applicative SAP – 2026")
    if invoice is not None:
        invoice.refresh_from_db()
        services.payment_record(
            actor=adv,
            invoice=invoice,
            amount=(invoice.total_gross / 2).quantize(Decimal("0.01")),
            paid_on=min(today, billed + datetime.timedelta(days=20)),
            method="transfer",
            reference="VIR HELIOS ENERGIES ACOMPTE",
        )
    # Overdue whatever the day: sent, nothing paid, due 15 days after the 1st of last month.
    sent(DEAL_RECEPTION[1])
    # Sent, not due yet whatever the day: 45 days end of month falls at the end of this month.
    sent(DEAL_SIGNED[1])
    # A partial credit note: a commercial gesture on the WMS design milestone.
    invoice = sent(DEAL_MILESTONES[1])
    if invoice is not None:
        note = services.credit_note_create(
            actor=adv,
            invoice=invoice,
            reason="Geste commercial : retard de livraison de la conception",
            amount=Decimal("1500.00"),
            issue_date=min(today, billed + datetime.timedelta(days=14)),
        )
        rendering.render_stored(note.pk)
    # To deposit on the client's platform (Coupa): left issued.
