"""Autocomplete pickers (adv/ui/pickers.py, clients/pickers.py): the suggestions answer at most 20
people or clients of the requesting member's firm, people by the job they may hold (never a
consultant), and the pages that use them no longer ship every member and client."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from adv.ui.pickers import PICKER_LIMIT
from clients import services as client_services
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def values(response) -> list[str]:
    return re.findall(r'data-value="([^"]*)"', response.content.decode())


def labels(response) -> list[str]:
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


def add_member(persona, role: str, first_name: str = "Test", last_name: str = "", **extra):
    with tenant_context(persona.tenant):
        user = UserFactory(first_name=first_name, **({"last_name": last_name} if last_name else {}))
        return MembershipFactory(user=user, role=role, **extra)


def add_client(persona, legal_name: str, **fields):
    with tenant_context(persona.tenant):
        return client_services.client_create(actor=persona.membership, legal_name=legal_name, status="client", **fields)


# --- People ---------------------------------------------------------------------------------------


def test_owners_are_sales_adv_managers_and_admins_never_consultants(alice, bob):
    sales, adv = add_member(alice, "sales", "Sacha"), add_member(alice, "adv", "Ada")
    manager, accountant = add_member(alice, "manager", "Max"), add_member(alice, "accountant", "Carl")
    response = alice.client().get(alice.url("pickers/members/?role=owner"))
    assert response.status_code == 200
    found = set(values(response))
    assert found == {str(m.pk) for m in (alice.membership, sales, adv, manager)}
    assert str(bob.membership.pk) not in found and str(accountant.pk) not in found


def test_people_are_found_by_any_word_of_their_name_without_accents(alice):
    helene = add_member(alice, "sales", "Hélène", "Dupré")
    add_member(alice, "sales", "Jean", "Martin")
    response = alice.client().get(alice.url("pickers/members/?role=sales&q=helene dup"))
    assert values(response) == [str(helene.pk)]
    assert "Commercial" in response.content.decode()  # the role beside the name


def test_inactive_members_are_not_suggested(alice):
    gone = add_member(alice, "sales", "Gaston", is_active=False)
    assert str(gone.pk) not in values(alice.client().get(alice.url("pickers/members/?role=sales")))


def test_an_unknown_role_group_is_refused(alice):
    response = alice.client().get(alice.url("pickers/members/?role=everyone"))
    assert response.status_code == 400


def test_the_manager_picker_never_offers_a_consultant_and_the_staffing_one_only_consultants(alice):
    manager = add_member(alice, "manager", "Marc", "Manager")
    consultant = add_member(alice, "consultant", "Claire", "Consultante")
    managers = values(alice.client().get(alice.url("pickers/members/?role=manager")))
    consultants = values(alice.client().get(alice.url("pickers/members/?role=consultant")))
    assert str(manager.pk) in managers and str(consultant.pk) not in managers
    assert str(consultant.pk) in consultants and str(manager.pk) not in consultants


def test_me_is_offered_first_when_asked(alice):
    response = alice.client().get(alice.url("pickers/members/?role=sales&me=1"))
    assert values(response)[0] == "me" and labels(response)[0] == "Moi"


def test_at_most_twenty_people_are_suggested(alice):
    for index in range(PICKER_LIMIT + 5):
        add_member(alice, "sales", "Sacha", f"Vendeur{index:02d}")
    response = alice.client().get(alice.url("pickers/members/?role=sales&q=vendeur"))
    assert len(values(response)) == PICKER_LIMIT


def test_a_consultant_may_not_list_people(bob):
    assert bob.client().get(bob.url("pickers/members/?role=sales")).status_code == 403


def test_another_firms_people_are_never_suggested(alice, carol):
    add_member(carol, "sales", "Sacha")
    response = alice.client().get(alice.url("pickers/members/?role=sales&q=sacha"))
    assert values(response) == []
    assert "Aucun résultat" in response.content.decode()
    # and carol cannot ask through alice's firm
    assert carol.client().get(alice.url("pickers/members/?role=sales")).status_code in (403, 404)


def test_the_people_picker_runs_the_same_queries_for_3_or_30_people(alice):
    def count() -> int:
        client = alice.client()
        client.get(alice.url("pickers/members/?role=sales&q=vend"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(alice.url("pickers/members/?role=sales&q=vend")).status_code == 200
        return len(queries)

    for index in range(3):
        add_member(alice, "sales", "Vendeur", f"A{index}")
    small = count()
    for index in range(27):
        add_member(alice, "sales", "Vendeur", f"B{index}")
    assert count() == small


# --- Clients ----------------------------------------------------------------------------------------


def test_clients_are_found_from_two_characters(alice):
    dupont = add_client(alice, "Dupont Industrie SA", siren="732829320")
    add_client(alice, "Martin Conseil")
    response = alice.client().get(alice.url("pickers/clients/?q=dup"))
    assert values(response) == [str(dupont.pk)]
    assert "732829320" in response.content.decode()  # the SIREN beside the name
    # one character: the first clients by name, not a search
    assert len(values(alice.client().get(alice.url("pickers/clients/?q=d")))) == 2


def test_archived_clients_are_left_out_when_asked_and_a_client_can_be_excluded(alice):
    archived = add_client(alice, "Dupuis Archivé")
    kept = add_client(alice, "Dupuis Actif")
    with tenant_context(alice.tenant):
        client_services.client_archive(actor=alice.membership, client=archived)
    client = alice.client()
    assert set(values(client.get(alice.url("pickers/clients/?q=dupuis")))) == {str(archived.pk), str(kept.pk)}
    assert values(client.get(alice.url("pickers/clients/?q=dupuis&scope=active"))) == [str(kept.pk)]
    assert values(client.get(alice.url(f"pickers/clients/?q=dupuis&exclude={kept.pk}"))) == [str(archived.pk)]


def test_at_most_twenty_clients_are_suggested_and_never_another_firms(alice, carol):
    for index in range(PICKER_LIMIT + 3):
        add_client(alice, f"Dupont {index:02d}")
    theirs = add_client(carol, "Dupont Bravo")
    found = values(alice.client().get(alice.url("pickers/clients/?q=dupont")))
    assert len(found) == PICKER_LIMIT and str(theirs.pk) not in found


def test_a_consultant_may_not_list_clients(bob):
    assert bob.client().get(bob.url("pickers/clients/?q=du")).status_code == 403


# --- The pages that use them ------------------------------------------------------------------------


def test_the_client_list_filter_ships_the_chosen_owner_alone(alice, bob):
    sales = add_member(alice, "sales", "Sacha", "Vendeur")
    others = [add_member(alice, "sales", "Autre", f"Vendeur{index}") for index in range(5)]
    html = alice.client().get(alice.url(f"clients/?owner={sales.pk}")).content.decode()
    # the picker shows the chosen person's name (from the URL: the Back button and a reload keep it)
    assert f'name="owner" value="{sales.pk}"' in html and 'value="Sacha Vendeur · Commercial"' in html
    assert not any(str(other.pk) in html for other in others) and str(bob.membership.pk) not in html


def test_the_chosen_owner_filters_the_client_list(alice):
    sales = add_member(alice, "sales", "Sacha")
    add_client(alice, "Dupont SA", owner=sales)
    add_client(alice, "Martin SA")
    page = alice.client().get(alice.url(f"clients/?owner={sales.pk}")).context["page"]
    assert [c.legal_name for c in page.object_list] == ["Dupont SA"]
    # "me" stays a value of its own
    assert alice.client().get(alice.url("clients/?owner=me")).context["filters"].owner == alice.membership.pk


def test_the_deal_list_filter_ships_the_chosen_client_alone(alice):
    clients = [add_client(alice, f"Client {index}") for index in range(4)]
    html = alice.client().get(alice.url(f"deals/?client={clients[0].pk}")).content.decode()
    assert f'name="client" value="{clients[0].pk}"' in html and 'value="Client 0"' in html
    assert not any(str(c.pk) in html for c in clients[1:])


def test_the_chosen_value_survives_a_form_error(alice):
    sales = add_member(alice, "sales", "Sacha", "Vendeur")
    parent = add_client(alice, "Groupe Dupont")
    # when the client form is sent without its required name
    response = alice.client().post(alice.url("clients/new/"), {"status": "prospect", "owner": str(sales.pk), "parent": str(parent.pk)})
    html = response.content.decode()
    # then the pickers show what was chosen, with its label
    assert response.status_code == 400 and response.context["form"].errors.get("legal_name")
    assert f'name="owner" value="{sales.pk}"' in html and 'value="Sacha Vendeur · Commercial"' in html
    assert f'name="parent" value="{parent.pk}"' in html and 'value="Groupe Dupont"' in html


def test_an_unknown_id_in_a_filter_is_ignored_not_a_crash(alice):
    response = alice.client().get(alice.url("clients/?owner=not-a-uuid&client=00000000-0000-0000-0000-000000000000"))
    assert response.status_code == 200
    response = alice.client().get(alice.url("deals/?client=00000000-0000-0000-0000-000000000000"))
    assert response.status_code == 200
