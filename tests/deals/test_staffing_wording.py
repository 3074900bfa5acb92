"""Staffing a consultant says so in plain French, without "staffé(e)"."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from deals.models import DealStatus

pytestmark = pytest.mark.django_db


def test_staffing_confirms_without_an_inclusive_suffix(alice, bob, make_deal):
    deal = make_deal(DealStatus.SIGNED)
    response = alice.client().post(
        alice.url(f"deals/{deal.pk}/assignments/new/"),
        {"consultant": bob.membership.pk, "daily_rate": "1 250,50", "start_date": str(deal.start_date),
         "end_date": str(deal.end_date), "planned_days": "12,5"},
    )
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "(e)" not in text and "Bob" in text
