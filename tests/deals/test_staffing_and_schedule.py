"""Bad input on staffing and milestone schedules: clear errors, nothing changed.

Staffing: outside the deal's dates, a non-positive rate, a consultant of another tenant, a
member who is not a consultant, a draft deal. Schedule: amounts and percentages must add up to
the ordered amount."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from deals import services
from deals.models import Assignment, DealStatus, DealType, Milestone, MilestoneStatus
from tests.api.conftest import bearer_client, make_token

pytestmark = [pytest.mark.django_db, pytest.mark.today]

TODAY = datetime.date.today
DAY = datetime.timedelta(days=1)


def _assignments(tenant) -> int:
    with tenant_context(tenant):
        return Assignment.objects.count()


def _staff(alice, deal, consultant, **fields):
    values = {"daily_rate": Decimal("650.00"), "start_date": deal.start_date, "end_date": deal.end_date, "planned_days": Decimal("20")}
    values.update(fields)
    with tenant_context(alice.tenant):
        return services.assignment_create(actor=alice.membership, deal=deal, consultant=consultant, **values)


def test_a_consultant_is_staffed_within_the_deal_at_a_positive_rate(alice, bob, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    assignment = _staff(alice, deal, bob.membership)
    assert assignment.pk and assignment.daily_rate == Decimal("650.00") and assignment.is_active


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"start_date": "before"}, "outside_deal_dates", "start_date"),
        ({"end_date": "after"}, "outside_deal_dates", "start_date"),
        ({"end_date": None}, "outside_deal_dates", "start_date"),
        ({"daily_rate": Decimal("0")}, "rate_not_positive", "daily_rate"),
        ({"daily_rate": Decimal("-100")}, "rate_not_positive", "daily_rate"),
        ({"purchase_daily_rate": Decimal("500")}, "purchase_rate_for_contractors", "purchase_daily_rate"),
    ],
    ids=["starts-before-the-deal", "ends-after-the-deal", "open-ended-on-a-dated-deal", "zero-rate", "negative-rate", "purchase-rate-for-employee"],
)
def test_bad_staffing_is_refused_with_a_clear_error_and_nothing_staffed(alice, bob, make_deal, fields, code, field):
    deal = make_deal(DealStatus.PROVISIONAL)
    if fields.get("start_date") == "before":
        fields["start_date"] = deal.start_date - DAY
    if fields.get("end_date") == "after":
        fields["end_date"] = deal.end_date + DAY
    with pytest.raises(DomainError) as caught:
        _staff(alice, deal, bob.membership, **fields)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message
    assert _assignments(alice.tenant) == 0


def test_a_consultant_of_another_tenant_is_refused(alice, carol, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with pytest.raises(DomainError) as caught:
        _staff(alice, deal, carol.membership)
    assert caught.value.code == "invalid_member"
    assert _assignments(alice.tenant) == 0


def test_a_member_who_is_not_a_consultant_is_refused(alice, sales, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with pytest.raises(DomainError) as caught:
        _staff(alice, deal, sales.membership)
    assert caught.value.code == "invalid_member_role"
    assert _assignments(alice.tenant) == 0


def test_a_draft_deal_cannot_be_staffed(alice, bob, make_deal):
    deal = make_deal()
    with pytest.raises(DomainError) as caught:
        _staff(alice, deal, bob.membership)
    assert caught.value.code == "deal_not_staffable"
    assert _assignments(alice.tenant) == 0


def test_the_api_refuses_a_consultant_of_another_tenant_as_unknown(alice, carol, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    _token, raw = make_token(alice)
    body = {"deal": str(deal.pk), "consultant": str(carol.membership.pk), "daily_rate": "650.00", "start_date": str(deal.start_date),
            "end_date": str(deal.end_date)}
    response = bearer_client(raw).post("/api/v1/assignments/", body, content_type="application/json")
    assert response.status_code == 400
    assert "consultant" in response.json()["errors"]
    assert _assignments(alice.tenant) == 0


def test_the_staffing_form_shows_the_error_next_to_the_field(alice, bob, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    response = alice.client().post(
        alice.url(f"deals/{deal.pk}/assignments/new/"),
        {"consultant": bob.membership.pk, "daily_rate": "650", "start_date": str(deal.start_date - DAY), "end_date": str(deal.end_date)},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Le staffing doit rester dans les dates de l&#x27;affaire." in html
    assert _assignments(alice.tenant) == 0
    # a French-typed rate is understood
    response = alice.client().post(
        alice.url(f"deals/{deal.pk}/assignments/new/"),
        {"consultant": bob.membership.pk, "daily_rate": "1 250,50", "start_date": str(deal.start_date), "end_date": str(deal.end_date), "planned_days": "12,5"},
    )
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        assignment = Assignment.objects.get()
    assert (assignment.daily_rate, assignment.planned_days) == (Decimal("1250.50"), Decimal("12.50"))


def test_a_contractor_gets_a_purchase_rate_and_the_margin_is_known(alice, contractor, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    assignment = _staff(alice, deal, contractor.membership, daily_rate=Decimal("720"), purchase_daily_rate=Decimal("560"))
    assert assignment.margin_per_day == Decimal("160")


def test_moving_the_deals_end_before_a_staffing_is_refused(alice, bob, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    _staff(alice, deal, bob.membership)
    with tenant_context(alice.tenant), pytest.raises(DomainError) as caught:
        services.deal_update(actor=alice.membership, deal=deal, end_date=deal.end_date - datetime.timedelta(days=30))
    assert caught.value.code == "assignments_outside"


# --- Milestone schedule -------------------------------------------------------------------------------


def _milestones(tenant):
    with tenant_context(tenant):
        return list(Milestone.objects.order_by("due_date").values_list("label", "amount", "status"))


def _replace(alice, deal, items):
    with tenant_context(alice.tenant):
        return services.milestone_schedule_replace(actor=alice.membership, deal=deal, items=items)


def test_a_schedule_in_amounts_that_adds_up_is_saved_and_statuses_follow_dates(alice, make_deal, doc_types):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("100000.00"))
    _replace(alice, deal, [
        {"label": "Cadrage", "due_date": TODAY() - DAY, "amount": Decimal("30000.00")},
        {"label": "Lot 1", "due_date": TODAY() - DAY, "amount": Decimal("40000.00"), "required_document_type": doc_types["pv-recette"]},
        {"label": "Recette", "due_event": "Recette prononcée", "amount": Decimal("30000.00")},
    ])
    assert sorted(_milestones(alice.tenant), key=lambda m: m[0]) == [
        ("Cadrage", Decimal("30000.00"), MilestoneStatus.READY),
        ("Lot 1", Decimal("40000.00"), MilestoneStatus.BLOCKED),
        ("Recette", Decimal("30000.00"), MilestoneStatus.PLANNED),
    ]


def test_a_schedule_in_percentages_that_make_100_is_saved(alice, make_deal):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("90000.00"))
    _replace(alice, deal, [
        {"label": "Commande", "due_date": TODAY() + DAY, "percentage": Decimal("30")},
        {"label": "Livraison", "due_date": TODAY() + 30 * DAY, "percentage": Decimal("70")},
    ])
    assert [m[1] for m in _milestones(alice.tenant)] == [Decimal("27000.00"), Decimal("63000.00")]


@pytest.mark.parametrize(
    "items",
    [
        [{"label": "A", "amount": Decimal("30000.00")}, {"label": "B", "amount": Decimal("60000.00")}],
        [{"label": "A", "amount": Decimal("60000.00")}, {"label": "B", "amount": Decimal("60000.00")}],
        [{"label": "A", "percentage": Decimal("30")}, {"label": "B", "percentage": Decimal("60")}],
        [{"label": "A", "percentage": Decimal("50")}, {"label": "B", "percentage": Decimal("60")}],
    ],
    ids=["amounts-short", "amounts-over", "percentages-short", "percentages-over"],
)
def test_a_schedule_that_does_not_add_up_is_refused_and_the_previous_one_kept(alice, make_deal, items):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("100000.00"))
    _replace(alice, deal, [{"label": "Unique", "due_date": TODAY() + DAY, "amount": Decimal("100000.00")}])
    before = _milestones(alice.tenant)
    with pytest.raises(DomainError) as caught:
        _replace(alice, deal, [{**item, "due_date": TODAY() + DAY} for item in items])
    assert caught.value.code == "schedule_does_not_add_up"
    assert "100\u202f000,00\u00a0€" in caught.value.message  # the expected total, in French
    assert _milestones(alice.tenant) == before


def test_a_schedule_is_only_for_fixed_price_deals(alice, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    with pytest.raises(DomainError) as caught:
        _replace(alice, deal, [{"label": "A", "due_date": TODAY(), "amount": Decimal("1")}])
    assert caught.value.code == "not_fixed_price"


def test_the_schedule_form_refuses_a_total_that_does_not_add_up_and_saves_one_that_does(alice, make_deal):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("50000.00"))
    url = alice.url(f"deals/{deal.pk}/milestones/")
    client = alice.client()
    assert client.get(url).status_code == 200
    data = {
        "m-TOTAL_FORMS": "3", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0", "m-MAX_NUM_FORMS": "60",
        "m-0-label": "Acompte", "m-0-due_date": str(TODAY()), "m-0-amount": "15 000,00",
        "m-1-label": "Solde", "m-1-due_event": "PV de recette signé", "m-1-percentage": "60",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "l&#x27;échéancier doit tomber juste" in response.content.decode()
    assert _milestones(alice.tenant) == []
    data["m-1-percentage"] = "70"
    response = client.post(url, data)
    assert response.status_code == 302
    assert [m[1] for m in _milestones(alice.tenant)] == [Decimal("15000.00"), Decimal("35000.00")]


def test_the_api_replaces_the_schedule_and_attaches_the_document(media, alice, make_deal, doc_types):
    from deals.services import deal_document_upload
    from tests.deals.conftest import pdf

    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("20000.00"))
    _token, raw = make_token(alice)
    api = bearer_client(raw)
    body = {"milestones": [
        {"label": "Livraison", "due_date": str(TODAY()), "amount": "20000.00", "required_document_type": str(doc_types["pv-recette"].pk)},
    ]}
    response = api.put(f"/api/v1/deals/{deal.pk}/milestones/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    milestone = response.json()[0]
    assert milestone["status"] == "blocked"
    with tenant_context(alice.tenant):
        document = deal_document_upload(actor=alice.membership, deal=deal, document_type=doc_types["pv-recette"], title="PV", upload=pdf())
    response = api.post(f"/api/v1/milestones/{milestone['id']}/attach-document/", {"document": str(document.pk)}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "ready"
    bad = api.put(f"/api/v1/deals/{deal.pk}/milestones/", {"milestones": [{"label": "X", "due_date": str(TODAY()), "amount": "1.00"}]},
                  content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "schedule_does_not_add_up"


def test_recording_the_event_makes_an_event_milestone_due(alice, make_deal):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("10000.00"))
    _replace(alice, deal, [{"label": "Recette", "due_event": "Recette prononcée", "amount": Decimal("10000.00")}])
    with tenant_context(alice.tenant):
        milestone = Milestone.objects.get()
    response = alice.client().post(alice.url(f"deals/{deal.pk}/milestones/{milestone.pk}/event/"), {"occurred_on": str(TODAY())})
    assert response.status_code == 302
    assert _milestones(alice.tenant)[0][2] == MilestoneStatus.READY


def test_percentages_that_make_100_add_up_even_when_the_cents_do_not_split_evenly(alice, make_deal):
    # given 10 000,01 € ordered, split 50 % / 50 %: 5 000,005 € each does not exist in cents
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("10000.01"))
    _replace(alice, deal, [
        {"label": "Commande", "due_date": TODAY() + DAY, "percentage": Decimal("50")},
        {"label": "Livraison", "due_date": TODAY() + 30 * DAY, "percentage": Decimal("50")},
    ])
    # then the first is rounded half-up and the last takes the remaining cent: the schedule adds up
    assert [m[1] for m in _milestones(alice.tenant)] == [Decimal("5000.01"), Decimal("5000.00")]


def test_percentages_that_do_not_make_100_are_still_refused_whatever_the_rounding(alice, make_deal):
    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("100000.00"))
    with pytest.raises(DomainError) as caught:
        _replace(alice, deal, [
            {"label": f"Tiers {n}", "due_date": TODAY() + n * DAY, "percentage": Decimal("33.33")} for n in (1, 2, 3)
        ])
    assert caught.value.code == "schedule_does_not_add_up"
    assert _milestones(alice.tenant) == []


def test_the_document_a_blocked_milestone_waits_for_is_uploaded_and_attached_in_one_step(media, alice, make_deal, doc_types):
    from documents.models import Document
    from tests.deals.conftest import pdf

    deal = make_deal(DealStatus.SIGNED, deal_type=DealType.FIXED_PRICE, ordered_amount=Decimal("10000.00"))
    _replace(alice, deal, [{"label": "Lot 1", "due_date": TODAY() - DAY, "amount": Decimal("10000.00"),
                            "required_document_type": doc_types["pv-recette"]}])
    with tenant_context(alice.tenant):
        milestone = Milestone.objects.get()
    client = alice.client()
    # the milestone offers the upload, with the expected type preselected
    page = client.get(alice.url(f"deals/{deal.pk}/?tab=milestones")).content.decode()
    assert 'data-testid="milestone-upload"' in page
    url = alice.url(f"deals/{deal.pk}/documents/upload/?milestone={milestone.pk}")
    form = client.get(url).content.decode()
    assert f'<option value="{doc_types["pv-recette"].pk}" selected' in form
    # a document of another type is refused, and nothing is stored
    wrong = client.post(url, {"file": pdf(), "document_type": doc_types["bon-de-commande"].pk, "title": "BDC"})
    assert wrong.status_code == 400 and "PV de recette" in wrong.content.decode()
    with tenant_context(alice.tenant):
        assert not Document.objects.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
    # the PV de recette is stored on the deal and the milestone becomes ready
    response = client.post(url, {"file": pdf("pv.pdf"), "document_type": doc_types["pv-recette"].pk, "title": "PV lot 1"})
    assert response.status_code == 302 and response["Location"].endswith("#milestones")
    with tenant_context(alice.tenant):
        milestone.refresh_from_db()
        assert milestone.status == MilestoneStatus.READY and milestone.document.title == "PV lot 1"
        assert milestone.document.deal_id == deal.pk
