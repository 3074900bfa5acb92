"""The dashboard's "to do" list. Billing's lines: the billed month's pre-invoices ready and
blocked, invoices to deposit, overdue ones with what remains due, failed PDFs; for ADV, admins and
accountants only, in one query, each linking to the page where the work is done. Then the lines of
deals, timesheets and clients, and whom they show to."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Membership
from adv.ui.dashboard import work_items
from billing.dashboard import billing_work
from billing.models import Invoice
from clients.models import BillingProfile
from deals.models import Deal, Milestone
from documents.models import DocumentRequirement, DocumentType
from timesheets.models import Timesheet

pytestmark = pytest.mark.django_db

# October is the billed month from 1 to 30 November.
TODAY = datetime.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _november(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def _items(firm, person) -> dict:
    with tenant_context(firm.tenant):
        return {item.key: item for item in billing_work(person.membership)}


def test_ready_and_blocked_pre_invoices_of_the_billed_month(billing_firm):
    billing_firm.build()
    items = _items(billing_firm, billing_firm.adv)
    drafts = billing_firm.drafts()
    ready = [d for d in drafts if d.readiness in ("ready", "action")]
    blocked = [d for d in drafts if d.readiness == "blocked"]
    assert ready and blocked
    assert (items["billing.ready"].count, items["billing.blocked"].count) == (len(ready), len(blocked))
    assert items["billing.blocked"].url.endswith("billing/?month=2026-10&readiness=blocked")
    assert items["billing.blocked"].tone == "danger"
    assert "octobre 2026" in items["billing.ready"].detail


def test_overdue_to_deposit_and_failed_renders(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        BillingProfile.objects.filter(client=billing_firm.helios).update(einvoicing_platform="chorus_pro")
    # Helios issued on 2 October, 30 days: due on 1 November, so overdue on the 28th
    (helios,) = billing_firm.issue(
        [billing_firm.draft_of(billing_firm.helios)], issue_date=datetime.date(2026, 10, 2)
    ).issued
    with tenant_context(billing_firm.tenant):
        Invoice.objects.filter(pk=helios.pk).update(render_status="failed", amount_paid=Decimal("1000.00"))
        helios = Invoice.objects.get(pk=helios.pk)
    assert helios.due_date < TODAY
    items = _items(billing_firm, billing_firm.adv)
    assert items["billing.to_deposit"].count == 1
    assert items["billing.failed"].count == 1
    assert items["billing.overdue"].count == 1
    assert items["billing.overdue"].amount == helios.total_gross - Decimal("1000.00")
    assert items["billing.overdue"].url.endswith("/billing/invoices/overdue/")


def test_one_query_and_nothing_for_other_roles(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        # as the dashboard has it: the member's firm already loaded with the request
        membership = Membership.objects.select_related("tenant").get(pk=billing_firm.accountant.membership.pk)
        with CaptureQueriesContext(connection) as queries:
            billing_work(membership)
    assert len(queries) == 1
    assert _items(billing_firm, billing_firm.accountant)
    assert _items(billing_firm, billing_firm.sales) == {}
    assert _items(billing_firm, billing_firm.bob) == {}


def test_the_dashboard_lists_them_most_urgent_first(billing_firm):
    billing_firm.build()
    html = billing_firm.adv.client().get(billing_firm.adv.url("")).content.decode()
    assert 'data-testid="work-items"' in html
    keys = [chunk.split('"', 1)[0] for chunk in html.split('data-key="')[1:]]
    assert keys.index("billing.blocked") < keys.index("billing.ready")
    consultant = billing_firm.bob.client().get(billing_firm.bob.url("")).content.decode()
    assert "billing." not in consultant


# --- What deals, timesheets and clients contribute, on the same firm -----------------------------


def _todo(firm, person) -> dict:
    with tenant_context(firm.tenant):
        membership = Membership.objects.select_related("tenant").get(pk=person.membership.pk)
        return {item.key: item for item in work_items(membership)}


def test_unsigned_deals_for_their_sales_owner_and_for_adv(billing_firm):
    with tenant_context(billing_firm.tenant):
        Deal.objects.filter(pk=billing_firm.tm_deal.pk).update(
            status="provisional", signed_on=None, provisional_since=timezone.now() - datetime.timedelta(days=10)
        )
    mine = _todo(billing_firm, billing_firm.sales)["deals.unsigned"]
    assert (mine.count, mine.url.endswith("?owner=me")) == (1, True)
    assert "10 jours" in mine.detail
    everyone = _todo(billing_firm, billing_firm.adv)["deals.unsigned"]
    assert everyone.count == 1 and not everyone.label.startswith("Vos")
    assert "deals.unsigned" not in _todo(billing_firm, billing_firm.manager)
    assert "deals.unsigned" not in _todo(billing_firm, billing_firm.bob)


def test_blocked_milestones_for_their_project_manager_and_for_adv(billing_firm):
    with tenant_context(billing_firm.tenant):
        Milestone.objects.update(status="planned")
        Milestone.objects.filter(pk=billing_firm.milestones[1].pk).update(status="blocked")
    assert _todo(billing_firm, billing_firm.manager)["deals.blocked_milestones"].count == 1
    assert _todo(billing_firm, billing_firm.adv)["deals.blocked_milestones"].count == 1
    assert "deals.blocked_milestones" not in _todo(billing_firm, billing_firm.sales)


def test_timesheets_to_approve_for_the_manager_and_sent_back_for_the_consultant(billing_firm):
    chloe_sheet = next(t for t in billing_firm.timesheets.values() if t.consultant_id != billing_firm.bob.membership.pk)
    with tenant_context(billing_firm.tenant):
        Timesheet.objects.filter(pk=chloe_sheet.pk).update(status="submitted")
    manager = _todo(billing_firm, billing_firm.manager)["timesheets.to_approve"]
    assert manager.count == 1 and manager.url.endswith("/timesheets/approvals/")
    assert _todo(billing_firm, billing_firm.adv)["timesheets.to_approve"].count == 1
    assert "timesheets.to_approve" not in _todo(billing_firm, billing_firm.sales)
    with tenant_context(billing_firm.tenant):
        Timesheet.objects.filter(pk=chloe_sheet.pk).update(status="draft", rejection_reason="Il manque le 12")
        chloe = Membership.objects.get(pk=chloe_sheet.consultant_id)
    persona = type(billing_firm.bob)(user=chloe.user, membership=chloe, tenant=billing_firm.tenant)
    assert _todo(billing_firm, persona)["timesheets.rejected"].count == 1
    assert "timesheets.rejected" not in _todo(billing_firm, billing_firm.bob)


def test_missing_documents_for_the_member_responsible(billing_firm):
    with tenant_context(billing_firm.tenant):
        DocumentRequirement.objects.all().delete()
        DocumentRequirement.objects.create(
            document_type=DocumentType.objects.get(code="kbis"), applies_to="client", responsible="adv"
        )
    owed = _todo(billing_firm, billing_firm.adv)["clients.missing_documents"]
    assert owed.count == 3 and owed.detail == "chez 3 clients"
    assert owed.url.endswith(f"?responsible={billing_firm.adv.membership.pk}")
    assert "clients.missing_documents" not in _todo(billing_firm, billing_firm.sales)
