"""The "Commercial" and "ADV en charge" pickers suggest the members whose role can hold the job,
and keep the current value when it no longer fits (a former salesperson now consultant). They are
autocompletes: the page carries the current value alone, never the list of members."""

from __future__ import annotations

import re

import pytest

from adv.tenancy.context import tenant_context
from clients import services as client_services
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def picker(html: str, name: str) -> dict:
    """The suggestion parameters, the hidden value and the label shown of a picker."""
    hidden = re.search(rf'<input type="text" hidden name="{name}" value="([^"]*)"', html)
    assert hidden, f"no picker {name}"
    params = re.findall(r'data-params="([^"]*)"', html[: hidden.start()])[-1]
    label = re.search(r'<input type="text"[^>]*? value="([^"]*)"', html[hidden.end():]).group(1)
    return {"params": params.replace("&amp;", "&"), "value": hidden.group(1), "label": label}


def suggested(persona, role: str, q: str = "") -> set[str]:
    html = persona.client().get(persona.url(f"pickers/members/?role={role}&q={q}")).content.decode()
    return set(re.findall(r'data-value="([^"]*)"', html))


@pytest.fixture
def team(alice, bob):
    with tenant_context(alice.tenant):
        sales = MembershipFactory(user=UserFactory(first_name="Sacha"), role="sales")
        adv = MembershipFactory(user=UserFactory(first_name="Ada"), role="adv")
    return {"alice": alice.membership, "bob": bob.membership, "sales": sales, "adv": adv}


def test_the_client_form_offers_only_sales_people_and_adv(alice, team):
    # given the client form: its pickers ask for the sales and the ADV role groups, and list nobody
    html = alice.client().get(alice.url("clients/new/")).content.decode()
    assert picker(html, "owner")["params"] == "role=sales" and picker(html, "adv_owner")["params"] == "role=adv"
    assert str(team["bob"].pk) not in html and str(team["sales"].pk) not in html
    # then the suggestions are the people who may hold the job: never a consultant
    owners, advs = suggested(alice, "sales"), suggested(alice, "adv")
    assert str(team["sales"].pk) in owners and str(team["alice"].pk) in owners
    assert str(team["bob"].pk) not in owners and str(team["adv"].pk) not in owners  # a consultant, an ADV
    assert advs == {str(team["adv"].pk), str(team["alice"].pk)}


def test_the_form_refuses_an_owner_whose_role_cannot_hold_the_job(alice, team):
    # when a consultant's id is posted as the sales owner (not offered, but typed in by hand)
    response = alice.client().post(alice.url("clients/new/"), {"legal_name": "Helios SA", "status": "prospect", "owner": str(team["bob"].pk)})
    # then the form answers with an error on the field and creates nothing
    assert response.status_code == 400
    assert 'name="owner"' in response.content.decode() and response.context["form"].errors.get("owner")


def test_editing_keeps_the_current_owner_even_if_his_role_changed(alice, team):
    with tenant_context(alice.tenant):
        client = client_services.client_create(actor=alice.membership, legal_name="Helios SA", status="prospect", owner=team["sales"])
        type(team["sales"]).objects.filter(pk=team["sales"].pk).update(role="consultant")
    html = alice.client().get(alice.url(f"clients/{client.pk}/edit/")).content.decode()
    owner = picker(html, "owner")
    assert owner["value"] == str(team["sales"].pk) and owner["label"].startswith("Sacha")
    assert str(team["bob"].pk) not in html
    # and the form accepts him still (but not another consultant)
    form = alice.client().get(alice.url(f"clients/{client.pk}/edit/")).context["form"]
    with tenant_context(alice.tenant):
        assert form.fields["owner"].queryset.filter(pk=team["sales"].pk).exists()
        assert not form.fields["owner"].queryset.filter(pk=team["bob"].pk).exists()


def test_the_deal_form_offers_only_sales_people_and_adv(alice, team):
    html = alice.client().get(alice.url("deals/new/")).content.decode()
    assert picker(html, "sales_owner")["params"] == "role=sales"
    assert picker(html, "adv_owner")["params"] == "role=adv"
    assert picker(html, "project_manager")["params"] == "role=project_manager"
    assert str(team["bob"].pk) not in html
    assert str(team["bob"].pk) not in suggested(alice, "project_manager")
