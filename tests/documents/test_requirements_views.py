"""Pages of the expected documents: the checklist panel of a client and its "Relancer" button,
the missing-documents report (filters, pagination, constant query count, grouped chase), roles,
and isolation (carol answers 404 on anything of alice's firm)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adv.tenancy.context import tenant_context
from documents import reminders
from documents import requirements as requirements_module
from documents.models import DocumentType
from documents.views import checklist as checklist_views
from notifications.models import Notification
from tests.documents import test_requirements_support as support
from tests.documents.test_requirements_support import TODAY, days

pytestmark = pytest.mark.django_db
media = support.media
world = support.world
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(requirements_module, "tenant_today", lambda tenant: TODAY)


def panel_url(world, client) -> str:
    return reverse("clients:checklist_panel", kwargs={"tenant_slug": world.tenant.slug, "client_pk": client.pk})


def report_url(persona) -> str:
    return reverse("clients:missing_documents", kwargs={"tenant_slug": persona.tenant.slug})


def statuses(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="checklist-item" data-status="(\w+)" data-type="([\w-]+)"', html)


def test_the_checklist_panel_shows_present_missing_and_expired_with_who_provides(world):
    # given a client with a fresh K-bis, an expired contract and no RIB
    client = world.client()
    world.document(client, "kbis", signed_on=days(-10))
    world.document(client, "contrat-cadre", signed_on=days(-400), valid_until=days(-3))
    # when alice's client page loads the panel with htmx
    response = world.alice.client().get(panel_url(world, client), **HTMX)
    html = response.content.decode()
    # then it is a fragment with the three states, and who must provide what is not there
    assert response.status_code == 200
    assert "<html" not in html
    assert sorted(statuses(html)) == [("expired", "contrat-cadre"), ("missing", "rib"), ("present", "kbis")]
    assert "À fournir par" in html and "Sam Alpha" in html and "Ada Alpha" in html
    assert f"Expiré depuis le {days(-3):%d/%m/%Y}" in html
    assert 'data-testid="checklist-chase"' in html


def test_the_checklist_panel_has_a_full_page_fallback(world):
    client = world.client()
    response = world.alice.client().get(panel_url(world, client))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert len(statuses(response.content.decode())) == 3


def test_a_restricted_document_is_counted_but_its_title_is_hidden(world):
    # given a confidential contract (level 3) and sam, cleared to level 2
    client = world.client()
    world.document(client, "contrat-cadre", title="Contrat secret", signed_on=days(-5), valid_until=days(100))
    html = world.sam.client().get(panel_url(world, client), **HTMX).content.decode()
    # then sam sees it present, without its title
    assert ("present", "contrat-cadre") in statuses(html)
    assert "Contrat secret" not in html and "accès restreint" in html


def test_relancer_chases_once_and_the_panel_says_so(world):
    client = world.client()
    browser = world.alice.client()
    chase_url = reverse("clients:checklist_chase", kwargs={"tenant_slug": world.tenant.slug, "client_pk": client.pk})
    # when alice clicks "Relancer" twice (htmx)
    first = browser.post(chase_url, **HTMX).content.decode()
    second = browser.post(chase_url, **HTMX).content.decode()
    # then two people were notified once, and the panel tells what happened each time
    with tenant_context(world.tenant):
        assert Notification.objects.filter(event=reminders.CHASE_EVENT).count() == 2
    assert "Relance envoyée à" in first and "Sam Alpha (2 document(s))" in first
    assert "Déjà relancé(s) aujourd&#x27;hui" in second or "Déjà relancé(s) aujourd'hui" in second
    assert 'data-testid="checklist-chased-today"' in second


def test_relancer_without_htmx_redirects_to_the_client_page(world):
    client = world.client()
    url = reverse("clients:checklist_chase", kwargs={"tenant_slug": world.tenant.slug, "client_pk": client.pk})
    response = world.alice.client().post(url)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/clients/{client.pk}/#checklist")


def test_people_who_cannot_chase_see_no_button_and_get_403(world):
    # given a manager (may view clients, may not chase)
    manager = world.member("manager", "max@alpha.test")
    client = world.client()
    html = manager.client().get(panel_url(world, client), **HTMX).content.decode()
    assert 'data-testid="checklist-chase"' not in html
    url = reverse("clients:checklist_chase", kwargs={"tenant_slug": world.tenant.slug, "client_pk": client.pk})
    assert manager.client().post(url).status_code == 403


def test_a_missing_document_links_to_the_upload_for_those_who_may_upload(world):
    # given a client that misses its documents
    client = world.client()
    uploader, reader = world.member("adv", "uploader.h3@alpha.test"), world.member("accountant", "reader.h3@alpha.test")
    # then the ADV gets a link to file each one; the accountant (read-only) does not
    html = uploader.client().get(panel_url(world, client), **HTMX).content.decode()
    assert 'data-testid="checklist-upload"' in html and f"/clients/{client.pk}/#documents" in html
    assert 'data-testid="checklist-upload"' not in reader.client().get(panel_url(world, client), **HTMX).content.decode()


def test_consultants_cannot_see_the_checklist_nor_the_report(world, bob):
    client = world.client()
    assert bob.client().get(panel_url(world, client)).status_code == 403
    assert bob.client().get(report_url(bob)).status_code == 403


# --- Report -----------------------------------------------------------------------------------------


def rows_of(html: str) -> list[str]:
    return re.findall(r'data-testid="missing-row" data-status="(\w+)"', html)


def test_the_report_lists_every_missing_or_expired_document_and_filters(world):
    # given a client missing its RIB with an expired contract, and a prospect missing its K-bis
    client = world.client(name="Alpha Industrie SAS")
    world.document(client, "kbis", signed_on=days(-10))
    world.document(client, "contrat-cadre", signed_on=days(-400), valid_until=days(-3))
    world.client(name="Beta Prospect SAS", status="prospect")
    browser = world.alice.client()
    url = report_url(world.alice)
    # then the whole report has three rows
    html = browser.get(url).content.decode()
    assert sorted(rows_of(html)) == ["expired", "missing", "missing"]
    assert "3 documents à obtenir" in html
    # and each filter narrows it (the htmx request gets the results fragment)
    assert rows_of(browser.get(url, {"status": "expired"}).content.decode()) == ["expired"]
    assert rows_of(browser.get(url, {"responsible": str(world.ada.membership.pk)}, **HTMX).content.decode()) == ["missing"]
    assert rows_of(browser.get(url, {"client_status": "prospect"}).content.decode()) == ["missing"]
    with tenant_context(world.tenant):
        kbis = DocumentType.objects.get(code="kbis")
    filtered = browser.get(url, {"type": str(kbis.pk)}).content.decode()
    assert rows_of(filtered) == ["missing"] and "Beta Prospect SAS" in filtered and "Alpha Industrie SAS" not in filtered
    # an unknown value (another firm's id) filters nothing rather than failing
    assert len(rows_of(browser.get(url, {"responsible": "00000000-0000-0000-0000-000000000000"}).content.decode())) == 3


def test_the_report_paginates(world, monkeypatch):
    monkeypatch.setattr(checklist_views, "ROWS_PER_PAGE", 4)
    for _ in range(2):
        world.client()  # 3 rows each
    html = world.alice.client().get(report_url(world.alice)).content.decode()
    assert len(rows_of(html)) == 4 and "1–4 sur 6" in html
    assert len(rows_of(world.alice.client().get(report_url(world.alice), {"page": 2}).content.decode())) == 2


def _report_queries(world, count: int) -> int:
    for _ in range(count):
        client = world.client()
        world.document(client, "kbis", signed_on=days(-200))
    browser = world.alice.client()
    browser.get(report_url(world.alice))  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(report_url(world.alice), {"status": "missing"})
    assert len(rows_of(response.content.decode())) == min(2 * count, 50)
    return len(captured)


def test_the_report_runs_a_constant_number_of_queries(world):
    # given 5 clients then 30 clients
    five = _report_queries(world, 5)
    thirty = _report_queries(world, 25)
    # then the report page costs the same number of queries
    assert five == thirty


def test_the_grouped_chase_from_the_report(world):
    # given two clients of sam missing their documents
    world.client(name="Alpha SAS")
    world.client(name="Beta SAS")
    browser = world.alice.client()
    html = browser.get(report_url(world.alice), {"type": ""}).content.decode()
    keys = re.findall(r'name="rows" value="([^"]+)"', html)
    assert len(keys) == 6
    chase_url = reverse("clients:missing_documents_chase", kwargs={"tenant_slug": world.tenant.slug})
    # when alice selects every row and clicks "Relancer la sélection"
    response = browser.post(chase_url, {"rows": keys, "query": "status=missing"}, follow=True)
    # then sam and ada got one notification each, and the page says so and keeps the filters
    with tenant_context(world.tenant):
        recipients = sorted(Notification.objects.filter(event=reminders.CHASE_EVENT).values_list("recipient__email", flat=True))
    assert recipients == ["ada@alpha.test", "sam@alpha.test"]
    assert response.redirect_chain[-1][0].endswith("?status=missing")
    assert "Relance envoyée à" in response.content.decode()
    # and "Relancer toutes les lignes filtrées" the same day sends nothing more
    browser.post(chase_url, {"scope": "all", "query": ""})
    with tenant_context(world.tenant):
        assert Notification.objects.filter(event=reminders.CHASE_EVENT).count() == 2


def test_the_report_is_in_the_navigation(world):
    html = world.alice.client().get(report_url(world.alice)).content.decode()
    assert 'data-testid="nav-missing-documents"' in html


# --- Isolation --------------------------------------------------------------------------------------


def test_carol_gets_404_on_alices_checklist_report_export_and_proof_of_order(world, carol):
    client = world.client()
    world.document(client, "contrat-cadre", signed_on=days(-5), valid_until=days(100))
    browser = carol.client()
    alpha, bravo = world.tenant.slug, carol.tenant.slug
    pages = [
        ("get", f"/t/{alpha}/clients/{client.pk}/checklist/"),
        ("get", f"/t/{bravo}/clients/{client.pk}/checklist/"),
        ("post", f"/t/{bravo}/clients/{client.pk}/checklist/chase/"),
        ("get", f"/t/{alpha}/clients/missing-documents/"),
        ("get", f"/t/{alpha}/clients/missing-documents/export/?format=csv"),
        ("get", f"/t/{alpha}/clients/missing-documents/export/?format=xlsx"),
        ("post", f"/t/{alpha}/clients/missing-documents/chase/"),
        ("get", f"/t/{alpha}/clients/{client.pk}/proof-of-order/"),
        ("get", f"/t/{bravo}/clients/{client.pk}/proof-of-order/"),
    ]
    for method, url in pages:
        assert getattr(browser, method)(url).status_code == 404, url
    # and carol's own grouped chase with alice's row keys chases nobody
    html_keys = [f"{client.pk}:{r}" for r in ["00000000-0000-0000-0000-000000000001"]]
    browser.post(f"/t/{bravo}/clients/missing-documents/chase/", {"rows": html_keys})
    with tenant_context(world.tenant):
        assert not Notification.objects.filter(event=reminders.CHASE_EVENT).exists()
