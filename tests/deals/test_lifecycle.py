"""The deal lifecycle: draft → provisional → signed → active → closed, or lost; every transition
the lifecycle forbids is refused (service, API 409 `invalid_transition`, page) and changes nothing."""

from __future__ import annotations

import datetime

import pytest

from adv.tenancy.context import tenant_context
from deals import services
from deals.errors import InvalidTransition
from deals.models import TRANSITIONS, Deal, DealStatus
from tests.api.conftest import bearer_client, make_token

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today

# The action that asks for each target status (there is none back to draft).
ACTIONS = {
    DealStatus.PROVISIONAL: ("validate-provisionally", {}, "validate"),
    DealStatus.SIGNED: ("sign", {"signed_on": str(TODAY()), "override_reason": "Accord écrit."}, "sign"),
    DealStatus.ACTIVE: ("activate", {}, "activate"),
    DealStatus.CLOSED: ("close", {}, "close"),
    DealStatus.LOST: ("mark-lost", {"reason": "Concurrent retenu."}, "lost"),
}
FORBIDDEN = [
    (current, target)
    for current in DealStatus.values
    for target in DealStatus.values
    if target not in TRANSITIONS[current] and target != DealStatus.DRAFT
]


def _service_call(alice, deal, target):
    if target == DealStatus.PROVISIONAL:
        return services.deal_validate_provisionally(actor=alice.membership, deal=deal)
    if target == DealStatus.SIGNED:
        return services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY(), override_reason="Accord écrit.")
    if target == DealStatus.ACTIVE:
        return services.deal_activate(actor=alice.membership, deal=deal)
    if target == DealStatus.CLOSED:
        return services.deal_close(actor=alice.membership, deal=deal)
    return services.deal_mark_lost(actor=alice.membership, deal=deal, reason="Concurrent retenu.")


def _snapshot(deal):
    with tenant_context(deal.tenant):
        return Deal.objects.filter(pk=deal.pk).values().get()


def test_a_deal_walks_the_whole_lifecycle_from_draft_to_closed(alice, make_deal):
    # given a draft deal
    deal = make_deal()
    assert deal.status == DealStatus.DRAFT and deal.reference.endswith("-0001")
    with tenant_context(alice.tenant):
        # when it is validated provisionally, it is provisional since now, with no signature
        deal = services.deal_validate_provisionally(actor=alice.membership, deal=deal)
        assert deal.status == DealStatus.PROVISIONAL and deal.provisional_since and deal.signed_on is None
        assert not deal.is_commissionable
        # when it is signed, then activated, then closed
        deal = services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY(), override_reason="Accord écrit.")
        assert deal.status == DealStatus.SIGNED and deal.signed_on == TODAY() and deal.is_commissionable
        deal = services.deal_activate(actor=alice.membership, deal=deal)
        assert deal.status == DealStatus.ACTIVE
        deal = services.deal_close(actor=alice.membership, deal=deal)
    # then it ends closed, still commissionable
    assert deal.status == DealStatus.CLOSED and deal.closed_at is not None and deal.is_commissionable


def test_a_draft_deal_may_be_signed_directly_and_a_provisional_one_lost(alice, make_deal):
    with tenant_context(alice.tenant):
        signed = services.deal_sign(actor=alice.membership, deal=make_deal(), signed_on=TODAY(), override_reason="Accord.")
        lost = services.deal_mark_lost(actor=alice.membership, deal=make_deal(DealStatus.PROVISIONAL), reason="Budget gelé.")
    assert signed.status == DealStatus.SIGNED
    assert lost.status == DealStatus.LOST and lost.lost_reason == "Budget gelé."


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=[f"{c}->{t}" for c, t in FORBIDDEN])
def test_every_forbidden_transition_is_refused_by_the_service_and_changes_nothing(alice, make_deal, current, target):
    # given a deal in `current`
    deal = make_deal(current)
    before = _snapshot(deal)
    # when the transition to `target` is asked, then it is refused as an invalid transition
    with tenant_context(alice.tenant), pytest.raises(InvalidTransition) as caught:
        _service_call(alice, deal, target)
    assert caught.value.code == "invalid_transition" and caught.value.status == 409
    # and nothing changed
    assert _snapshot(deal) == before


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=[f"{c}->{t}" for c, t in FORBIDDEN])
def test_every_forbidden_transition_answers_409_in_the_api_and_changes_nothing(alice, make_deal, current, target):
    # given a deal in `current` and alice's API token
    deal = make_deal(current)
    before = _snapshot(deal)
    _token, raw = make_token(alice)
    path, body, _page = ACTIONS[target]
    # when the API is asked for the transition
    response = bearer_client(raw).post(f"/api/v1/deals/{deal.pk}/{path}/", body, content_type="application/json")
    # then 409 invalid_transition, and nothing changed
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_transition"
    assert _snapshot(deal) == before


@pytest.mark.parametrize(("current", "target"), [p for p in FORBIDDEN if p[1] != DealStatus.SIGNED and p[1] != DealStatus.LOST])
def test_a_forbidden_transition_from_the_deal_page_shows_an_error_and_changes_nothing(alice, make_deal, current, target):
    deal = make_deal(current)
    before = _snapshot(deal)
    _path, _body, page_action = ACTIONS[target]
    response = alice.client().post(alice.url(f"deals/{deal.pk}/{page_action}/"), follow=True)
    assert response.status_code == 200
    assert "Impossible de passer une affaire" in response.content.decode()
    assert _snapshot(deal) == before


def test_the_deal_page_offers_only_the_actions_the_lifecycle_allows(alice, make_deal):
    draft = make_deal()
    html = alice.client().get(alice.url(f"deals/{draft.pk}/")).content.decode()
    assert 'data-testid="deal-validate"' in html and 'data-testid="deal-sign"' in html
    assert 'data-testid="deal-activate"' not in html and 'data-testid="deal-close"' not in html
    active = make_deal(DealStatus.ACTIVE)
    html = alice.client().get(alice.url(f"deals/{active.pk}/")).content.decode()
    assert 'data-testid="deal-close"' in html
    assert 'data-testid="deal-validate"' not in html and 'data-testid="deal-sign"' not in html and 'data-testid="deal-lost"' not in html


def test_a_consultant_cannot_validate_and_the_api_says_403(bob, make_deal):
    deal = make_deal()
    _token, raw = make_token(bob)
    response = bearer_client(raw).post(f"/api/v1/deals/{deal.pk}/validate-provisionally/")
    assert response.status_code == 403
    assert _snapshot(deal)["status"] == DealStatus.DRAFT


def test_sales_may_create_a_deal_but_not_validate_it(sales, make_deal):
    deal = make_deal(actor=sales.membership)
    with tenant_context(sales.tenant), pytest.raises(Exception) as caught:
        services.deal_validate_provisionally(actor=sales.membership, deal=deal)
    assert getattr(caught.value, "code", "") == "permission_denied"
    assert _snapshot(deal)["status"] == DealStatus.DRAFT


def test_references_are_numbered_per_firm_and_year_with_the_firms_prefix(alice, make_deal):
    with tenant_context(alice.tenant):
        services.policy_update(actor=alice.membership, reference_prefix="ALP")
    first, second = make_deal(), make_deal()
    year = TODAY().year
    assert (first.reference, second.reference) == (f"ALP-{year}-0001", f"ALP-{year}-0002")
