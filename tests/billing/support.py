"""The firm every billing test starts from (no test here).

Tenant "alpha" (Alpha Conseil SAS, a complete legal identity) bills October 2026:

- Helios Énergies (France): a signed time-and-materials deal, bob at 650 €/day (20 days) and Chloé at
  720 €/day (18 days), October timesheets approved. Marc receives the invoices. → one ready pre-invoice.
- Orion Industrie (France): a signed fixed-price deal, two milestones due in October: "Lot 1" with its
  PV de recette attached, "Lot 2" without. → one pre-invoice, blocked (missing PV).
- Nova GmbH (Germany, EU VAT number): a subscription of 1,500 € a month, billed in advance from
  1 October. → one ready pre-invoice under reverse charge.

People: alice (admin), bob (consultant), Sophie (adv), Alex (accountant), Paul (sales, owns the deals),
Manon (manager), Chloé (consultant reporting to Manon). `carol` is the admin of another firm.

Helpers build the month (`build`), issue (`issue`) and render (`render`) through the services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Tenant
from billing import rendering, runs, services
from billing.models import Invoice
from clients import services as client_services
from clients.models import BillingProfile
from deals import services as deal_services
from deals.models import Milestone
from documents import services as document_services
from documents.models import DocumentType
from tests.conftest import Persona
from tests.factories import DocumentFactory, MembershipFactory, UserFactory
from timesheets.models import Timesheet, TimesheetEntry, TimesheetLine, TimesheetStatus

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)
ISSUE_DATE = datetime.date(2026, 11, 2)
# A test that looks at how invoices age runs on this day (`@ON_BILLING_DAY`): after the issue date,
# before a 30-day invoice issued on ISSUE_DATE falls due (2 December).
BILLING_DAY = datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
ON_BILLING_DAY = pytest.mark.time_machine(BILLING_DAY, tick=True)
SELLER = {
    "legal_name": "Alpha Conseil SAS",
    "legal_form": "SAS",
    "share_capital": Decimal("50000"),
    "rcs_city": "Paris",
    "siren": "732829320",
    "siret": "73282932000074",
    "vat_number": "FR44732829320",
    "address_line1": "12 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP",
}


def working_days(month: datetime.date, count: int) -> list[datetime.date]:
    days, day = [], month
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


@dataclass
class BillingFirm:
    tenant: Tenant
    alice: Persona
    bob: Persona
    adv: Persona
    accountant: Persona
    sales: Persona
    manager: Persona
    chloe: Persona
    helios: object
    orion: object
    nova: object
    tm_deal: object
    fixed_deal: object
    subscription_deal: object
    bob_assignment: object
    chloe_assignment: object
    timesheets: dict = field(default_factory=dict)
    milestones: list = field(default_factory=list)

    def build(self, month: datetime.date = OCTOBER):
        with tenant_context(self.tenant):
            return runs.run_now(actor=self.adv.membership, month=month)

    def drafts(self, month: datetime.date = OCTOBER) -> list[Invoice]:
        with tenant_context(self.tenant):
            return list(
                Invoice.objects.filter(month=month, status="draft")
                .prefetch_related("lines")
                .order_by("client__legal_name")
            )

    def draft_of(self, client, month: datetime.date = OCTOBER) -> Invoice:
        with tenant_context(self.tenant):
            return Invoice.objects.get(month=month, status="draft", client=client)

    def issue(self, invoices, issue_date: datetime.date = ISSUE_DATE):
        with tenant_context(self.tenant):
            return services.invoices_issue(
                actor=self.adv.membership, invoice_ids=[i.pk for i in invoices], issue_date=issue_date
            )

    def render(self, invoice: Invoice) -> Invoice:
        with tenant_context(self.tenant):
            rendering.render_stored(invoice.pk)
            return Invoice.objects.get(pk=invoice.pk)

    def attach_missing_pv(self) -> None:
        """Give Orion's second milestone its PV de recette: the fixed-price pre-invoice becomes ready."""
        with tenant_context(self.tenant):
            pv = DocumentType.objects.get(code="pv-recette")
            document = DocumentFactory(
                client=self.orion,
                document_type=pv,
                deal=self.fixed_deal,
                title="PV lot 2",
                security_level=1,
                uploaded_by=self.adv.membership,
            )
            Milestone.objects.filter(pk=self.milestones[1].pk).update(document=document)


def member(tenant, role: str, first: str, last: str, *, reports_to=None) -> Persona:
    user = UserFactory(
        email=f"{first.lower()}.{last.lower()}@alpha.test".replace("é", "e"), first_name=first, last_name=last
    )
    with tenant_context(tenant):
        membership = MembershipFactory(
            user=user, role=role, reports_to=reports_to, clearance_level=4 if role in ("admin", "adv") else 1
        )
    return Persona(user, membership, tenant)


def approved_timesheet(
    tenant, consultant, assignment, days: int, month: datetime.date = OCTOBER, approver=None
) -> Timesheet:
    """An approved month, written directly (the timesheet workflow has its own tests)."""
    with tenant_context(tenant):
        timesheet = Timesheet.objects.create(
            consultant=consultant,
            month=month,
            status=TimesheetStatus.APPROVED,
            submitted_at=datetime.datetime(2026, 10, 30, 9, tzinfo=datetime.UTC),
            first_submitted_at=datetime.datetime(2026, 10, 30, 9, tzinfo=datetime.UTC),
            approved_at=datetime.datetime(2026, 10, 31, 9, tzinfo=datetime.UTC),
            approved_by=approver,
        )
        line = TimesheetLine.objects.create(timesheet=timesheet, assignment=assignment)
        TimesheetEntry.objects.bulk_create(
            [
                TimesheetEntry(tenant_id=tenant.pk, line=line, day=day, quantity=Decimal("1"))
                for day in working_days(month, days)
            ]
        )
    return timesheet


def _client(actor, name: str, *, country="FR", siren="", vat="", adv=None, contact_email="", **extra):
    client = client_services.client_create(
        actor=actor,
        legal_name=name,
        status="client",
        country=country,
        siren=siren,
        vat_number=vat,
        billing_line1="1 avenue des Clients",
        billing_postal_code="69001",
        billing_city="Lyon",
        billing_country=country,
        adv_owner=adv,
        **extra,
    )
    if contact_email:
        client_services.contact_create(
            actor=actor,
            client=client,
            first_name="Marc",
            last_name="Olivier",
            email=contact_email,
            invoice_delivery="to",
            signs_timesheets=True,
        )
    return client


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return root


@pytest.fixture
def billing_firm(alice, bob, media) -> BillingFirm:
    tenant = alice.tenant
    Tenant.objects.filter(pk=tenant.pk).update(**SELLER)
    tenant.refresh_from_db()
    adv = member(tenant, "adv", "Sophie", "Bernard")
    accountant = member(tenant, "accountant", "Alex", "Compta")
    sales = member(tenant, "sales", "Paul", "Vendeur")
    manager = member(tenant, "manager", "Manon", "Lefort")
    chloe = member(tenant, "consultant", "Chloé", "David", reports_to=manager.membership)
    actor = alice.membership
    with tenant_context(tenant):
        document_services.document_types_seed_defaults()
        helios = _client(
            actor,
            "Helios Énergies SA",
            siren="404833048",
            vat="FR83404833048",
            adv=adv.membership,
            contact_email="factures@helios.example",
        )
        orion = _client(
            actor,
            "Orion Industrie SAS",
            siren="552081317",
            vat="FR03552081317",
            adv=adv.membership,
            contact_email="compta@orion.example",
        )
        nova = _client(
            actor, "Nova GmbH", country="DE", vat="DE136695976", adv=adv.membership, contact_email="ap@nova.example"
        )
        common = {"sales_owner": sales.membership, "project_manager": manager.membership, "adv_owner": adv.membership}
        tm_deal = deal_services.deal_create(
            actor=actor,
            client=helios,
            deal_type="t_and_m",
            title="Refonte du portail client",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
            **common,
        )
        tm_deal = deal_services.deal_sign(
            actor=actor, deal=tm_deal, signed_on=datetime.date(2026, 1, 5), override_reason="Contrat signé hors outil"
        )
        bob_assignment = deal_services.assignment_create(
            actor=actor,
            deal=tm_deal,
            consultant=bob.membership,
            daily_rate=Decimal("650"),
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
        )
        chloe_assignment = deal_services.assignment_create(
            actor=actor,
            deal=tm_deal,
            consultant=chloe.membership,
            daily_rate=Decimal("720"),
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
        )
        fixed_deal = deal_services.deal_create(
            actor=actor,
            client=orion,
            deal_type="fixed_price",
            title="Migration ERP",
            ordered_amount=Decimal("30000"),
            start_date=datetime.date(2026, 6, 1),
            end_date=datetime.date(2026, 12, 31),
            **common,
        )
        fixed_deal = deal_services.deal_sign(
            actor=actor, deal=fixed_deal, signed_on=datetime.date(2026, 6, 1), override_reason="Signé"
        )
        pv = DocumentType.objects.get(code="pv-recette")
        milestones = deal_services.milestone_schedule_replace(
            actor=actor,
            deal=fixed_deal,
            items=[
                {
                    "label": "Lot 1 – cadrage",
                    "due_date": datetime.date(2026, 10, 15),
                    "amount": "12000",
                    "required_document_type": pv,
                },
                {
                    "label": "Lot 2 – recette",
                    "due_date": datetime.date(2026, 10, 30),
                    "amount": "18000",
                    "required_document_type": pv,
                },
            ],
        )
        document = DocumentFactory(
            client=orion,
            document_type=pv,
            deal=fixed_deal,
            title="PV lot 1",
            security_level=1,
            uploaded_by=adv.membership,
        )
        Milestone.objects.filter(pk=milestones[0].pk).update(document=document)
        subscription_deal = deal_services.deal_create(
            actor=actor,
            client=nova,
            deal_type="subscription",
            title="Tierce maintenance applicative",
            start_date=datetime.date(2026, 10, 1),
            end_date=datetime.date(2027, 9, 30),
            **common,
        )
        subscription_deal = deal_services.deal_sign(
            actor=actor, deal=subscription_deal, signed_on=datetime.date(2026, 9, 20), override_reason="Signé"
        )
        deal_services.subscription_save(
            actor=actor,
            deal=subscription_deal,
            label="Maintenance mensuelle",
            amount=Decimal("1500"),
            period="monthly",
            timing="advance",
            start_date=datetime.date(2026, 10, 1),
            end_date=datetime.date(2027, 9, 30),
        )
        BillingProfile.objects.filter(client__in=[helios, orion, nova]).update(payment_terms_days=30)
    timesheets = {
        "bob": approved_timesheet(tenant, bob.membership, bob_assignment, 20, approver=alice.membership),
        "chloe": approved_timesheet(tenant, chloe.membership, chloe_assignment, 18, approver=manager.membership),
    }
    return BillingFirm(
        tenant=tenant,
        alice=alice,
        bob=bob,
        adv=adv,
        accountant=accountant,
        sales=sales,
        manager=manager,
        chloe=chloe,
        helios=helios,
        orion=orion,
        nova=nova,
        tm_deal=tm_deal,
        fixed_deal=fixed_deal,
        subscription_deal=subscription_deal,
        bob_assignment=bob_assignment,
        chloe_assignment=chloe_assignment,
        timesheets=timesheets,
        milestones=list(milestones),
    )


PUBLIC_SIRET = "21690123100011"  # a town hall on Chorus Pro


def public_client(firm, *, engagement_required=True, with_po=None, po_amount=None):
    """A town on Chorus Pro (service code SERV-42), billed 5 days at 800 € in October."""
    consultant = member(firm.tenant, "consultant", "Lea", "Martin")
    with tenant_context(firm.tenant):
        client = client_services.client_create(
            actor=firm.alice.membership,
            legal_name="Ville de Lyon",
            status="client",
            country="FR",
            siren=PUBLIC_SIRET[:9],
            siret=PUBLIC_SIRET,
            is_public_sector=True,
            billing_line1="1 place de la Comédie",
            billing_postal_code="69001",
            billing_city="Lyon",
            billing_country="FR",
            adv_owner=firm.adv.membership,
        )
        client_services.contact_create(
            actor=firm.alice.membership,
            client=client,
            first_name="Agnès",
            last_name="Payeur",
            email="factures@lyon.example",
            invoice_delivery="to",
        )
        BillingProfile.objects.filter(client=client).update(
            chorus_service_code="SERV-42", chorus_engagement_required=engagement_required, payment_terms_days=30
        )
        deal = deal_services.deal_create(
            actor=firm.alice.membership,
            client=client,
            deal_type="t_and_m",
            title="Assistance à maîtrise d'ouvrage",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
            sales_owner=firm.sales.membership,
            project_manager=firm.manager.membership,
            adv_owner=firm.adv.membership,
        )
        deal = deal_services.deal_sign(
            actor=firm.alice.membership, deal=deal, signed_on=datetime.date(2026, 1, 5), override_reason="Marché"
        )
        assignment = deal_services.assignment_create(
            actor=firm.alice.membership,
            deal=deal,
            consultant=consultant.membership,
            daily_rate=Decimal("800"),
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31),
        )
        if with_po:
            extra = {"amount": po_amount} if po_amount is not None else {}
            deal_services.purchase_order_save(actor=firm.alice.membership, deal=deal, number=with_po, **extra)
    approved_timesheet(firm.tenant, consultant.membership, assignment, 5, approver=firm.alice.membership)
    return client, deal
