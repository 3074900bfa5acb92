"""The checklist of expected documents: present, missing, expired (by "valid until" and by age),
who must provide each, and the many-clients computation in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from clients import services
from documents.models import DocumentRequirement, DocumentType
from documents.requirements import checklist, checklist_clients, checklists, missing_documents
from tests.documents import test_requirements_support as support
from tests.documents.test_requirements_support import TODAY, days

pytestmark = pytest.mark.django_db
media = support.media
world = support.world


def states(world, client) -> dict[str, str]:
    with tenant_context(world.tenant):
        client = checklist_clients().get(pk=client.pk)
        return {item.document_type.code: item.status for item in checklist(client, today=TODAY)}


def item(world, client, code):
    with tenant_context(world.tenant):
        client = checklist_clients().get(pk=client.pk)
        return next(i for i in checklist(client, today=TODAY) if i.document_type.code == code)


def test_a_client_without_documents_misses_every_expected_document(world):
    # given a client with no document
    client = world.client()
    # then the K-bis, the framework agreement and the RIB are all missing
    assert states(world, client) == {"kbis": "missing", "contrat-cadre": "missing", "rib": "missing"}


def test_a_kbis_issued_within_90_days_is_present_until_its_90th_day(world):
    # given a K-bis issued 30 days ago
    client = world.client()
    world.document(client, "kbis", signed_on=days(-30))
    # then it is present, valid until 90 days after its issue date
    found = item(world, client, "kbis")
    assert found.status == "present"
    assert found.expires_on == days(60)
    assert found.document.signed_on == days(-30)


def test_a_kbis_older_than_90_days_is_expired_counted_from_its_issue_date(world):
    # given a K-bis issued 91 days ago (uploaded yesterday: the issue date counts, not the upload)
    client = world.client()
    world.document(client, "kbis", signed_on=days(-91), uploaded_on=days(-1))
    # then it is expired since the day after its 90th day
    found = item(world, client, "kbis")
    assert found.status == "expired"
    assert found.expires_on == days(-1)


def test_without_issue_date_the_age_counts_from_the_upload(world):
    # given two clients whose K-bis has no issue date, uploaded 100 and 10 days ago
    old, recent = world.client(), world.client()
    world.document(old, "kbis", uploaded_on=days(-100))
    world.document(recent, "kbis", uploaded_on=days(-10))
    # then the first is expired and the second present
    assert states(world, old)["kbis"] == "expired"
    assert states(world, recent)["kbis"] == "present"
    assert item(world, recent, "kbis").expires_on == days(80)


def test_a_contract_is_expired_the_day_after_its_valid_until(world):
    # given a framework agreement valid until yesterday, and another valid until today
    passed, last_day = world.client(), world.client()
    world.document(passed, "contrat-cadre", signed_on=days(-400), valid_until=days(-1))
    world.document(last_day, "contrat-cadre", signed_on=days(-400), valid_until=TODAY)
    # then the first is expired (since yesterday), the second still present
    assert item(world, passed, "contrat-cadre").status == "expired"
    assert item(world, passed, "contrat-cadre").expires_on == days(-1)
    assert item(world, last_day, "contrat-cadre").status == "present"
    assert item(world, last_day, "contrat-cadre").expires_on == TODAY


def test_valid_until_does_not_expire_a_document_whose_requirement_does_not_ask_for_it(world):
    # given a RIB (its requirement does not require "unexpired") whose valid-until date passed
    client = world.client()
    world.document(client, "rib", signed_on=days(-400), valid_until=days(-10))
    # then it is still present, with no end date
    found = item(world, client, "rib")
    assert (found.status, found.expires_on) == ("present", None)


def test_the_newest_document_of_a_type_decides(world):
    # given a fresh K-bis, then an old one uploaded after it (an archive)
    client = world.client()
    world.document(client, "kbis", signed_on=days(-5), title="K-bis récent")
    world.document(client, "kbis", signed_on=days(-400), title="K-bis 2025")
    # then the newest by issue date (the fresh one) makes it present
    found = item(world, client, "kbis")
    assert (found.status, found.document.title) == ("present", "K-bis récent")

    # given, on another client, an old K-bis replaced by a newer but still too old one
    other = world.client()
    world.document(other, "kbis", signed_on=days(-400))
    world.document(other, "kbis", signed_on=days(-120))
    # then it is expired, judged on the newer one
    assert item(world, other, "kbis").expires_on == days(-30)


def test_prospects_owe_prospect_documents_and_former_or_archived_clients_owe_nothing(world):
    # given a prospect, a former client and an archived client
    prospect = world.client(status="prospect")
    former = world.client(status="former")
    archived = world.client()
    with tenant_context(world.tenant):
        services.client_archive(actor=world.alice.membership, client=archived)
    # then the prospect owes only a K-bis, the others nothing
    assert states(world, prospect) == {"kbis": "missing"}
    assert states(world, former) == {}
    assert states(world, archived) == {}


def test_inactive_requirements_and_types_are_not_expected(world):
    # given the RIB requirement switched off and the K-bis type deactivated
    client = world.client()
    with tenant_context(world.tenant):
        DocumentRequirement.objects.filter(document_type__code="rib").update(is_active=False)
        DocumentType.objects.filter(code="kbis").update(is_active=False)
    # then only the framework agreement is expected
    assert states(world, client) == {"contrat-cadre": "missing"}


def test_the_responsible_is_the_owner_or_the_adv_as_the_requirement_says(world):
    # given a client owned by sam and followed by ada
    client = world.client()
    # then sam owes the K-bis and the contract, ada the RIB
    assert item(world, client, "kbis").responsible == world.sam.membership
    assert item(world, client, "contrat-cadre").responsible == world.sam.membership
    assert item(world, client, "rib").responsible == world.ada.membership


def test_nobody_is_responsible_when_the_owner_is_missing_or_inactive(world):
    # given a client without ADV, whose sales owner left the firm
    client = world.client(adv_owner=None)
    with tenant_context(world.tenant):
        type(world.sam.membership).objects.filter(pk=world.sam.membership.pk).update(is_active=False)
    # then nobody is responsible for anything
    with tenant_context(world.tenant):
        items = checklist(checklist_clients().get(pk=client.pk), today=TODAY)
    assert [i.responsible for i in items] == [None, None, None]


def _queries_for(world, count: int) -> int:
    for _ in range(count):
        client = world.client()
        world.document(client, "kbis", signed_on=days(-10))
        world.document(client, "contrat-cadre", signed_on=days(-400), valid_until=days(-1))
    with tenant_context(world.tenant):
        clients = list(checklist_clients().order_by("created_at")[:count])
        with CaptureQueriesContext(connection) as captured:
            result = checklists(clients, today=TODAY)
        assert len(result) == count
        assert all(len(items) == 3 for items in result.values())
    return len(captured)


def test_many_clients_are_checked_in_a_constant_number_of_queries(world):
    # given 5 clients, then 30, each with documents
    # when their checklists are computed at once
    # then the number of queries is the same (the requirements, then the newest documents)
    assert _queries_for(world, 5) == 2
    assert _queries_for(world, 30) == 2


def test_missing_documents_lists_what_is_not_present_with_filters(world):
    # given a client with a fresh K-bis, an expired contract and no RIB; and a prospect with nothing
    client = world.client(name="Alpha Industrie SAS")
    world.document(client, "kbis", signed_on=days(-10))
    world.document(client, "contrat-cadre", signed_on=days(-400), valid_until=days(-1))
    prospect = world.client(name="Beta Prospect SAS", status="prospect", owner=world.alice.membership)
    with tenant_context(world.tenant):
        from documents.requirements import MissingFilters

        def rows(**filters):
            found = missing_documents(today=TODAY, filters=MissingFilters(**filters))
            return sorted((r.client.legal_name, r.document_type.code, r.status) for r in found)

        # then every row not present is listed
        assert rows() == [
            ("Alpha Industrie SAS", "contrat-cadre", "expired"),
            ("Alpha Industrie SAS", "rib", "missing"),
            ("Beta Prospect SAS", "kbis", "missing"),
        ]
        # and the filters narrow it
        assert rows(status="expired") == [("Alpha Industrie SAS", "contrat-cadre", "expired")]
        assert rows(responsible=world.ada.membership) == [("Alpha Industrie SAS", "rib", "missing")]
        assert rows(document_type=DocumentType.objects.get(code="kbis")) == [("Beta Prospect SAS", "kbis", "missing")]
        assert rows(client_status="prospect") == [("Beta Prospect SAS", "kbis", "missing")]
        assert prospect.pk
