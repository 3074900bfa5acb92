"""Client pages: the list (search, filters, sort, pagination, empty states, constant queries),
the client page and its forms, role rules, and another tenant's clients answering 404."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adv.tenancy.context import tenant_context
from clients import services
from clients.models import BillingProfile, Client, Contact
from documents import services as document_services
from tests.clients.test_records_support import create_client, make_siren, member

pytestmark = pytest.mark.django_db


def _list(persona, query: str = ""):
    return persona.client().get(persona.url(f"clients/{query}"))


def _names(response) -> list[str]:
    return [client.display_name for client in response.context["page"].object_list]


# --- List ------------------------------------------------------------------------------------------------


def test_the_list_searches_legal_name_trade_name_and_siren(alice):
    siren = make_siren()
    create_client(alice, legal_name="Globex Corporation SA", trade_name="Globex")
    create_client(alice, legal_name="Initech SAS", siren=siren)
    create_client(alice, legal_name="Umbrella SA", trade_name="Parapluies")

    assert _names(_list(alice, "?q=globex")) == ["Globex"]
    assert _names(_list(alice, "?q=parapl")) == ["Parapluies"]
    assert _names(_list(alice, f"?q={siren[:3]}%20{siren[3:6]}")) == ["Initech SAS"]


def test_the_list_filters_by_status_owner_adv_and_public_sector(alice):
    sales, adv = member(alice, "sales"), member(alice, "adv")
    create_client(alice, legal_name="Prospect SA", status="prospect", owner=sales.membership)
    create_client(alice, legal_name="Client SA", status="client", adv_owner=adv.membership)
    create_client(alice, legal_name="Ministère", status="client", is_public_sector=True)

    assert _names(_list(alice, "?status=prospect")) == ["Prospect SA"]
    assert _names(_list(alice, f"?owner={sales.membership.pk}")) == ["Prospect SA"]
    assert _names(_list(adv, "?adv_owner=me")) == ["Client SA"]
    assert _names(_list(alice, "?public_sector=yes")) == ["Ministère"]
    assert sorted(_names(_list(alice, "?public_sector=no"))) == ["Client SA", "Prospect SA"]


def test_archived_clients_are_hidden_unless_asked_for(alice):
    create_client(alice, legal_name="Actif SA")
    archived = create_client(alice, legal_name="Archivé SA")
    with tenant_context(alice.tenant):
        services.client_archive(actor=alice.membership, client=archived)

    assert _names(_list(alice)) == ["Actif SA"]
    assert _names(_list(alice, "?archived=all")) == ["Actif SA", "Archivé SA"]
    assert _names(_list(alice, "?archived=only")) == ["Archivé SA"]


def test_the_list_sorts_on_the_server(alice):
    for name in ("Bravo", "alpha", "Charlie"):
        create_client(alice, legal_name=name)
    assert _names(_list(alice, "?sort=name")) == ["alpha", "Bravo", "Charlie"]
    assert _names(_list(alice, "?sort=-name")) == ["Charlie", "Bravo", "alpha"]
    assert _names(_list(alice, "?sort=nonsense")) == ["alpha", "Bravo", "Charlie"]


def test_the_list_paginates_on_the_server(alice):
    for index in range(30):
        create_client(alice, legal_name=f"Client {index:02d}")
    first, second = _list(alice), _list(alice, "?page=2")
    assert len(first.context["page"].object_list) == 25
    assert _names(second) == [f"Client {index}" for index in range(25, 30)]
    assert "26–30 sur 30" in second.content.decode()


def test_empty_states_say_why_the_list_is_empty(alice):
    # given no client at all: an invitation to create the first, for those who may
    body = _list(alice).content.decode()
    assert "Aucun client pour l'instant." in body and "Nouveau client" in body
    assert "Nouveau client" not in _list(member(alice, "accountant")).content.decode()
    # given a client that does not match: a "no match" message with a way out
    create_client(alice, legal_name="Globex")
    body = _list(alice, "?q=zzz").content.decode()
    assert "Aucun client ne correspond à ces critères." in body and "Effacer les filtres" in body


def test_htmx_requests_get_only_the_results(alice):
    create_client(alice, legal_name="Globex")
    response = alice.client().get(alice.url("clients/?q=glo"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="clients-results"' in body and "<html" not in body


def _count_list_queries(persona) -> int:
    client = persona.client()
    client.get(persona.url("clients/"))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(persona.url("clients/"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_a_constant_number_of_queries(alice, django_assert_num_queries):
    # given 5 clients with owners, ADV and groups, and documents expected of clients
    with tenant_context(alice.tenant):
        document_services.document_types_seed_defaults()
    sales, adv = member(alice, "sales"), member(alice, "adv")
    group = create_client(alice, legal_name="Groupe", owner=sales.membership, adv_owner=adv.membership)
    for index in range(4):
        create_client(alice, legal_name=f"Filiale {index}", parent=group, owner=sales.membership, adv_owner=adv.membership)
    baseline = _count_list_queries(alice)
    # when there are 30 of them, then the page runs the same number of queries
    for index in range(25):
        create_client(alice, legal_name=f"Autre {index}", parent=group, owner=sales.membership, adv_owner=adv.membership)
    client = alice.client()
    client.get(alice.url("clients/"))
    with django_assert_num_queries(baseline):
        client.get(alice.url("clients/"))


def test_the_list_shows_what_each_client_still_owes(alice):
    # given the default expected documents (K-bis, framework agreement, RIB for clients)
    with tenant_context(alice.tenant):
        document_services.document_types_seed_defaults()
    owing = create_client(alice, legal_name="Client sans pièces", status="client")
    former = create_client(alice, legal_name="Moreau Distribution", status="former")

    # when the list is shown
    html = alice.client().get(alice.url("clients/")).content.decode()
    rows = {name: row for row in html.split('data-testid="client-row"') for name in ("Client sans pièces", "Moreau Distribution") if name in row}

    # then the client shows its 3 missing documents, linked to its checklist; a former client owes nothing
    assert "3 manquants" in rows["Client sans pièces"]
    assert f"clients/{owing.pk}/#checklist" in rows["Client sans pièces"]
    assert "manquant" not in rows["Moreau Distribution"] and "À jour" not in rows["Moreau Distribution"]
    assert f"clients/{former.pk}/" in rows["Moreau Distribution"]


# --- Role matrix ------------------------------------------------------------------------------------------


def test_consultants_get_403_on_client_pages(alice, bob):
    client = create_client(alice)
    browser = bob.client()
    for path in ("clients/", "clients/new/", f"clients/{client.pk}/", f"clients/{client.pk}/history/"):
        assert browser.get(bob.url(path)).status_code == 403, path


@pytest.mark.parametrize("role", ["accountant", "manager", "project_manager"])
def test_read_only_roles_read_but_do_not_edit(alice, role):
    reader = member(alice, role)
    client = create_client(alice, legal_name="Lecture SA")
    browser = reader.client()
    page = browser.get(reader.url(f"clients/{client.pk}/"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Lecture SA" in body and "Modifier la fiche" not in body and "Révéler" not in body
    assert browser.get(reader.url("clients/new/")).status_code == 403
    assert browser.get(reader.url(f"clients/{client.pk}/edit/")).status_code == 403
    assert browser.post(reader.url(f"clients/{client.pk}/archive/")).status_code == 403
    assert browser.post(reader.url(f"clients/{client.pk}/contacts/new/"), {"last_name": "X"}).status_code == 403
    assert browser.get(reader.url(f"clients/{client.pk}/billing/")).status_code == 403
    with tenant_context(alice.tenant):
        assert Client.objects.get(pk=client.pk).archived_at is None
        assert not Contact.objects.filter(client=client).exists()


def test_sales_edit_the_record_but_not_the_billing_profile(alice):
    sales = member(alice, "sales")
    client = create_client(alice)
    browser = sales.client()
    assert browser.get(sales.url(f"clients/{client.pk}/edit/")).status_code == 200
    assert browser.get(sales.url(f"clients/{client.pk}/billing/")).status_code == 403
    assert browser.post(sales.url(f"clients/{client.pk}/billing/platform-password/")).status_code == 403


def test_carol_gets_404_on_alices_clients(alice, carol):
    client = create_client(alice, legal_name="Secret SA")
    with tenant_context(alice.tenant):
        contact = services.contact_create(actor=alice.membership, client=client, last_name="Durand")
    browser = carol.client()
    paths = [
        f"clients/{client.pk}/", f"clients/{client.pk}/edit/", f"clients/{client.pk}/rename/",
        f"clients/{client.pk}/history/", f"clients/{client.pk}/billing/", f"clients/{client.pk}/contacts/new/",
        f"clients/{client.pk}/contacts/{contact.pk}/edit/",
    ]
    for path in paths:
        assert browser.get(carol.url(path)).status_code == 404, path
        assert browser.post(carol.url(path), {"legal_name": "Pirate"}).status_code in (404, 405), path
    for path in ("archive/", "unarchive/", "delete/", "billing/platform-password/", f"contacts/{contact.pk}/delete/"):
        assert browser.post(carol.url(f"clients/{client.pk}/{path}")).status_code == 404, path
    # and alice's prefix is not hers
    assert browser.get(alice.url(f"clients/{client.pk}/")).status_code == 404
    assert "Secret SA" not in browser.get(carol.url("clients/?archived=all")).content.decode()
    with tenant_context(alice.tenant):
        assert Client.objects.filter(pk=client.pk, archived_at__isnull=True).exists()
        assert Contact.objects.filter(pk=contact.pk).exists()


# --- Client page ---------------------------------------------------------------------------------------------


def test_the_client_page_shows_identity_contacts_billing_and_the_panels(alice):
    sales = member(alice, "sales")
    group = create_client(alice, legal_name="Groupe Alpha")
    client = create_client(alice, legal_name="Filiale Beta SAS", trade_name="Beta", owner=sales.membership, parent=group)
    create_client(alice, legal_name="Sous-filiale", parent=client)
    with tenant_context(alice.tenant):
        services.contact_create(
            actor=alice.membership, client=client, first_name="Jeanne", last_name="Compta", email="jeanne@beta.test",
            invoice_delivery="to", signs_timesheets=True,
        )
        services.billing_profile_update(
            actor=alice.membership, client=client, payment_terms_days=45, payment_terms_end_of_month=True,
            purchase_order_required=True, billing_process="<p>Déposer <em>avant le 5</em></p><script>x()</script>",
        )
    response = alice.client().get(alice.url(f"clients/{client.pk}/"))
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Beta", "Filiale Beta SAS", "Groupe Alpha", "Sous-filiale", "Jeanne Compta", "Reçoit les factures",
                 "Signe les CRA", "45 jours fin de mois", "<em>avant le 5</em>", "Pièces attendues", "Historique"):
        assert text in body, text
    assert "<script>x()</script>" not in body
    assert 'data-testid="invoice-recipients"' in body


def test_the_client_page_renders_without_the_documents_and_checklist_panels(alice):
    # The panels belong to other parts of the app; the page must not depend on them being there.
    client = create_client(alice)
    response = alice.client().get(alice.url(f"clients/{client.pk}/"))
    assert response.status_code == 200
    assert 'data-testid="pane-documents"' in response.content.decode()


# --- Forms ----------------------------------------------------------------------------------------------------


def test_creating_a_client_with_an_invalid_siren_shows_a_field_error_and_saves_nothing(alice):
    response = alice.client().post(alice.url("clients/new/"), {"legal_name": "Globex", "status": "prospect", "siren": "123456789", "country": "FR"})
    assert response.status_code == 400
    assert "SIREN invalide" in response.context["form"].errors["siren"][0]
    with tenant_context(alice.tenant):
        assert not Client.objects.exists()


def test_creating_a_client_with_a_taken_siren_links_to_the_existing_client(alice):
    siren = make_siren()
    existing = create_client(alice, legal_name="Déjà Là SA", siren=siren)
    response = alice.client().post(alice.url("clients/new/"), {"legal_name": "Doublon", "status": "prospect", "siren": siren, "country": "FR"})
    assert response.status_code == 400
    body = response.content.decode()
    assert f"/clients/{existing.pk}/" in body and "Déjà Là SA" in body
    with tenant_context(alice.tenant):
        assert Client.objects.filter(siren=siren).count() == 1


def test_creating_a_client_redirects_to_its_page(alice):
    siren = make_siren()
    response = alice.client().post(
        alice.url("clients/new/"),
        {"legal_name": "Nouveau SA", "status": "client", "siren": f"{siren[:3]} {siren[3:6]} {siren[6:]}", "country": "fr"},
    )
    with tenant_context(alice.tenant):
        client = Client.objects.get(legal_name="Nouveau SA")
    assert response.status_code == 302 and response["Location"] == alice.url(f"clients/{client.pk}/")
    assert client.siren == siren and client.country == "FR"


def test_editing_keeps_the_name_and_saves_the_rest(alice):
    adv = member(alice, "adv")
    client = create_client(alice, legal_name="Stable SA")
    response = alice.client().post(
        alice.url(f"clients/{client.pk}/edit/"),
        {"status": "client", "country": "FR", "sector": "Banque", "adv_owner": str(adv.membership.pk), "notes": "VIP"},
    )
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        client.refresh_from_db()
    assert (client.legal_name, client.sector, client.adv_owner_id, client.notes) == ("Stable SA", "Banque", adv.membership.pk, "VIP")


def test_renaming_from_the_page_keeps_the_history(alice):
    client = create_client(alice, legal_name="Avant SA")
    response = alice.client().post(
        alice.url(f"clients/{client.pk}/rename/"), {"legal_name": "Après SA", "valid_from": "2024-01-01"}
    )
    assert response.status_code == 302
    page = alice.client().get(alice.url(f"clients/{client.pk}/")).content.decode()
    assert "Après SA" in page and "Avant SA" in page


def test_contacts_are_added_edited_and_deleted(alice):
    client = create_client(alice)
    browser = alice.client()
    # a recipient of the invoices needs an e-mail: a field error, nothing saved
    response = browser.post(alice.url(f"clients/{client.pk}/contacts/new/"), {"last_name": "Sans Mail", "invoice_delivery": "to", "is_active": "on"})
    assert response.status_code == 400 and response.context["form"].errors["email"]
    response = browser.post(
        alice.url(f"clients/{client.pk}/contacts/new/"),
        {"first_name": "Paul", "last_name": "Martin", "email": "Paul@Client.test", "invoice_delivery": "cc",
         "signs_acceptance_reports": "on", "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#contacts")
    with tenant_context(alice.tenant):
        contact = Contact.objects.get(client=client)
    assert (contact.email, contact.invoice_delivery, contact.signs_acceptance_reports) == ("paul@client.test", "cc", True)
    response = browser.post(
        alice.url(f"clients/{client.pk}/contacts/{contact.pk}/edit/"),
        {"first_name": "Paul", "last_name": "Martin", "email": "paul@client.test", "invoice_delivery": "to", "is_active": "on"},
    )
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        contact.refresh_from_db()
    assert contact.invoice_delivery == "to" and contact.signs_acceptance_reports is False
    assert browser.post(alice.url(f"clients/{client.pk}/contacts/{contact.pk}/delete/")).status_code == 302
    with tenant_context(alice.tenant):
        assert not Contact.objects.filter(pk=contact.pk).exists()


def _billing_data(**overrides) -> dict:
    data = {
        "payment_terms_days": "30", "invoice_language": "fr", "einvoicing_platform": "none", "grouping": "deal",
    }
    data.update(overrides)
    return data


def test_billing_form_refuses_terms_above_the_legal_maximum_on_the_field(alice):
    adv = member(alice, "adv")
    client = create_client(alice)
    response = adv.client().post(adv.url(f"clients/{client.pk}/billing/"), _billing_data(payment_terms_days="61"))
    assert response.status_code == 400
    assert "60 jours" in response.context["form"].errors["payment_terms_days"][0]
    response = adv.client().post(
        adv.url(f"clients/{client.pk}/billing/"), _billing_data(payment_terms_days="46", payment_terms_end_of_month="on")
    )
    assert response.status_code == 400
    assert "45 jours" in response.context["form"].errors["payment_terms_days"][0]
    with tenant_context(alice.tenant):
        assert BillingProfile.objects.get(client=client).payment_terms_days == 30


def test_billing_form_keeps_replaces_and_clears_the_platform_password(alice):
    adv = member(alice, "adv")
    client = create_client(alice)
    url = adv.url(f"clients/{client.pk}/billing/")
    browser = adv.client()
    data = _billing_data(einvoicing_platform="other", platform_name="Coupa", platform_url="https://coupa.example")

    def stored() -> str:
        with tenant_context(alice.tenant):
            profile = BillingProfile.objects.get(client=client)
            return services.billing_profile_platform_password(actor=adv.membership, profile=profile)

    assert browser.post(url, {**data, "platform_password": "s3cret"}).status_code == 302
    assert stored() == "s3cret"
    form_page = browser.get(url).content.decode()
    assert "s3cret" not in form_page
    assert browser.post(url, data).status_code == 302  # empty: kept
    assert stored() == "s3cret"
    assert browser.post(url, {**data, "platform_password_clear": "on"}).status_code == 302
    assert stored() == ""
    # the history says when the password changed, never what it was
    history = browser.get(adv.url(f"clients/{client.pk}/history/"))
    notes = [c.field for row in history.context["rows"] for c in row.changes]
    # set with other changes (shown), kept (the unchanged save wrote nothing), then cleared alone
    assert notes.count("Mot de passe de la plateforme modifié") == 1
    assert "s3cret" not in history.content.decode()


def test_revealing_the_platform_password_is_for_adv_and_admin_and_is_logged(alice, caplog):
    adv = member(alice, "adv")
    client = create_client(alice)
    with tenant_context(alice.tenant):
        services.billing_profile_update(actor=alice.membership, client=client, einvoicing_platform="other", platform_name="Ariba", platform_password="hunter2")
    detail = adv.client().get(adv.url(f"clients/{client.pk}/")).content.decode()
    assert "hunter2" not in detail and "Révéler" in detail
    with caplog.at_level(logging.INFO, logger="clients.views.records"):
        response = adv.client().post(adv.url(f"clients/{client.pk}/billing/platform-password/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "hunter2" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    record = next(r for r in caplog.records if getattr(r, "event", "") == "platform_password_revealed")
    assert record.client_id == str(client.pk) and record.actor_membership_id == str(adv.membership.pk)
    sales = member(alice, "sales")
    assert sales.client().post(sales.url(f"clients/{client.pk}/billing/platform-password/")).status_code == 403
    assert "Révéler" not in sales.client().get(sales.url(f"clients/{client.pk}/")).content.decode()


def test_deleting_a_client_in_use_says_to_archive_it(alice):
    group = create_client(alice, legal_name="Groupe")
    create_client(alice, legal_name="Filiale", parent=group)
    browser = alice.client()
    response = browser.post(alice.url(f"clients/{group.pk}/delete/"), follow=True)
    assert "archivez-le plutôt" in response.content.decode()
    with tenant_context(alice.tenant):
        assert Client.objects.filter(pk=group.pk).exists()
    assert browser.post(alice.url(f"clients/{group.pk}/archive/")).status_code == 302
    page = browser.get(alice.url(f"clients/{group.pk}/")).content.decode()
    assert 'data-testid="archived-banner"' in page


def test_deleting_a_client_nothing_depends_on_returns_to_the_list(alice):
    client = create_client(alice)
    response = alice.client().post(alice.url(f"clients/{client.pk}/delete/"))
    assert response.status_code == 302 and response["Location"] == alice.url("clients/")
    with tenant_context(alice.tenant):
        assert not Client.objects.filter(pk=client.pk).exists()


def test_history_lists_changes_of_the_client_its_contacts_and_billing_profile_with_their_actor(alice):
    adv = member(alice, "adv")
    browser = adv.client()
    browser.post(adv.url("clients/new/"), {"legal_name": "Historique SA", "status": "prospect", "country": "FR"})
    with tenant_context(alice.tenant):
        client = Client.objects.get(legal_name="Historique SA")
    browser.post(adv.url(f"clients/{client.pk}/edit/"), {"status": "client", "country": "FR", "sector": "Énergie"})
    browser.post(adv.url(f"clients/{client.pk}/contacts/new/"), {"last_name": "Lemoine", "is_active": "on"})
    browser.post(adv.url(f"clients/{client.pk}/billing/"), _billing_data(payment_terms_days="45"))
    response = alice.client().get(alice.url(f"clients/{client.pk}/history/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    rows = response.context["rows"]
    kinds = {row.subject_kind for row in rows}
    assert {"Fiche client", "Contact", "Profil de facturation"} <= kinds
    assert all(row.actor == "Adv Alpha" for row in rows)
    changes = {(c.field, c.before, c.after) for row in rows for c in row.changes}
    assert ("statut", "Prospect", "Client") in changes
    assert ("délai de paiement (jours)", "30", "45") in changes
    assert "<html" not in response.content.decode()


def test_the_billing_process_typed_as_plain_text_is_laid_out_and_edited_back_as_text(alice):
    adv = member(alice, "adv")
    client = create_client(alice)
    url = adv.url(f"clients/{client.pk}/billing/")
    typed = "Chaque mois :\r\n- Demander le numéro de réception\r\n- Joindre le CRA signé\r\n\r\nDéposer avant le 5 & relancer."
    assert adv.client().post(url, _billing_data(billing_process=typed)).status_code == 302
    with tenant_context(alice.tenant):
        stored = BillingProfile.objects.get(client=client).billing_process
    assert stored == (
        "<p>Chaque mois :</p>\n<ul><li>Demander le numéro de réception</li><li>Joindre le CRA signé</li></ul>\n"
        "<p>Déposer avant le 5 &amp; relancer.</p>"
    )
    # the form shows the text as typed, not the tags
    assert adv.client().get(url).context["form"]["billing_process"].value() == typed.replace("\r\n", "\n")
    page = adv.client().get(adv.url(f"clients/{client.pk}/")).content.decode()
    assert "<li>Joindre le CRA signé</li>" in page


def test_saving_an_unchanged_billing_form_records_no_change(alice):
    adv = member(alice, "adv")
    client = create_client(alice)
    url = adv.url(f"clients/{client.pk}/billing/")
    data = _billing_data(platform_instructions="Ligne 1\r\nLigne 2", pre_invoice_notes="A\r\nB")
    browser = adv.client()
    assert browser.post(url, data).status_code == 302
    with tenant_context(alice.tenant):
        before = BillingProfile.objects.get(client=client).updated_at
    assert browser.post(url, data).status_code == 302
    with tenant_context(alice.tenant):
        profile = BillingProfile.objects.get(client=client)
    assert profile.platform_instructions == "Ligne 1\nLigne 2"
    rows = browser.get(adv.url(f"clients/{client.pk}/history/")).context["rows"]
    profile_updates = [row for row in rows if row.subject_kind == "Profil de facturation" and row.action == "update"]
    assert len(profile_updates) == 1, [r.changes for r in profile_updates]
    assert profile.updated_at >= before


def test_history_summarises_what_a_creation_set(alice):
    adv = member(alice, "adv")
    client = create_client(alice, legal_name="Résumé SA", status="client", adv_owner=adv.membership)
    with tenant_context(alice.tenant):
        services.contact_create(actor=alice.membership, client=client, last_name="Roy", email="roy@x.test", invoice_delivery="to")
    rows = alice.client().get(alice.url(f"clients/{client.pk}/history/")).context["rows"]
    created = {row.subject_kind: {(c.field, c.after) for c in row.changes} for row in rows if row.action == "insert"}
    assert ("statut", "Client") in created["Fiche client"]
    assert ("ADV en charge", "Adv Alpha") in created["Fiche client"]
    assert ("reçoit les factures", "Destinataire") in created["Contact"]
