"""The demo firm's clients: realistic, every checklist state present, and idempotent seeding."""

from __future__ import annotations

import pytest

from adv.tenancy import demo as tenancy_demo
from adv.tenancy.context import tenant_context
from clients import demo
from clients.models import BillingProfile, Client, ClientName, Contact
from documents import demo as document_demo
from documents.models import Document, DocumentVersion
from documents.requirements import checklist_clients, checklists, missing_documents, tenant_today
from tests.documents import test_requirements_support as support

pytestmark = pytest.mark.django_db
media = support.media


def seed():
    tenant = tenancy_demo.seed()
    with tenant_context(tenant):
        demo.seed(tenant)
        document_demo.seed(tenant)
    return tenant


def snapshot(tenant, media_root) -> dict:
    with tenant_context(tenant):
        return {
            "clients": Client.objects.count(),
            "names": ClientName.objects.count(),
            "contacts": Contact.objects.count(),
            "documents": Document.objects.count(),
            "versions": DocumentVersion.objects.count(),
            "profiles": BillingProfile.objects.count(),
            "files": sum(1 for path in media_root.rglob("*") if path.is_file()),
        }


def test_seeding_the_demo_twice_changes_nothing(media):
    # given the demo seeded once
    tenant = seed()
    first = snapshot(tenant, media)
    # when it is seeded again
    seed()
    # then the counts are the same
    assert snapshot(tenant, media) == first
    assert first["clients"] == 12 and first["documents"] >= 20 and first["files"] == first["versions"]


def test_the_demo_shows_every_state_and_every_kind_of_client(media):
    tenant = seed()
    with tenant_context(tenant):
        today = tenant_today(tenant)
        clients = list(checklist_clients())
        states = {item.status for items in checklists(clients, today=today).values() for item in items}
        # every state of the checklist
        assert states == {"present", "missing", "expired"}
        rows = missing_documents(today=today)
        assert {row.status for row in rows} == {"missing", "expired"}
        assert any(row.responsible is None for row in rows)  # a client without ADV: "non attribué"
        # prospects, clients, a former client, a group with a subsidiary
        assert {c.status for c in clients} == {"prospect", "client", "former"}
        assert Client.objects.filter(parent__isnull=False).count() == 1
        # a public-sector client on Chorus Pro with its service code
        public = Client.objects.get(is_public_sector=True)
        assert public.billing_profile.einvoicing_platform == "chorus_pro"
        assert public.billing_profile.chorus_service_code
        # another platform, with instructions and an encrypted password
        other = BillingProfile.objects.get(einvoicing_platform="other")
        assert other.platform_instructions and other.has_platform_password
        assert BillingProfile.objects.filter(purchase_order_required=True).exists()
        assert BillingProfile.objects.filter(reception_number_required=True).exists()
        assert BillingProfile.objects.filter(signed_timesheet_required=True).exists()
        # a renamed client whose old contract keeps the former name
        renamed = Client.objects.get(siren="778945618")
        assert ClientName.objects.filter(client=renamed).count() == 2
        contract = Document.objects.get(client=renamed, document_type__code="contrat-cadre")
        assert contract.client_name_at_date == "Transports Dufresne et Fils SARL"
        assert renamed.legal_name == "Dufresne Transports & Logistique SAS"
        # contacts with their flags; documents are real PDFs with their versions
        assert Contact.objects.filter(invoice_delivery="to").exists()
        assert Contact.objects.filter(signs_timesheets=True).exists()
        version = DocumentVersion.objects.filter(number=2).get()
        assert version.document.current_version_id == version.pk
        assert version.content_type == "application/pdf" and version.size > 1000
        # owners and ADV come from the demo members
        emails = set(Client.objects.exclude(owner=None).values_list("owner__user__email", flat=True))
        assert "sales@demo.adv.test" in emails
