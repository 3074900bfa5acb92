"""What the client gives on the portal clears the pre-invoice at once, without a billing run
(reception number, purchase order, PV de recette); bad files and too-long numbers are refused
with nothing stored; invoices are listed, downloaded and disputed (the dunning's signal)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from adv.celery import app as celery_app
from adv.tenancy.context import tenant_context
from billing import readiness
from billing.models import Invoice
from billing.signals import invoice_disputed
from clients.models import BillingProfile
from deals.models import Milestone, MilestoneStatus, PurchaseOrder
from documents.models import Document
from portal import services
from portal.models import InvoiceDispute, PortalSignature
from tests.billing import support as billing_support
from tests.portal.conftest import invite, signed_in, url
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db

billing_firm = billing_support.billing_firm

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    celery_app.conf.task_always_eager = previous


def _profile(firm, client, **fields):
    with tenant_context(firm.tenant):
        BillingProfile.objects.filter(client=client).update(**fields)


def _codes(invoice) -> set[str]:
    return {c["code"] for c in invoice.checks}


def test_a_reception_number_given_on_the_portal_clears_the_pre_invoice_without_a_run(billing_firm, eager):
    _profile(billing_firm, billing_firm.helios, reception_number_required=True)
    billing_firm.build()
    assert billing_firm.draft_of(billing_firm.helios).readiness == "blocked"
    contact = invite(billing_firm, billing_firm.helios, "Marc", "Olivier", "marc@helios.example")
    with tenant_context(billing_firm.tenant):
        services.portal_configure(actor=billing_firm.adv.membership, client=billing_firm.helios, enabled=True, reception_number_max_length=12)
    browser = signed_in(billing_firm.tenant, contact)
    page = browser.get(url(billing_firm.tenant.slug, "references/")).content.decode()
    lines = {}
    with tenant_context(billing_firm.tenant):
        for timesheet in billing_firm.timesheets.values():
            line = TimesheetLine.objects.get(timesheet=timesheet)
            lines[line.pk] = line
            assert str(line.pk) in page
    first = next(iter(lines))
    too_long = browser.post(url(billing_firm.tenant.slug, "references/"), {"line": str(first), "number": "REC-2026-10-0001"})
    assert too_long.status_code == 400 and "12 caractères" in too_long.content.decode()
    with tenant_context(billing_firm.tenant):
        assert TimesheetLine.objects.get(pk=first).reception_number == ""
    for pk in lines:
        with eager():
            assert browser.post(url(billing_firm.tenant.slug, "references/"), {"line": str(pk), "number": "REC-10"}).status_code == 302
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (readiness.MISSING_RECEPTION in _codes(helios), helios.readiness) == (False, "ready")


def test_a_purchase_order_given_on_the_portal_clears_the_pre_invoice_and_an_exe_is_refused(billing_firm, eager):
    _profile(billing_firm, billing_firm.helios, purchase_order_required=True)
    billing_firm.build()
    assert readiness.MISSING_PO in _codes(billing_firm.draft_of(billing_firm.helios))
    contact = invite(billing_firm, billing_firm.helios, "Marc", "Olivier", "marc@helios.example")
    browser = signed_in(billing_firm.tenant, contact)
    form = {"action": "po", "deal": str(billing_firm.tm_deal.pk), "number": "BC-77", "amount": "500 000,50"}
    refused = browser.post(url(billing_firm.tenant.slug, "references/"),
                           {**form, "file": SimpleUploadedFile("bon.pdf", EXE_BYTES, content_type="application/pdf")})
    assert refused.status_code == 400 and b"po-error" in refused.content
    with tenant_context(billing_firm.tenant):
        assert not PurchaseOrder.objects.filter(number="BC-77").exists()
        assert not Document.objects.filter(title__contains="BC-77").exists()
    with eager():
        ok = browser.post(url(billing_firm.tenant.slug, "references/"),
                          {**form, "file": SimpleUploadedFile("bon.pdf", PDF_BYTES, content_type="application/pdf")})
    assert ok.status_code == 302
    with tenant_context(billing_firm.tenant):
        po = PurchaseOrder.objects.select_related("document").get(number="BC-77")
        assert po.amount == Decimal("500000.50") and po.document.client_id == billing_firm.helios.pk
    helios = billing_firm.draft_of(billing_firm.helios)
    assert (helios.readiness, helios.po_number) == ("ready", "BC-77")


def test_approving_the_pv_online_unblocks_the_milestone_at_once(billing_firm, eager):
    milestone = billing_firm.milestones[1]
    with tenant_context(billing_firm.tenant):
        assert Milestone.objects.get(pk=milestone.pk).status in (MilestoneStatus.BLOCKED, MilestoneStatus.DUE)
    contact = invite(billing_firm, billing_firm.orion, "Inès", "Roy", "ines@orion.example")
    browser = signed_in(billing_firm.tenant, contact)
    page = browser.get(url(billing_firm.tenant.slug, "milestones/")).content.decode()
    assert str(milestone.pk) in page
    draft = browser.get(url(billing_firm.tenant.slug, f"milestones/{milestone.pk}/draft.pdf"))
    assert draft.status_code == 200 and draft.content.startswith(b"%PDF")
    sha = page.split(f'value="{milestone.pk}"><input type="hidden" name="sha256" value="')[1][:64]
    assert browser.post(url(billing_firm.tenant.slug, "milestones/"), {"milestone": str(milestone.pk), "sha256": "0" * 64}).status_code == 400
    with eager():
        assert browser.post(url(billing_firm.tenant.slug, "milestones/"), {"milestone": str(milestone.pk), "sha256": sha}).status_code == 302
    with tenant_context(billing_firm.tenant):
        milestone = Milestone.objects.select_related("document__document_type").get(pk=milestone.pk)
        assert milestone.status == MilestoneStatus.READY and milestone.document.document_type.code == "pv-recette"
        signature = PortalSignature.objects.get(milestone=milestone)
        assert signature.sha256 == sha and signature.document_id == milestone.document_id


def test_invoices_are_listed_downloaded_and_disputed(billing_firm, time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 20, tzinfo=PARIS), tick=False)
    billing_firm.attach_missing_pv()
    billing_firm.build()
    invoice = billing_firm.render(billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0])
    marc = invite(billing_firm, billing_firm.helios, "Marc", "Olivier", "marc@helios.example")
    ines = invite(billing_firm, billing_firm.orion, "Inès", "Roy", "ines@orion.example")
    browser = signed_in(billing_firm.tenant, marc)
    listing = browser.get(url(billing_firm.tenant.slug, "invoices/")).content.decode()
    assert invoice.number in listing and 'data-status="issued"' in listing  # due on 2 December
    time_machine.move_to(datetime.datetime(2026, 12, 3, 2, tzinfo=PARIS), tick=False)
    assert 'data-status="overdue"' in browser.get(url(billing_firm.tenant.slug, "invoices/")).content.decode()
    pdf = browser.get(url(billing_firm.tenant.slug, f"invoices/{invoice.pk}/pdf/"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # another client's contact: not found, in the list and the files
    other = signed_in(billing_firm.tenant, ines)
    assert invoice.number not in other.get(url(billing_firm.tenant.slug, "invoices/")).content.decode()
    assert other.get(url(billing_firm.tenant.slug, f"invoices/{invoice.pk}/pdf/")).status_code == 404
    assert other.post(url(billing_firm.tenant.slug, f"invoices/{invoice.pk}/dispute/"), {"message": "x"}).status_code == 404
    # a dispute needs a message, then reaches the dunning's signal
    sent = []
    invoice_disputed.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="t-dispute")
    try:
        browser.post(url(billing_firm.tenant.slug, f"invoices/{invoice.pk}/dispute/"), {"message": "  "})
        assert sent == []
        browser.post(url(billing_firm.tenant.slug, f"invoices/{invoice.pk}/dispute/"), {"message": "Le taux appliqué est faux."})
    finally:
        invoice_disputed.disconnect(dispatch_uid="t-dispute")
    assert sent == [{"signal": invoice_disputed, "sender": Invoice, "invoice_id": str(invoice.pk), "disputed": True,
                     "reason": "Le taux appliqué est faux.", "source": "portal"}]
    with tenant_context(billing_firm.tenant):
        assert InvoiceDispute.objects.get(invoice=invoice).contact_id == marc.pk
    assert "contestée" in browser.get(url(billing_firm.tenant.slug, "invoices/")).content.decode()



def test_the_clients_own_signed_pv_is_checked_then_unblocks_the_milestone(billing_firm, eager):
    milestone = billing_firm.milestones[1]
    contact = invite(billing_firm, billing_firm.orion, "Inès", "Roy", "ines@orion.example")
    browser = signed_in(billing_firm.tenant, contact)
    form = {"action": "upload", "milestone": str(milestone.pk)}
    refused = browser.post(url(billing_firm.tenant.slug, "milestones/"),
                           {**form, "file": SimpleUploadedFile("pv.pdf", EXE_BYTES, content_type="application/pdf")})
    assert refused.status_code == 400 and b"portal-error" in refused.content
    with tenant_context(billing_firm.tenant):
        assert Milestone.objects.get(pk=milestone.pk).document_id is None
    with eager():
        ok = browser.post(url(billing_firm.tenant.slug, "milestones/"),
                          {**form, "file": SimpleUploadedFile("pv.pdf", PDF_BYTES, content_type="application/pdf")})
    assert ok.status_code == 302
    with tenant_context(billing_firm.tenant):
        milestone = Milestone.objects.select_related("document__current_version").get(pk=milestone.pk)
        assert milestone.status == MilestoneStatus.READY and milestone.document.current_version.original_name == "pv.pdf"
        assert milestone.document.client_id == billing_firm.orion.pk
