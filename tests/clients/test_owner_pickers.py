"""The "Commercial" and "ADV en charge" pickers list the members whose role can hold the job,
and keep the current value when it no longer fits (a former salesperson now consultant)."""

from __future__ import annotations

import re

import pytest

from adv.tenancy.context import tenant_context
from clients import services as client_services
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def options(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return {value for value in re.findall(r'<option value="([^"]*)"', select) if value}


@pytest.fixture
def team(alice, bob):
    with tenant_context(alice.tenant):
        sales = MembershipFactory(user=UserFactory(first_name="Sacha"), role="sales")
        adv = MembershipFactory(user=UserFactory(first_name="Ada"), role="adv")
    return {"alice": alice.membership, "bob": bob.membership, "sales": sales, "adv": adv}


def test_the_client_form_offers_only_sales_people_and_adv(alice, team):
    html = alice.client().get(alice.url("clients/new/")).content.decode()
    owners, advs = options(html, "owner"), options(html, "adv_owner")
    assert str(team["sales"].pk) in owners and str(team["alice"].pk) in owners
    assert str(team["bob"].pk) not in owners and str(team["adv"].pk) not in owners  # a consultant, an ADV
    assert advs == {str(team["adv"].pk), str(team["alice"].pk)}


def test_editing_keeps_the_current_owner_even_if_his_role_changed(alice, team):
    with tenant_context(alice.tenant):
        client = client_services.client_create(actor=alice.membership, legal_name="Helios SA", status="prospect", owner=team["sales"])
        type(team["sales"]).objects.filter(pk=team["sales"].pk).update(role="consultant")
    html = alice.client().get(alice.url(f"clients/{client.pk}/edit/")).content.decode()
    assert str(team["sales"].pk) in options(html, "owner")
    assert str(team["bob"].pk) not in options(html, "owner")


def test_the_deal_form_offers_only_sales_people_and_adv(alice, team):
    html = alice.client().get(alice.url("deals/new/")).content.decode()
    assert str(team["bob"].pk) not in options(html, "sales_owner")
    assert str(team["sales"].pk) in options(html, "sales_owner")
    assert options(html, "adv_owner") == {str(team["adv"].pk), str(team["alice"].pk)}
