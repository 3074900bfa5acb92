"""The deal pages as the ADV uses them: list (badges, filters, search, sort), the deal form
(also from a client), the deal page and its tabs, purchase orders, subscriptions, documents,
instructions and invoice recipients, history with actors, the firm's rules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from clients.models import Contact
from deals.models import Deal, DealPolicy, DealStatus, DealType, PurchaseOrder, Subscription
from documents.models import Document
from tests.deals.conftest import age, pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def test_the_list_flags_provisional_deals_with_their_age_and_what_is_missing(alice, make_deal, deal_requirements):
    recent = make_deal(DealStatus.PROVISIONAL, title="Migration LIMS")
    late = make_deal(DealStatus.PROVISIONAL, title="Assistance MOA")
    overdue = make_deal(DealStatus.PROVISIONAL, title="Renfort DevOps")
    make_deal(DealStatus.SIGNED, title="TMA SAP")
    age(recent, 2), age(late, 6), age(overdue, 15)
    html = alice.client().get(alice.url("deals/")).content.decode()
    assert "provisoire depuis 2 jours" in html and "provisoire depuis 6 jours" in html and "provisoire depuis 15 jours" in html
    assert html.count('adv-provisional-overdue" data-testid="provisional-badge"') == 1
    assert html.count('adv-provisional-late" data-testid="provisional-badge"') == 1
    assert html.count('adv-provisional-recent" data-testid="provisional-badge"') == 1
    assert html.count('data-testid="deal-missing"') == 3 and "Bon de commande" in html
    assert 'data-testid="provisional-alert"' in html


def test_the_list_filters_searches_and_sorts(alice, make_deal, make_member):
    make_deal(DealStatus.PROVISIONAL, title="Renfort DevOps")
    make_deal(DealStatus.SIGNED, title="TMA SAP", deal_type=DealType.FIXED_PRICE)
    client = alice.client()
    titles = lambda url: [d.title for d in client.get(alice.url(url)).context["page"].object_list]  # noqa: E731
    assert titles("deals/?status=provisional") == ["Renfort DevOps"]
    assert titles("deals/?deal_type=fixed_price") == ["TMA SAP"]
    assert titles("deals/?q=devops") == ["Renfort DevOps"]
    assert titles("deals/?q=helios") == ["TMA SAP", "Renfort DevOps"]  # by client name, newest first
    assert titles("deals/?provisional=yes") == ["Renfort DevOps"]
    assert titles("deals/?sort=title") == ["Renfort DevOps", "TMA SAP"]
    assert titles("deals/?sort=-title") == ["TMA SAP", "Renfort DevOps"]
    assert titles("deals/?owner=me") == []
    empty = client.get(alice.url("deals/?q=introuvable")).content.decode()
    assert 'data-testid="deals-empty"' in empty and "Aucune affaire ne correspond" in empty


def test_a_deal_is_created_from_a_client_with_the_client_preselected(alice, client_a):
    client = alice.client()
    page = client.get(alice.url(f"deals/new/?client={client_a.pk}")).content.decode()
    # the client picker holds the client's id and shows its name (an autocomplete, not a select)
    assert f'name="client" value="{client_a.pk}"' in page and f'value="{client_a.display_name}"' in page
    response = client.post(alice.url("deals/new/"), {
        "client": client_a.pk, "title": "Audit sécurité", "deal_type": "fixed_price", "start_date": str(TODAY()),
        "end_date": str(TODAY() + datetime.timedelta(days=60)), "ordered_amount": "18 000,00", "currency": "EUR",
    })
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        deal = Deal.objects.get(title="Audit sécurité")
    assert deal.status == DealStatus.DRAFT and deal.ordered_amount == Decimal("18000.00")
    assert deal.sales_owner_id == client_a.owner_id and deal.adv_owner_id == client_a.adv_owner_id
    assert response["Location"].endswith(f"/deals/{deal.pk}/")
    # the client's panel of deals lists it
    panel = client.get(alice.url(f"deals/clients/{client_a.pk}/"), HTTP_HX_REQUEST="true").content.decode()
    assert "Audit sécurité" in panel and 'data-testid="client-deal-new"' in panel


def test_an_end_before_the_start_is_refused_with_nothing_created(alice, client_a):
    response = alice.client().post(alice.url("deals/new/"), {
        "client": client_a.pk, "title": "X", "deal_type": "t_and_m", "start_date": str(TODAY()),
        "end_date": str(TODAY() - datetime.timedelta(days=1)), "currency": "EUR",
    })
    assert response.status_code == 400 and "La fin doit suivre le début." in response.content.decode()
    with tenant_context(alice.tenant):
        assert not Deal.objects.exists()


@pytest.mark.parametrize("deal_type", [DealType.T_AND_M, DealType.FIXED_PRICE, DealType.SUBSCRIPTION])
def test_the_deal_page_renders_every_tab(alice, bob, make_deal, deal_type):
    deal = make_deal(DealStatus.PROVISIONAL, deal_type=deal_type)
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    for tab in ("staffing", "orders", "documents", "instructions", "history"):
        assert f'data-testid="pane-{tab}"' in html
    assert ('data-testid="pane-milestones"' in html) == (deal_type == DealType.FIXED_PRICE)
    assert ('data-testid="pane-subscriptions"' in html) == (deal_type == DealType.SUBSCRIPTION)
    assert 'data-testid="provisional-banner"' in html and 'data-testid="assignment-new"' in html


def test_purchase_orders_are_added_and_edited_and_a_duplicate_number_is_refused(alice, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    client = alice.client()
    assert client.post(alice.url(f"deals/{deal.pk}/purchase-orders/new/"), {"number": "4500012345", "amount": "50 000"}).status_code == 302
    duplicate = client.post(alice.url(f"deals/{deal.pk}/purchase-orders/new/"), {"number": "4500012345"})
    assert duplicate.status_code == 400 and "existe déjà" in duplicate.content.decode()
    with tenant_context(alice.tenant):
        po = PurchaseOrder.objects.get()
    response = client.post(alice.url(f"deals/{deal.pk}/purchase-orders/{po.pk}/"), {
        "number": "4500012345", "amount": "55000", "valid_from": str(TODAY()), "valid_until": str(TODAY() - datetime.timedelta(days=1)),
    })
    assert response.status_code == 400
    response = client.post(alice.url(f"deals/{deal.pk}/purchase-orders/{po.pk}/"), {"number": "4500012345", "amount": "55000"})
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        assert PurchaseOrder.objects.get().amount == Decimal("55000.00")


def test_a_subscription_is_added_with_its_next_billing_date(alice, make_deal):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.SUBSCRIPTION, start_date=datetime.date(2026, 1, 1), end_date=None)
    response = alice.client().post(alice.url(f"deals/{deal.pk}/subscriptions/new/"), {
        "label": "Infogérance", "amount": "4 500", "period": "quarterly", "timing": "arrears", "start_date": "2026-01-01",
    })
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        subscription = Subscription.objects.get()
    assert subscription.next_billing_date == datetime.date(2026, 3, 31) and subscription.amount == Decimal("4500.00")
    assert alice.client().get(alice.url(f"deals/{deal.pk}/subscriptions/new/")).status_code == 200
    other = make_deal(DealStatus.SIGNED)
    assert alice.client().get(alice.url(f"deals/{other.pk}/subscriptions/new/")).status_code == 404


def test_a_document_uploaded_on_the_deal_lands_on_the_client_record_attached_to_the_deal(media, alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    client = alice.client()
    response = client.post(alice.url(f"deals/{deal.pk}/documents/upload/"), {
        "file": pdf(), "document_type": deal_requirements["bon-de-commande"].pk, "title": "BDC signé",
    })
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        document = Document.objects.get()
    assert document.client_id == deal.client_id and document.deal_id == deal.pk
    html = client.get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert "BDC signé" in html and 'data-testid="banner-missing"' not in html
    # detached, it stays on the client record
    assert client.post(alice.url(f"deals/{deal.pk}/documents/{document.pk}/detach/")).status_code == 302
    with tenant_context(alice.tenant):
        document.refresh_from_db()
    assert document.deal_id is None
    # and may be attached again from the client's documents
    assert client.post(alice.url(f"deals/{deal.pk}/documents/attach/"), {"document": document.pk}).status_code == 302
    with tenant_context(alice.tenant):
        document.refresh_from_db()
    assert document.deal_id == deal.pk


def test_instructions_overrides_and_invoice_recipients_are_saved(alice, make_deal, client_a):
    deal = make_deal(DealStatus.SIGNED)
    with tenant_context(alice.tenant):
        contact = Contact.objects.get(client=client_a)
    response = alice.client().post(alice.url(f"deals/{deal.pk}/instructions/"), {
        "consultant_instructions": "CRA sur le portail client avant le 25.", "pre_invoice_notes": "Rappeler le BDC.",
        "purchase_order_required": "yes", "reception_number_required": "", "signed_timesheet_required": "no",
        "invoice_recipients": [contact.pk],
    })
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        deal = Deal.objects.get(pk=deal.pk)
        assert (deal.purchase_order_required, deal.reception_number_required, deal.signed_timesheet_required) == (True, None, False)
        assert list(deal.invoice_recipients.all()) == [contact]
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert "CRA sur le portail client avant le 25." in html and 'data-testid="deal-recipients"' in html


def test_the_history_shows_the_deal_and_its_children_with_their_actors(alice, bob, make_deal):
    deal = make_deal()
    client = alice.client()
    client.post(alice.url(f"deals/{deal.pk}/validate/"))
    client.post(alice.url(f"deals/{deal.pk}/assignments/new/"), {
        "consultant": bob.membership.pk, "daily_rate": "650", "start_date": str(deal.start_date), "end_date": str(deal.end_date),
    })
    html = client.get(alice.url(f"deals/{deal.pk}/history/"), HTTP_HX_REQUEST="true").content.decode()
    assert "Validée provisoirement" in html and "Staffing" in html
    assert html.count('data-testid="history-actor"') >= 2 and "Alice" in html


def test_the_lost_form_needs_a_reason(alice, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    response = alice.client().post(alice.url(f"deals/{deal.pk}/lost/"), {"reason": ""})
    assert response.status_code == 400
    response = alice.client().post(alice.url(f"deals/{deal.pk}/lost/"), {"reason": "Budget gelé."})
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        assert Deal.objects.get(pk=deal.pk).status == DealStatus.LOST


def test_the_firm_rules_are_edited_by_the_admin_only(alice, sales):
    response = alice.client().post(alice.url("deals/settings/"), {
        "chase_every_days": "2", "escalate_after_days": "7", "milestone_escalate_after_days": "4", "reference_prefix": "alp",
    })
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        policy = DealPolicy.objects.get()
    assert (policy.chase_every_days, policy.escalate_after_days, policy.milestone_escalate_after_days, policy.reference_prefix) == (2, 7, 4, "ALP")
    bad = alice.client().post(alice.url("deals/settings/"), {
        "chase_every_days": "0", "escalate_after_days": "7", "milestone_escalate_after_days": "4", "reference_prefix": "A B",
    })
    assert bad.status_code == 400
    assert sales.client().get(sales.url("deals/settings/")).status_code == 403


def test_the_sidebar_lists_deals_and_reports_for_the_roles_that_see_deals(alice, bob):
    html = alice.client().get(alice.url("deals/")).content.decode()
    for test_id in ("nav-deals", "nav-deals-unsigned", "nav-deals-milestones", "nav-deals-settings"):
        assert f'data-testid="{test_id}"' in html
    dashboard = bob.client().get(bob.url("")).content.decode()
    assert 'data-testid="nav-deals"' not in dashboard


def test_an_api_client_creates_updates_and_lists_deals_with_the_provisional_fields(alice, client_a, make_deal):
    from tests.api.conftest import bearer_client, make_token

    _token, raw = make_token(alice)
    api = bearer_client(raw)
    created = api.post("/api/v1/deals/", {
        "client": str(client_a.pk), "title": "Renfort data", "deal_type": "t_and_m", "start_date": str(TODAY()),
    }, content_type="application/json")
    assert created.status_code == 201, created.content
    deal_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["is_provisional"] is False
    assert api.post(f"/api/v1/deals/{deal_id}/validate-provisionally/").json()["is_provisional"] is True
    patched = api.patch(f"/api/v1/deals/{deal_id}/", {"ordered_amount": "12000.00"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["ordered_amount"] == "12000.00"
    with tenant_context(alice.tenant):
        age(Deal.objects.get(pk=deal_id), 4)
    listing = api.get("/api/v1/deals/?provisional=true").json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert (row["provisional_days"], row["is_provisional"], row["missing_for_signature"]) == (4, True, [])
    assert api.get("/api/v1/deals/?status=signed").json()["count"] == 0
    assert [r["title"] for r in api.get("/api/v1/deals/?ordering=title").json()["results"]] == ["Renfort data"]


def test_the_provisional_banner_links_to_what_fixes_each_missing_item(alice, accountant, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert 'data-testid="banner-fix"' in html
    assert alice.url(f"deals/{deal.pk}/documents/upload/") in html and alice.url(f"deals/{deal.pk}/purchase-orders/new/") in html
    # a read-only role is shown what is missing, not buttons it cannot use
    html = accountant.client().get(accountant.url(f"deals/{deal.pk}/")).content.decode()
    assert 'data-testid="banner-missing"' in html and 'data-testid="banner-fix"' not in html


@pytest.fixture
def accountant(make_member):
    return make_member("accountant")
