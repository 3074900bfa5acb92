"""Demo data of the deals app: deals of the three types on the demo clients, some validated
provisionally for 2, 6 and 15 days (so that the badges, the chases and the escalation show),
some signed and active, their sales owner chased and escalated as the hourly task would have
done, consultants staffed (the demo contractor with a purchase rate), a
fixed-price deal with milestones ready, blocked and planned, a subscription, purchase orders,
and the documents required to sign each type of deal (so that signing shows what is missing).

The fixed-price milestones are placed on the months the billing demo bills (the month before
this one is being billed): the portal's acceptance report arrived for a milestone due last month
(ready: last month's pre-invoice carries it), the training's first session last month has no
attendance sheet (blocked since its due date, chased every few days and escalated), the rest lies
ahead. Chases and escalations are replayed at the moments the hourly task would have sent them.

`seed(tenant)` runs inside the tenant's context after the clients' demo (INSTALLED_APPS order);
it is idempotent: a deal is looked up by (client, title) and, when it exists, left alone.
Writes go through the services with the demo ADV as actor; only the dates that must lie in the
past (provisional since, blocked since) are set directly afterwards.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from adv.tenancy.models import Membership, Role, Tenant
from clients import demo as client_demo
from clients.models import Client, Contact
from documents import demo as document_demo
from documents import services as document_services
from documents.files import delete_blob
from documents.models import Document, DocumentRequirement, DocumentType

from . import services
from .models import Deal, DealStatus, DealType, Milestone, MilestoneStatus
from .reminders import chase_blocked_milestones, chase_unsigned_deals
from .services import policy

ADV_EMAIL = "adv@demo.adv.test"
ADMIN_EMAIL = "admin@demo.adv.test"
SALES_EMAIL = "sales@demo.adv.test"
PM_EMAIL = "pm@demo.adv.test"
MANAGER_EMAIL = "manager@demo.adv.test"
CONSULTANT_EMAIL = "consultant@demo.adv.test"
CONTRACTOR_EMAIL = "contractor@demo.adv.test"

# (document type code, deal type): what must be attached before a deal of that type is signed.
DEAL_REQUIREMENTS = [
    ("bon-de-commande", "deal_t_and_m"),
    ("devis-signe", "deal_fixed_price"),
    ("proposition-signee", "deal_subscription"),
]


@dataclass
class Staff:
    email: str
    daily_rate: str
    planned_days: str | None = None
    purchase_daily_rate: str | None = None
    reception_number_required: bool = False


@dataclass
class DemoDeal:
    client_siren: str
    title: str
    deal_type: str
    status: str  # target status
    start_days: int  # start date, days from today (negative: past)
    end_days: int | None = None
    ordered_amount: str | None = None
    provisional_days: int | None = None
    signed_days_ago: int | None = None
    override_reason: str = ""
    lost_reason: str = ""
    pm: str | None = None
    staff: list[Staff] = field(default_factory=list)
    documents: list[client_demo.Doc] = field(default_factory=list)  # created on the client and attached to the deal
    purchase_orders: list[dict] = field(default_factory=list)
    attach_existing: list[str] = field(default_factory=list)  # titles of client documents to attach to the deal
    instructions: str = ""
    pre_invoice_notes: str = ""


DEALS: list[DemoDeal] = [
    DemoDeal(
        "798456125", "TMA applicative SAP – 2026", DealType.T_AND_M, DealStatus.ACTIVE, -90, 270, "250000.00",
        signed_days_ago=95, attach_existing=["Bon de commande 4500012345"],
        purchase_orders=[{"number": "4500012345", "amount": "250000.00", "valid_from": -95, "valid_until": 300, "document": "Bon de commande 4500012345"}],
        staff=[
            Staff(CONSULTANT_EMAIL, "650.00", "180"),
            Staff(CONTRACTOR_EMAIL, "720.00", "160", purchase_daily_rate="560.00"),
        ],
        instructions="Saisir le CRA sur le portail Helios avant le 25 du mois. Astreintes à déclarer à part.",
        pre_invoice_notes="Une ligne par consultant, avec le numéro de BDC 4500012345.",
    ),
    DemoDeal(
        "412365876", "Renfort DevOps plateforme data", DealType.T_AND_M, DealStatus.PROVISIONAL, -14, 120,
        provisional_days=15, staff=[Staff("lea.simon@demo.adv.test", "600.00", "40")],
        instructions="Démarrage en attendant le bon de commande : CRA à saisir normalement.",
    ),
    DemoDeal(
        "823654710", "Assistance MOA sinistres", DealType.T_AND_M, DealStatus.PROVISIONAL, -5, 180,
        provisional_days=6, staff=[Staff("lucas.michel@demo.adv.test", "680.00", "60", reception_number_required=True)],
        instructions="Le CRA doit être signé par Émilie Roy chaque fin de mois (Coupa).",
    ),
    DemoDeal(
        "523146983", "Migration LIMS – expertise", DealType.T_AND_M, DealStatus.PROVISIONAL, 0, 60,
        provisional_days=2, staff=[Staff("manon.lefebvre@demo.adv.test", "620.00", "20")],
    ),
    DemoDeal(
        "302188453", "Refonte du portail patients", DealType.FIXED_PRICE, DealStatus.ACTIVE, -120, 240, "120000.00",
        signed_days_ago=125, pm=PM_EMAIL,
        override_reason="Marché public : l'acte d'engagement notifié vaut commande (pas de devis signé).",
        attach_existing=["Bon de commande n° 2026-00412 (EJ 1300045871)"],
        purchase_orders=[{"number": "2026-00412", "amount": "120000.00", "valid_from": -130, "valid_until": 320,
                          "document": "Bon de commande n° 2026-00412 (EJ 1300045871)"}],
        documents=[client_demo.Doc("pv-recette", "PV de recette – cadrage du portail patients", None)],  # see PORTAL_PV_DAY
        staff=[Staff("louis.garcia@demo.adv.test", "700.00", "90"), Staff("chloe.david@demo.adv.test", "640.00", "110")],
        pre_invoice_notes="Indiquer l'EJ 1300045871 et le code service DSI-ACHATS-042.",
    ),
    DemoDeal(
        "778945618", "Formation Power BI des équipes logistiques", DealType.FIXED_PRICE, DealStatus.SIGNED, None, None, "9600.00",
        signed_days_ago=None, pm=PM_EMAIL,  # dated on the billed month: see TRAINING_DATES
        documents=[client_demo.Doc("devis-signe", "Devis D-2026-118 signé – formation Power BI", None)],
    ),
    DemoDeal(
        "778945618", "Infogérance du SI logistique", DealType.SUBSCRIPTION, DealStatus.ACTIVE, -180, 550,
        signed_days_ago=185, documents=[client_demo.Doc("proposition-signee", "Proposition PI-2025-77 signée – infogérance", 185)],
    ),
    DemoDeal("881234579", "Audit de sécurité du SI chantier", DealType.FIXED_PRICE, DealStatus.DRAFT, 15, 75, "18000.00", pm=PM_EMAIL),
    DemoDeal("447852138", "Accompagnement refonte éditoriale", DealType.T_AND_M, DealStatus.DRAFT, 7, 187),
    DemoDeal(
        "398741264", "TMA e-commerce 2023", DealType.T_AND_M, DealStatus.CLOSED, -1000, -400,
        signed_days_ago=1005, override_reason="Reprise de l'historique : bon de commande archivé hors outil.",
        staff=[Staff("gabriel.bertrand@demo.adv.test", "560.00", "200")],
    ),
    DemoDeal(
        "834561292", "Portail adhérents", DealType.FIXED_PRICE, DealStatus.LOST, -30, 150, "45000.00", provisional_days=40,
        lost_reason="Le client a retenu une offre concurrente moins chère.",
    ),
]

# The fixed-price schedules: (label, due day or None, event, amount, document type code, attach doc title).
# Due days are counted from the first day of the billed month (last month): 14 is its 15th; from 63
# on, a day of the month after this one.
PORTAL_MILESTONES = [
    ("Cadrage et spécifications", 14, "", "24000.00", "pv-recette", "PV de recette – cadrage du portail patients"),
    ("Livraison du lot 1 (prise de rendez-vous)", 75, "", "36000.00", "pv-recette", None),
    ("Mise en production", None, "Mise en production validée par le client", "36000.00", "pv-recette", None),
    ("Fin de la période de garantie", 240, "", "24000.00", None, None),
]
PORTAL_PV_DAY = 12  # the acceptance report, signed two days before the milestone's date
TRAINING_MILESTONES = [
    ("Session 1 (10 stagiaires)", 19, "", "4800.00", "feuille-presence", None),  # no attendance sheet: blocked
    ("Session 2 (10 stagiaires)", 70, "", "4800.00", "feuille-presence", None),
]
TRAINING_DATES = {"signed": -5, "start": 0, "end": 100}  # from the first day of the billed month


def billed_month(today: datetime.date) -> datetime.date:
    """The month being billed at this month's start: the previous one (billing.build.billed_month)."""
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def _member(email: str) -> Membership | None:
    return Membership.objects.select_related("user").filter(user__email=email).first()


def seed(tenant: Tenant) -> None:
    adv, admin = _member(ADV_EMAIL), _member(ADMIN_EMAIL)
    if adv is None or admin is None:  # the firm's demo members come first (adv.tenancy.demo)
        return
    today = timezone.localdate()
    _month_dated(today)
    _hierarchy()
    types = {t.code: t for t in DocumentType.objects.all()}
    for code, scope in DEAL_REQUIREMENTS:
        if code in types and not DocumentRequirement.objects.filter(document_type=types[code], applies_to=scope).exists():
            document_services.requirement_save(actor=admin, document_type=types[code], applies_to=scope, responsible="owner")
    stored = []
    try:
        for spec in DEALS:
            _deal(tenant, adv, spec, today, types, stored)
    except BaseException:
        for blob in stored:  # the transaction rolls back: leave no orphan file behind
            delete_blob(blob)
        raise
    # What the hourly task would have done by now: the sales owner of each old provisional deal
    # chased (escalated past the firm's delay), blocked milestones' project managers chased.
    # Once per step, so loading the demo again sends nothing more; only this module's deals (the
    # billing demo, loaded after, adds deals of its own).
    ours = list(Deal.objects.filter(title__in=[spec.title for spec in DEALS]).values_list("pk", flat=True))
    replay_chases(ours)


def _month_dated(today: datetime.date) -> None:
    """The training's dates and the portal's acceptance report, on the billed month's calendar."""
    billed = billed_month(today)
    for spec in DEALS:
        if spec.title == "Formation Power BI des équipes logistiques":
            spec.start_days = (billed - today).days + TRAINING_DATES["start"]
            spec.end_days = (billed - today).days + TRAINING_DATES["end"]
            spec.signed_days_ago = (today - billed).days - TRAINING_DATES["signed"]
            for doc in spec.documents:
                doc.signed_days_ago = spec.signed_days_ago
        if spec.title == "Refonte du portail patients":
            for doc in spec.documents:
                doc.signed_days_ago = (today - billed).days - PORTAL_PV_DAY


def replay_chases(deal_ids, *, now: datetime.datetime | None = None) -> None:
    """What the hourly task would have sent by `now` about these deals: each chase of an unsigned
    deal or a blocked milestone at its step (every `chase_every_days`), each escalation once its
    delay is over, dated when it would have gone out. Each is claimed once (loading again adds only
    the steps reached since)."""
    now = now or timezone.now()
    rules = policy()
    every = datetime.timedelta(days=rules.chase_every_days)
    moments = set()
    for since in Deal.objects.filter(pk__in=deal_ids, status=DealStatus.PROVISIONAL).values_list("provisional_since", flat=True):
        moment = since + every
        while moment <= now:
            moments.add(moment)
            moment += every
        escalation = since + datetime.timedelta(days=rules.escalate_after_days)
        if escalation <= now:
            moments.add(escalation)
    blocked = Milestone.objects.filter(deal_id__in=deal_ids, status=MilestoneStatus.BLOCKED, blocked_since__isnull=False)
    for since in blocked.values_list("blocked_since", flat=True):
        moment = since
        while moment <= now:
            moments.add(moment)
            moment += every
        escalation = since + datetime.timedelta(days=rules.milestone_escalate_after_days)
        if escalation <= now:
            moments.add(escalation)
    for moment in sorted(moments):  # each reminder is recorded as sent at `moment`
        chase_unsigned_deals(now=moment, deal_ids=deal_ids)
        chase_blocked_milestones(now=moment, deal_ids=deal_ids)


def _hierarchy() -> None:
    """Managers for the escalations: the sales owner reports to the admin, the project manager
    to the manager (unless someone set them already)."""
    admin, sales, pm, manager = (_member(e) for e in (ADMIN_EMAIL, SALES_EMAIL, PM_EMAIL, MANAGER_EMAIL))
    if sales and admin:
        Membership.objects.filter(pk=sales.pk, reports_to__isnull=True).update(reports_to=admin)
    if pm and manager:
        Membership.objects.filter(pk=pm.pk, reports_to__isnull=True).update(reports_to=manager)


def _day(today: datetime.date, days: int | None) -> datetime.date | None:
    return None if days is None else today + datetime.timedelta(days=days)


def _deal(tenant: Tenant, adv: Membership, spec: DemoDeal, today: datetime.date, types: dict, stored: list) -> None:
    client = Client.objects.filter(siren=spec.client_siren).first()
    if client is None or Deal.objects.filter(client=client, title=spec.title).exists():
        return
    deal = services.deal_create(
        actor=adv, client=client, title=spec.title, deal_type=spec.deal_type, start_date=_day(today, spec.start_days),
        end_date=_day(today, spec.end_days), ordered_amount=Decimal(spec.ordered_amount) if spec.ordered_amount else None,
        project_manager=_member(spec.pm) if spec.pm else None, consultant_instructions=spec.instructions,
        pre_invoice_notes=spec.pre_invoice_notes,
    )
    # Documents on the client record, attached to the deal.
    for doc in spec.documents:
        document_demo.add_document(tenant, adv, client, types[doc.type_code], doc, today, stored)
        Document.objects.filter(client=client, title=doc.title).update(deal=deal)
    for title in spec.attach_existing:
        Document.objects.filter(client=client, title=title, deal__isnull=True).update(deal=deal)
    for po in spec.purchase_orders:
        document = Document.objects.filter(client=client, title=po.get("document", "")).first()
        services.purchase_order_save(
            actor=adv, deal=deal, number=po["number"], amount=Decimal(po["amount"]), valid_from=_day(today, po["valid_from"]),
            valid_until=_day(today, po["valid_until"]), document=document,
        )
    if spec.status == DealStatus.DRAFT:
        return
    if spec.provisional_days is not None:
        deal = services.deal_validate_provisionally(actor=adv, deal=deal)
        Deal.objects.filter(pk=deal.pk).update(provisional_since=timezone.now() - datetime.timedelta(days=spec.provisional_days, hours=2))
        deal.refresh_from_db()
    if spec.status == DealStatus.LOST:
        services.deal_mark_lost(actor=adv, deal=deal, reason=spec.lost_reason)
        return
    if spec.signed_days_ago is not None:
        signatory = Contact.objects.filter(client=client, is_active=True).order_by("last_name").first()
        deal = services.deal_sign(
            actor=adv, deal=deal, signed_on=today - datetime.timedelta(days=spec.signed_days_ago), signed_by_contact=signatory,
            override_reason=spec.override_reason,
        )
    for staff in spec.staff:
        consultant = _member(staff.email)
        if consultant is None or consultant.role != Role.CONSULTANT:
            continue
        services.assignment_create(
            actor=adv, deal=deal, consultant=consultant, daily_rate=Decimal(staff.daily_rate),
            purchase_daily_rate=Decimal(staff.purchase_daily_rate) if staff.purchase_daily_rate and consultant.is_contractor else None,
            start_date=deal.start_date, end_date=deal.end_date,
            planned_days=Decimal(staff.planned_days) if staff.planned_days else None,
            reception_number_required=staff.reception_number_required,
        )
    if spec.title in ("Refonte du portail patients", "Formation Power BI des équipes logistiques"):
        rows = PORTAL_MILESTONES if spec.title == "Refonte du portail patients" else TRAINING_MILESTONES
        offset = (billed_month(today) - today).days
        _schedule(adv, deal, [(label, None if due is None else offset + due, *rest) for label, due, *rest in rows], today, types)
    elif spec.deal_type == DealType.SUBSCRIPTION:
        services.subscription_save(
            actor=adv, deal=deal, label="Infogérance – forfait mensuel", amount=Decimal("4500.00"), period="monthly",
            timing="advance", start_date=deal.start_date, end_date=deal.end_date,
        )
        services.subscription_save(
            actor=adv, deal=deal, label="Supervision 24/7 – forfait trimestriel", amount=Decimal("2700.00"), period="quarterly",
            timing="arrears", start_date=deal.start_date, end_date=deal.end_date,
        )
    if spec.status in (DealStatus.ACTIVE, DealStatus.CLOSED):
        deal = services.deal_activate(actor=adv, deal=deal)
    if spec.status == DealStatus.CLOSED:
        services.deal_close(actor=adv, deal=deal)


def _schedule(adv: Membership, deal: Deal, rows, today: datetime.date, types: dict) -> None:
    """The milestones (due in days from today); a blocked one has been blocked since its due date
    (the daily task saw it that morning)."""
    items = [
        {
            "label": label, "due_date": _day(today, due), "due_event": event, "amount": Decimal(amount),
            "required_document_type": types.get(code) if code else None,
        }
        for label, due, event, amount, code, _doc in rows
    ]
    services.milestone_schedule_replace(actor=adv, deal=deal, items=items)
    for label, _due, _event, _amount, _code, doc_title in rows:
        milestone = Milestone.objects.get(deal=deal, label=label)
        if doc_title:
            document = Document.objects.filter(client=deal.client, title=doc_title).first()
            if document is not None:
                services.milestone_attach_document(actor=adv, milestone=milestone, document=document)
        milestone.refresh_from_db()
        if milestone.status == MilestoneStatus.BLOCKED and milestone.due_date is not None:
            zone = timezone.get_current_timezone()
            seen = datetime.datetime.combine(milestone.due_date, datetime.time(8, 5), tzinfo=zone)
            Milestone.objects.filter(pk=milestone.pk).update(blocked_since=min(seen, timezone.now()))
