"""The clients API: /api/v1/clients/ (CRUD through the services, archive, unarchive, rename,
billing-profile) and /api/v1/contacts/. Errors are problem+json with stable codes; the
platform password never leaves the server; roles and tenants are enforced."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from clients import services
from clients.models import BillingProfile, Client, Contact
from tests.clients.test_records_support import create_client, make_siren, make_siret, make_vat, member

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"
CONTACTS = "/api/v1/contacts/"


def api(persona) -> HttpClient:
    with tenant_context(persona.tenant):
        _token, raw = api_token_create(actor=persona.membership, name="tests")
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def send(client: HttpClient, method: str, url: str, body: dict | None = None):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Create, read, update, delete -----------------------------------------------------------------------


def test_create_read_update_and_delete_a_client(alice):
    adv = member(alice, "adv")
    http = api(alice)
    siren = make_siren()
    # when a client is created
    response = send(http, "post", CLIENTS, {
        "legal_name": "Globex SA", "trade_name": "Globex", "status": "client", "siren": siren,
        "siret": make_siret(siren), "vat_number": make_vat(siren), "adv_owner": str(adv.membership.pk),
        "is_public_sector": False, "billing_city": "Lyon",
    })
    # then it is returned with its billing profile and its first name
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "Globex" and body["adv_owner"] == str(adv.membership.pk)
    assert body["billing_profile"]["einvoicing_platform"] == "none"
    assert body["billing_profile"]["has_platform_password"] is False
    assert [n["legal_name"] for n in body["names"]] == ["Globex SA"]
    client_id = body["id"]

    assert http.get(f"{CLIENTS}{client_id}/").json()["siren"] == siren
    response = send(http, "patch", f"{CLIENTS}{client_id}/", {"sector": "Banque", "legal_name": "Globex SA"})
    assert response.status_code == 200 and response.json()["sector"] == "Banque"
    assert http.put(f"{CLIENTS}{client_id}/", data="{}", content_type="application/json").status_code == 405
    assert http.delete(f"{CLIENTS}{client_id}/").status_code == 204
    with tenant_context(alice.tenant):
        assert not Client.objects.filter(pk=client_id).exists()


def test_an_invalid_identity_is_a_problem_with_every_field_and_saves_nothing(alice):
    response = send(api(alice), "post", CLIENTS, {"legal_name": "Bad", "siren": "123456789", "vat_number": "FR00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid"
    assert set(problem["errors"]) >= {"siren", "vat_number"}
    with tenant_context(alice.tenant):
        assert not Client.objects.exists()


def test_a_taken_siren_is_409_with_the_existing_clients_id(alice):
    siren = make_siren()
    existing = create_client(alice, legal_name="Premier SA", siren=siren)
    response = send(api(alice), "post", CLIENTS, {"legal_name": "Second", "siren": siren})
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "siren_taken"
    assert problem["existing_client"] == {"id": str(existing.pk), "display_name": "Premier SA"}
    assert problem["errors"] == {"siren": [problem["title"]]}


def test_renaming_through_patch_is_refused_and_the_rename_action_keeps_history(alice):
    client = create_client(alice, legal_name="Ancien SA")
    http = api(alice)
    response = send(http, "patch", f"{CLIENTS}{client.pk}/", {"legal_name": "Nouveau SA"})
    assert response.status_code == 400 and response.json()["code"] == "use_rename"
    response = send(http, "post", f"{CLIENTS}{client.pk}/rename/", {"legal_name": "Nouveau SA", "valid_from": "2024-06-01"})
    assert response.status_code == 200
    assert [n["legal_name"] for n in response.json()["names"]][0] == "Nouveau SA"
    with tenant_context(alice.tenant):
        client = Client.objects.get(pk=client.pk)
        assert services.client_name_on(client, datetime.date(2024, 5, 31)) == "Ancien SA"


def test_archive_unarchive_and_delete_of_a_client_in_use(alice):
    group = create_client(alice, legal_name="Groupe")
    create_client(alice, legal_name="Filiale", parent=group)
    http = api(alice)
    response = http.delete(f"{CLIENTS}{group.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "client_in_use"
    archived = http.post(f"{CLIENTS}{group.pk}/archive/")
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert [c["legal_name"] for c in http.get(f"{CLIENTS}?archived=true").json()["results"]] == ["Groupe"]
    assert http.post(f"{CLIENTS}{group.pk}/unarchive/").json()["is_archived"] is False


# --- Billing profile ---------------------------------------------------------------------------------------


def test_billing_profile_is_read_and_patched_and_the_password_never_returned(alice):
    adv = member(alice, "adv")
    client = create_client(alice)
    http = api(adv)
    url = f"{CLIENTS}{client.pk}/billing-profile/"
    assert http.get(url).json()["payment_terms_days"] == 30
    response = send(http, "patch", url, {
        "payment_terms_days": 45, "payment_terms_end_of_month": True, "einvoicing_platform": "other",
        "platform_name": "Coupa", "platform_username": "adv@alpha", "platform_password": "s3cr3t!",
        "purchase_order_required": True, "billing_process": "<p>ok</p><script>no()</script>",
    })
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_platform_password"] is True and "platform_password" not in body
    assert body["billing_process"] == "<p>ok</p>"
    assert "s3cr3t!" not in response.content.decode()
    detail = http.get(f"{CLIENTS}{client.pk}/")
    assert "s3cr3t!" not in detail.content.decode() and detail.json()["billing_profile"]["has_platform_password"]
    with tenant_context(alice.tenant):
        profile = BillingProfile.objects.get(client=client)
        assert services.billing_profile_platform_password(actor=adv.membership, profile=profile) == "s3cr3t!"


@pytest.mark.parametrize(("body", "code"), [
    ({"payment_terms_days": 61}, "payment_terms_over_legal_max"),
    ({"payment_terms_days": 46, "payment_terms_end_of_month": True}, "payment_terms_over_legal_max"),
    ({"einvoicing_platform": "other"}, "platform_name_required"),
])
def test_billing_profile_rules_answer_400_with_their_code(alice, body, code):
    client = create_client(alice)
    response = send(api(alice), "patch", f"{CLIENTS}{client.pk}/billing-profile/", body)
    assert response.status_code == 400 and response.json()["code"] == code
    with tenant_context(alice.tenant):
        assert BillingProfile.objects.get(client=client).payment_terms_days == 30


def test_a_public_client_stays_on_chorus_pro(alice):
    response = send(api(alice), "post", CLIENTS, {"legal_name": "Préfecture", "is_public_sector": True})
    assert response.json()["billing_profile"]["einvoicing_platform"] == "chorus_pro"
    patched = send(api(alice), "patch", f"{CLIENTS}{response.json()['id']}/billing-profile/", {"einvoicing_platform": "none"})
    assert patched.status_code == 400 and patched.json()["code"] == "public_sector_chorus"


# --- Listing ---------------------------------------------------------------------------------------------------


def test_filters_search_and_ordering(alice):
    sales = member(alice, "sales")
    siren = make_siren()
    create_client(alice, legal_name="Bravo SA", status="prospect", owner=sales.membership)
    create_client(alice, legal_name="Alpha SA", status="client", siren=siren, is_public_sector=True)
    create_client(alice, legal_name="Charlie SA", trade_name="Zulu", status="former")
    http = api(alice)

    def names(query: str) -> list[str]:
        response = http.get(f"{CLIENTS}{query}")
        assert response.status_code == 200, response.content
        return [c["legal_name"] for c in response.json()["results"]]

    assert names("") == ["Alpha SA", "Bravo SA", "Charlie SA"]
    assert names("?ordering=-legal_name") == ["Charlie SA", "Bravo SA", "Alpha SA"]
    assert names("?status=prospect&status=former") == ["Bravo SA", "Charlie SA"]
    assert names(f"?owner={sales.membership.pk}") == ["Bravo SA"]
    assert names("?is_public_sector=true") == ["Alpha SA"]
    assert names("?search=zulu") == ["Charlie SA"]
    assert names(f"?search={siren[:5]}") == ["Alpha SA"]
    assert names("?archived=false") == ["Alpha SA", "Bravo SA", "Charlie SA"]


def _count(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def test_list_endpoints_run_a_constant_number_of_queries(alice, django_assert_num_queries):
    sales = member(alice, "sales")
    group = create_client(alice, legal_name="Groupe")
    for index in range(4):
        client = create_client(alice, legal_name=f"C{index}", owner=sales.membership, parent=group)
        with tenant_context(alice.tenant):
            services.contact_create(actor=alice.membership, client=client, last_name=f"N{index}")
    http = api(alice)
    http.get(CLIENTS)
    clients_baseline, contacts_baseline = _count(http, CLIENTS), _count(http, CONTACTS)
    for index in range(25):
        client = create_client(alice, legal_name=f"D{index}", owner=sales.membership, parent=group)
        with tenant_context(alice.tenant):
            services.contact_create(actor=alice.membership, client=client, last_name=f"M{index}")
    with django_assert_num_queries(clients_baseline):
        http.get(CLIENTS)
    with django_assert_num_queries(contacts_baseline):
        http.get(CONTACTS)


# --- Contacts --------------------------------------------------------------------------------------------------


def test_contacts_crud_and_filter_by_client(alice):
    first, second = create_client(alice, legal_name="Un"), create_client(alice, legal_name="Deux")
    http = api(alice)
    response = send(http, "post", CONTACTS, {
        "client": str(first.pk), "first_name": "Léa", "last_name": "Roux", "email": "Lea@Un.test",
        "invoice_delivery": "to", "signs_timesheets": True,
    })
    assert response.status_code == 201, response.content
    contact = response.json()
    assert contact["email"] == "lea@un.test" and contact["receives_invoices"] is True
    send(http, "post", CONTACTS, {"client": str(second.pk), "last_name": "Autre"})
    assert [c["last_name"] for c in http.get(f"{CONTACTS}?client={first.pk}").json()["results"]] == ["Roux"]
    assert [c["last_name"] for c in http.get(f"{CONTACTS}?receives_invoices=true").json()["results"]] == ["Roux"]
    response = send(http, "patch", f"{CONTACTS}{contact['id']}/", {"email": ""})
    assert response.status_code == 400 and response.json()["code"] == "email_required"
    response = send(http, "patch", f"{CONTACTS}{contact['id']}/", {"invoice_delivery": "cc", "job_title": "DAF"})
    assert response.json()["invoice_delivery"] == "cc" and response.json()["job_title"] == "DAF"
    assert http.delete(f"{CONTACTS}{contact['id']}/").status_code == 204
    with tenant_context(alice.tenant):
        assert not Contact.objects.filter(pk=contact["id"]).exists()


# --- Roles and tenants ---------------------------------------------------------------------------------------------


def test_consultants_get_403_on_the_clients_api(alice, bob):
    client = create_client(alice)
    http = api(bob)
    for url in (CLIENTS, f"{CLIENTS}{client.pk}/", f"{CLIENTS}{client.pk}/billing-profile/", CONTACTS):
        response = http.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "role_required"


@pytest.mark.parametrize("role", ["accountant", "manager", "project_manager"])
def test_read_only_roles_read_but_cannot_write(alice, role):
    client = create_client(alice, legal_name="Lecture")
    http = api(member(alice, role))
    assert http.get(CLIENTS).status_code == 200
    assert http.get(f"{CLIENTS}{client.pk}/billing-profile/").status_code == 200
    assert send(http, "post", CLIENTS, {"legal_name": "Non"}).status_code == 403
    assert send(http, "patch", f"{CLIENTS}{client.pk}/", {"sector": "X"}).status_code == 403
    assert http.post(f"{CLIENTS}{client.pk}/archive/").status_code == 403
    assert send(http, "patch", f"{CLIENTS}{client.pk}/billing-profile/", {"payment_terms_days": 10}).status_code == 403
    assert send(http, "post", CONTACTS, {"client": str(client.pk), "last_name": "X"}).status_code == 403
    with tenant_context(alice.tenant):
        assert Client.objects.count() == 1 and not Contact.objects.exists()


def test_sales_write_clients_but_not_the_billing_profile(alice):
    client = create_client(alice)
    http = api(member(alice, "sales"))
    assert send(http, "patch", f"{CLIENTS}{client.pk}/", {"sector": "Retail"}).status_code == 200
    response = send(http, "patch", f"{CLIENTS}{client.pk}/billing-profile/", {"payment_terms_days": 10})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_carol_gets_404_on_alices_clients_and_contacts(alice, carol):
    client = create_client(alice, legal_name="Secret")
    with tenant_context(alice.tenant):
        contact = services.contact_create(actor=alice.membership, client=client, last_name="Durand")
    http = api(carol)
    for url in (f"{CLIENTS}{client.pk}/", f"{CLIENTS}{client.pk}/billing-profile/", f"{CONTACTS}{contact.pk}/"):
        assert http.get(url).status_code == 404, url
        assert send(http, "patch", url, {"sector": "X", "last_name": "X"}).status_code == 404, url
    for action in ("archive", "unarchive", "rename"):
        assert send(http, "post", f"{CLIENTS}{client.pk}/{action}/", {"legal_name": "X", "valid_from": "2024-01-01"}).status_code == 404
    assert http.delete(f"{CLIENTS}{client.pk}/").status_code == 404
    assert http.delete(f"{CONTACTS}{contact.pk}/").status_code == 404
    # a contact cannot be attached to alice's client either
    response = send(http, "post", CONTACTS, {"client": str(client.pk), "last_name": "Intrus"})
    assert response.status_code == 400 and "client" in response.json()["errors"]
    assert http.get(CLIENTS).json()["count"] == 0
    # and the session API under alice's prefix is not hers
    assert carol.client().get(f"/t/{alice.tenant.slug}/api/v1/clients/{client.pk}/").status_code == 404
    with tenant_context(alice.tenant):
        assert Client.objects.get(pk=client.pk).archived_at is None
        assert Contact.objects.filter(pk=contact.pk).exists()
