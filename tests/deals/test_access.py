"""Who sees what: contractors and consultants never see sale rates (pages and API, where the
fields are absent, not null); carol (tenant B) reaches none of alice's deals (404 in pages and
API, nothing changed); the query counts of the deal list and the unsigned report do not grow
with the number of deals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from deals import services
from deals.models import Assignment, Deal, DealStatus, DealType
from tests.api.conftest import bearer_client, make_token
from tests.deals.conftest import age

pytestmark = pytest.mark.django_db

SALE_FIELDS = {"daily_rate", "purchase_daily_rate", "margin_per_day"}


def _staffed(alice, deal, consultant, rate="987.65", purchase=None):
    with tenant_context(alice.tenant):
        return services.assignment_create(
            actor=alice.membership, deal=deal, consultant=consultant, daily_rate=Decimal(rate),
            purchase_daily_rate=Decimal(purchase) if purchase else None, start_date=deal.start_date, end_date=deal.end_date,
            planned_days=Decimal("10"),
        )


# --- Sale rates -----------------------------------------------------------------------------------


def test_the_api_omits_every_rate_field_for_a_contractor_and_shows_them_only_their_own_assignment(alice, bob, contractor, make_deal):
    # given a deal staffed with bob (employee) and a contractor (sale 987.65, purchase 612.34)
    deal = make_deal(DealStatus.SIGNED, consultant_instructions="Saisir le CRA avant le 25.")
    _staffed(alice, deal, bob.membership, rate="876.54")
    mine = _staffed(alice, deal, contractor.membership, purchase="612.34")
    _token, raw = make_token(contractor)
    # when the contractor lists assignments and reads theirs
    listing = bearer_client(raw).get("/api/v1/assignments/")
    detail = bearer_client(raw).get(f"/api/v1/assignments/{mine.pk}/")
    # then they see only their own, with the instructions, and no rate key at all
    assert listing.status_code == 200 and detail.status_code == 200
    rows = listing.json()["results"]
    assert [r["id"] for r in rows] == [str(mine.pk)]
    for body in (rows[0], detail.json()):
        assert not SALE_FIELDS & set(body), body
        assert body["consultant_instructions"] == "Saisir le CRA avant le 25."
    for text in (listing.content, detail.content):
        assert b"987.65" not in text and b"612.34" not in text and b"876.54" not in text


def test_an_employee_consultant_sees_no_rate_either_and_cannot_read_deals(alice, bob, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    _staffed(alice, deal, bob.membership)
    _token, raw = make_token(bob)
    api = bearer_client(raw)
    body = api.get("/api/v1/assignments/").json()["results"][0]
    assert not SALE_FIELDS & set(body)
    assert api.get("/api/v1/deals/").status_code == 403
    assert api.get(f"/api/v1/deals/{deal.pk}/").status_code == 403
    assert api.get("/api/v1/milestones/").status_code == 403


def test_admin_sees_sale_rate_purchase_rate_and_margin(alice, contractor, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    assignment = _staffed(alice, deal, contractor.membership, purchase="612.34")
    _token, raw = make_token(alice)
    body = bearer_client(raw).get(f"/api/v1/assignments/{assignment.pk}/").json()
    assert (body["daily_rate"], body["purchase_daily_rate"], body["margin_per_day"]) == ("987.65", "612.34", "375.31")


def test_contractors_and_consultants_cannot_open_deal_pages_and_no_rate_leaks(alice, bob, contractor, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    _staffed(alice, deal, contractor.membership, purchase="612.34")
    for persona in (contractor, bob):
        client = persona.client()
        for path in ("deals/", f"deals/{deal.pk}/", "deals/reports/unsigned/", "deals/reports/milestones/", "deals/reports/commissions/",
                     f"deals/{deal.pk}/history/", f"deals/{deal.pk}/assignments/new/"):
            response = client.get(persona.url(path))
            assert response.status_code == 403, (persona.user.email, path)
            assert b"987" not in response.content


def test_the_deal_page_shows_rates_and_margin_to_the_roles_that_may_see_them(alice, contractor, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    _staffed(alice, deal, contractor.membership, purchase="612.34")
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert 'data-testid="sale-rate"' in html and "987,65" in html and 'data-testid="margin"' in html


def test_a_contractor_flag_on_a_non_consultant_role_still_hides_sale_rates(alice, make_member, contractor, make_deal):
    # a freelance project manager (odd, but possible): pages show no sale rate, the API no rate key
    freelance_pm = make_member("project_manager", is_contractor=True)
    deal = make_deal(DealStatus.SIGNED)
    assignment = _staffed(alice, deal, contractor.membership, purchase="612.34")
    html = freelance_pm.client().get(freelance_pm.url(f"deals/{deal.pk}/")).content.decode()
    assert 'data-testid="sale-rate"' not in html and "987,65" not in html
    _token, raw = make_token(freelance_pm)
    body = bearer_client(raw).get(f"/api/v1/assignments/{assignment.pk}/").json()
    assert not SALE_FIELDS & set(body)


# --- Cross-tenant ---------------------------------------------------------------------------------


def test_carol_gets_404_on_every_page_of_alices_deal_and_nothing_changes(alice, carol, bob, make_deal, doc_types):
    deal = make_deal(DealStatus.PROVISIONAL, deal_type=DealType.FIXED_PRICE)
    assignment = _staffed(alice, deal, bob.membership)
    with tenant_context(alice.tenant):
        services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
            {"label": "Tout", "due_date": datetime.date.today(), "amount": Decimal("100000.00")}])
        milestone = deal.milestones.get()
        before = list(Deal.objects.values())
    session = carol.client()
    paths = [
        f"deals/{deal.pk}/", f"deals/{deal.pk}/edit/", f"deals/{deal.pk}/sign/", f"deals/{deal.pk}/lost/", f"deals/{deal.pk}/history/",
        f"deals/{deal.pk}/instructions/", f"deals/{deal.pk}/proof-of-order/", f"deals/{deal.pk}/assignments/new/",
        f"deals/{deal.pk}/assignments/{assignment.pk}/", f"deals/{deal.pk}/milestones/", f"deals/{deal.pk}/purchase-orders/new/",
        f"deals/clients/{deal.client_id}/",
    ]
    for path in paths:
        # under her own prefix with alice's ids, and under alice's prefix
        assert session.get(carol.url(path)).status_code == 404, path
        assert session.get(alice.url(path)).status_code == 404, path
    for path in (f"deals/{deal.pk}/validate/", f"deals/{deal.pk}/close/", f"deals/{deal.pk}/milestones/{milestone.pk}/event/"):
        assert session.post(carol.url(path), {"occurred_on": "2026-01-01"}).status_code == 404, path
    with tenant_context(alice.tenant):
        assert list(Deal.objects.values()) == before


def test_carol_gets_404_on_alices_deals_in_the_api(alice, carol, bob, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    assignment = _staffed(alice, deal, bob.membership)
    _token, raw = make_token(carol)
    api = bearer_client(raw)
    assert api.get(f"/api/v1/deals/{deal.pk}/").status_code == 404
    assert api.post(f"/api/v1/deals/{deal.pk}/sign/", {"signed_on": "2026-01-01", "override_reason": "x"}, content_type="application/json").status_code == 404
    assert api.post(f"/api/v1/deals/{deal.pk}/mark-lost/", {"reason": "x"}, content_type="application/json").status_code == 404
    assert api.get(f"/api/v1/deals/{deal.pk}/missing-documents/").status_code == 404
    assert api.patch(f"/api/v1/assignments/{assignment.pk}/", {"daily_rate": "1.00"}, content_type="application/json").status_code == 404
    assert api.get("/api/v1/deals/").json()["count"] == 0
    # and carol cannot create a deal on alice's client either
    response = api.post("/api/v1/deals/", {"client": str(deal.client_id), "title": "x", "deal_type": "t_and_m", "start_date": "2026-01-01"},
                        content_type="application/json")
    assert response.status_code == 400 and "client" in response.json()["errors"]
    with tenant_context(alice.tenant):
        assert Deal.objects.get(pk=deal.pk).status == DealStatus.PROVISIONAL
        assert Assignment.objects.get(pk=assignment.pk).daily_rate == Decimal("987.65")


# --- Query counts ----------------------------------------------------------------------------------


def _many_deals(alice, make_deal, bob, deal_requirements, n: int):
    for i in range(n):
        deal = make_deal(DealStatus.PROVISIONAL, title=f"Affaire {i}")
        if i % 2:
            _staffed(alice, deal, bob.membership)
        age(deal, i % 20)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["deals/", "deals/reports/unsigned/", "deals/reports/commissions/", "api/v1/deals/"])
def test_list_pages_run_a_constant_number_of_queries(alice, bob, make_deal, deal_requirements, path):
    client = alice.client()
    _many_deals(alice, make_deal, bob, deal_requirements, 5)
    small = _count(client, alice.url(path))
    _many_deals(alice, make_deal, bob, deal_requirements, 25)
    large = _count(client, alice.url(path))
    assert large == small, f"{path}: {small} queries for 5 deals, {large} for 30"


def _fixed_price_deals(alice, make_deal, pm, doc_types, n: int) -> list:
    deals = []
    for i in range(n):
        deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, title=f"Forfait {i}", project_manager=pm.membership)
        with tenant_context(alice.tenant):
            services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
                {"label": "Lot 1", "due_date": datetime.date.today() - datetime.timedelta(days=1), "amount": Decimal("60000.00"),
                 "required_document_type": doc_types["pv-recette"]},
                {"label": "Lot 2", "due_date": datetime.date.today() - datetime.timedelta(days=1), "amount": Decimal("40000.00")},
            ])
        deals.append(deal)
    return deals


@pytest.mark.parametrize("path", ["deals/reports/milestones/", "api/v1/milestones/", "api/v1/assignments/", "api/v1/subscriptions/"])
def test_milestone_staffing_and_subscription_lists_run_a_constant_number_of_queries(alice, bob, pm, make_deal, doc_types, path):
    from deals.reminders import chase_blocked_milestones

    def grow(n):
        for deal in _fixed_price_deals(alice, make_deal, pm, doc_types, n):
            _staffed(alice, deal, bob.membership)
            sub = make_deal(DealStatus.SIGNED, deal_type=DealType.SUBSCRIPTION, title="Abonnement")
            with tenant_context(alice.tenant):
                services.subscription_save(actor=alice.membership, deal=sub, label="Infogérance", amount=Decimal("100"),
                                           start_date=sub.start_date, end_date=sub.end_date)
        with tenant_context(alice.tenant):  # blocked milestones chased: the report shows it
            chase_blocked_milestones()

    client = alice.client()
    grow(2)
    small = _count(client, alice.url(path))
    grow(6)
    large = _count(client, alice.url(path))
    assert large == small, f"{path}: {small} queries for 2 deals, {large} for 8"


def test_the_deal_page_runs_a_constant_number_of_queries_whatever_its_staffing_and_milestones(alice, bob, contractor, pm, make_deal, doc_types):
    from deals.reminders import chase_blocked_milestones

    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, project_manager=pm.membership)
    client = alice.client()
    url = alice.url(f"deals/{deal.pk}/")

    def schedule(n):
        with tenant_context(alice.tenant):
            services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=[
                {"label": f"Lot {i}", "due_date": datetime.date.today() - datetime.timedelta(days=1),
                 "amount": Decimal("100000.00") / n, "required_document_type": doc_types["pv-recette"]}
                for i in range(n)
            ])
            chase_blocked_milestones()

    _staffed(alice, deal, bob.membership)
    schedule(2)
    small = _count(client, url)
    _staffed(alice, deal, contractor.membership, purchase="500.00")
    schedule(8)
    large = _count(client, url)
    assert large == small, f"{small} queries with 2 milestones, {large} with 8"


def test_a_contractor_staffed_without_a_purchase_rate_is_flagged_margin_unknown(alice, contractor, bob, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    _staffed(alice, deal, bob.membership)
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert 'data-testid="purchase-rate-missing"' not in html  # an employee has no purchase rate
    _staffed(alice, deal, contractor.membership)
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert html.count('data-testid="purchase-rate-missing"') == 1
