"""Fixtures of the deals tests: members of every role on tenant A (with managers, for the
escalations), a client, document types and the documents a deal type requires, and a helper
that puts a deal in any status through the services.

bob (tests/conftest.py) is an employee consultant of tenant A; `contractor` an external one.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from adv.tenancy.context import tenant_context
from clients import services as client_services
from deals import services
from deals.models import Deal, DealStatus, DealType
from documents import services as document_services
from documents.models import DocumentType
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
TODAY = datetime.date.today


def pdf(name: str = "bdc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """Documents stored in a temporary MEDIA_ROOT; no antivirus."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.CLAMAV_ADDRESS = ""
    return root


@pytest.fixture
def make_member(tenant_a):
    """A member of tenant A with any role (and manager, contractor flag, clearance)."""
    counter = {"n": 0}

    def make(role: str, *, reports_to=None, is_contractor: bool = False, clearance_level: int = 3, email: str | None = None) -> Persona:
        counter["n"] += 1
        user = UserFactory(email=email or f"{role}{counter['n']}@alpha.test", first_name=role.title(), last_name=f"N{counter['n']}")
        with tenant_context(tenant_a):
            membership = MembershipFactory(
                user=user, role=role, reports_to=reports_to, is_contractor=is_contractor, clearance_level=clearance_level
            )
        return Persona(user, membership, tenant_a)

    return make


@pytest.fixture
def manager(make_member) -> Persona:
    return make_member("manager", email="manon.manager@alpha.test")


@pytest.fixture
def adv(make_member) -> Persona:
    return make_member("adv", email="sophie.adv@alpha.test")


@pytest.fixture
def sales(make_member, manager) -> Persona:
    return make_member("sales", reports_to=manager.membership, email="thomas.sales@alpha.test")


@pytest.fixture
def pm(make_member, manager) -> Persona:
    return make_member("project_manager", reports_to=manager.membership, email="julie.pm@alpha.test")


@pytest.fixture
def contractor(make_member, manager) -> Persona:
    return make_member("consultant", reports_to=manager.membership, is_contractor=True, email="hugo.freelance@alpha.test", clearance_level=1)


@pytest.fixture
def client_a(alice, sales, adv):
    with tenant_context(alice.tenant):
        client = client_services.client_create(
            actor=alice.membership, legal_name="Helios Énergies SA", status="client", owner=sales.membership, adv_owner=adv.membership,
        )
        client_services.contact_create(
            actor=alice.membership, client=client, first_name="Marc", last_name="Olivier", email="marc@helios.example",
            signs_acceptance_reports=True,
        )
    return client


@pytest.fixture
def doc_types(alice) -> dict[str, DocumentType]:
    with tenant_context(alice.tenant):
        document_services.document_types_seed_defaults()
        return {t.code: t for t in DocumentType.objects.all()}


@pytest.fixture
def deal_requirements(alice, doc_types):
    """Signing a T&M deal needs a purchase order document; a fixed price, a signed quote."""
    with tenant_context(alice.tenant):
        document_services.requirement_save(actor=alice.membership, document_type=doc_types["bon-de-commande"], applies_to="deal_t_and_m")
        document_services.requirement_save(actor=alice.membership, document_type=doc_types["devis-signe"], applies_to="deal_fixed_price")
    return doc_types


@pytest.fixture
def make_deal(alice, client_a):
    """A deal of tenant A in the given status, through the services (signatures with an override)."""

    def make(status: str = DealStatus.DRAFT, *, deal_type: str = DealType.T_AND_M, client=None, actor=None, **fields) -> Deal:
        actor = actor or alice.membership
        fields.setdefault("title", "Refonte du portail client")
        fields.setdefault("start_date", TODAY() - datetime.timedelta(days=30))
        fields.setdefault("end_date", TODAY() + datetime.timedelta(days=150))
        if deal_type == DealType.FIXED_PRICE:
            fields.setdefault("ordered_amount", Decimal("100000.00"))
        with tenant_context(alice.tenant):
            deal = services.deal_create(actor=actor, client=client or client_a, deal_type=deal_type, **fields)
            if status == DealStatus.PROVISIONAL:
                deal = services.deal_validate_provisionally(actor=alice.membership, deal=deal)
            elif status in (DealStatus.SIGNED, DealStatus.ACTIVE, DealStatus.CLOSED):
                deal = services.deal_sign(
                    actor=alice.membership, deal=deal, signed_on=TODAY() - datetime.timedelta(days=5), override_reason="Accord écrit du client."
                )
                if status in (DealStatus.ACTIVE, DealStatus.CLOSED):
                    deal = services.deal_activate(actor=alice.membership, deal=deal)
                if status == DealStatus.CLOSED:
                    deal = services.deal_close(actor=alice.membership, deal=deal)
            elif status == DealStatus.LOST:
                deal = services.deal_mark_lost(actor=alice.membership, deal=deal, reason="Concurrent retenu.")
        return deal

    return make


def age(deal: Deal, days: int, hours: int = 1) -> None:
    """Pretend the deal was validated provisionally `days` days ago."""
    with tenant_context(deal.tenant):
        Deal.objects.filter(pk=deal.pk).update(provisional_since=timezone.now() - datetime.timedelta(days=days, hours=hours))
        deal.refresh_from_db()
