"""Foreign clients: the VAT regime follows where the client is established (not a billing country
that defaulted to France), the buyer's address carries its own country, and a pre-invoice whose
client's country, VAT number and VAT regime disagree is blocked with a link to the client's record,
and cannot be issued (service and API)."""

from __future__ import annotations

import importlib
import json
import types
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from lxml import etree

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from billing import readiness, services
from billing.errors import InvoiceBlocked
from billing.models import VatRegime
from billing.regime import billing_address_country, vat_problems, vat_regime_for
from clients import importing
from clients.models import Client
from tests.billing.test_facturx import checked_document, issue_and_render, text

pytestmark = pytest.mark.django_db

AGREEMENT = "//ram:ApplicableHeaderTradeAgreement"
BUYER_COUNTRY = f"{AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID"
DEFAULT_BILLING_COUNTRY = Client._meta.get_field("billing_country").default


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def set_nova(firm, **fields) -> None:
    with tenant_context(firm.tenant):
        Client.objects.filter(pk=firm.nova.pk).update(**fields)


def vat_checks(invoice) -> list[dict]:
    return [c for c in invoice.checks if c["code"] == readiness.VAT_MISMATCH]


# --- The regime and the buyer's country (item: foreign clients billed French VAT) ---------------


def test_a_german_client_with_the_default_billing_country_is_reverse_charged_at_a_german_address(billing_firm):
    # given Nova (Germany, EU VAT number) whose billing country was left at the default
    set_nova(billing_firm, billing_country=DEFAULT_BILLING_COUNTRY)
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.nova)
    # then its pre-invoice is under reverse charge, ready, without French VAT
    assert (draft.vat_regime, draft.readiness, draft.total_vat) == ("reverse_charge", "ready", Decimal("0.00"))
    # and the issued invoice names a German buyer
    invoice = issue_and_render(billing_firm, draft)
    root = checked_document(invoice)
    assert invoice.buyer["country"] == "DE"
    assert text(root, BUYER_COUNTRY) == "DE"
    assert invoice.total_vat == Decimal("0.00")


def test_a_swiss_client_is_billed_outside_the_scope_of_french_vat_at_a_swiss_address(billing_firm):
    # given Nova moved to Switzerland (no EU VAT number), billing country left at the default
    set_nova(billing_firm, country="CH", vat_number="", billing_country=DEFAULT_BILLING_COUNTRY)
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.nova)
    assert (draft.vat_regime, draft.total_vat) == ("export", Decimal("0.00"))
    assert vat_checks(draft) == []
    invoice = issue_and_render(billing_firm, draft)
    assert invoice.buyer["country"] == "CH"
    with invoice.xml_file.open("rb") as handle:
        root = etree.fromstring(handle.read())
    assert text(root, BUYER_COUNTRY) == "CH"
    assert invoice.total_vat == Decimal("0.00") and invoice.total_gross == invoice.total_net


def test_an_explicit_billing_address_abroad_is_the_buyer_country_but_the_regime_follows_the_client(billing_firm):
    # given a French client whose invoices go to its Belgian accounting office
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.helios.pk).update(billing_country="BE")
        helios = Client.objects.get(pk=billing_firm.helios.pk)
        rules = services.policy()
        # then the VAT stays French and the address is Belgian
        assert vat_regime_for(helios, rules) == VatRegime.STANDARD
        assert billing_address_country(helios) == "BE"
        # and without a billing address, the head office is in the client's country
        helios.billing_line1 = ""
        assert billing_address_country(helios) == "FR"


def test_the_client_form_does_not_prefill_france_as_the_billing_country(billing_firm):
    html = billing_firm.alice.client().get(billing_firm.alice.url("clients/new/")).content.decode()
    field = next(tag for tag in html.split("<input") if 'name="billing_country"' in tag)
    assert 'value="FR"' not in field


def test_a_foreign_client_created_through_the_api_or_imported_follows_its_country(billing_firm):
    firm = billing_firm
    with tenant_context(firm.tenant):
        _token, raw = api_token_create(actor=firm.alice.membership, name="integration")
    http = HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = http.post(
        "/api/v1/clients/",
        data=json.dumps(
            {"legal_name": "Basel Pharma AG", "country": "CH", "billing_line1": "Hauptstrasse 1", "billing_city": "Basel"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["billing_country"] == ""
    data = (
        "\ufeffRaison sociale;Pays;TVA intracommunautaire;Adresse de facturation;Ville de facturation\n"
        "Berlin Software GmbH;DE;DE136695976;Friedrichstrasse 1;Berlin\n"
    ).encode()
    with tenant_context(firm.tenant):
        report = importing.import_run(actor=firm.alice.membership, data=data, filename="c.csv", commit=True)
        assert report.committed, report
        rules = services.policy()
        basel = Client.objects.get(legal_name="Basel Pharma AG")
        berlin = Client.objects.get(legal_name="Berlin Software GmbH")
        assert (billing_address_country(basel), vat_regime_for(basel, rules)) == ("CH", VatRegime.EXPORT)
        assert (berlin.billing_country, billing_address_country(berlin)) == ("", "DE")
        assert vat_regime_for(berlin, rules) == VatRegime.REVERSE_CHARGE


def test_the_data_migration_clears_only_the_default_france_of_foreign_clients(billing_firm):
    migration = importlib.import_module("clients.migrations.0006_billing_country_default_cleared")
    editor = types.SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    with tenant_context(billing_firm.tenant):
        # Nova (DE, German VAT number) with the old default; a German client with a SIREN billed in
        # France (evidence of a French establishment); Helios (FR) billed in France
        Client.objects.filter(pk=billing_firm.nova.pk).update(billing_country="FR")
        Client.objects.filter(pk=billing_firm.orion.pk).update(country="DE")
    migration.clear_default(apps, editor)
    with tenant_context(billing_firm.tenant):
        countries = dict(Client.objects.values_list("legal_name", "billing_country"))
    assert countries == {"Nova GmbH": "", "Orion Industrie SAS": "FR", "Helios Énergies SA": "FR"}
    migration.restore_default(apps, editor)
    with tenant_context(billing_firm.tenant):
        assert Client.objects.get(pk=billing_firm.nova.pk).billing_country == "FR"


# --- Wrong data is not issuable ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "vat_number", "regime", "expected"),
    [
        ("DE", "DE136695976", VatRegime.REVERSE_CHARGE, []),
        ("FR", "FR83404833048", VatRegime.STANDARD, []),
        ("CH", "", VatRegime.EXPORT, []),
        ("GR", "EL094259216", VatRegime.REVERSE_CHARGE, []),
        ("DE", "FR83404833048", VatRegime.REVERSE_CHARGE, ["autre pays (FR)"]),
        ("FR", "DE136695976", VatRegime.STANDARD, ["autre pays (DE)"]),
        ("DE", "", VatRegime.REVERSE_CHARGE, ["sans numéro de TVA intracommunautaire"]),
        ("DE", "DE136695976", VatRegime.STANDARD, ["TVA française facturée à un client établi hors de France"]),
        ("CH", "", VatRegime.STANDARD, ["TVA française facturée à un client établi hors de France"]),
        ("FR", "FR83404833048", VatRegime.REVERSE_CHARGE, ["Client établi en France facturé sans TVA française"]),
        ("US", "", VatRegime.REVERSE_CHARGE, ["Autoliquidation pour un client établi hors de l'Union"]),
        ("IT", "IT00743110157", VatRegime.EXPORT, ["facturé comme un client hors UE"]),
        ("DE", "FR83404833048", VatRegime.EXEMPT, ["autre pays (FR)"]),
    ],
)
def test_country_vat_number_and_regime_must_agree(country, vat_number, regime, expected):
    client = Client(country=country, vat_number=vat_number)
    problems = vat_problems(client, regime)
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


def test_a_vat_number_of_another_country_blocks_the_pre_invoice_with_a_link_to_the_client(billing_firm):
    # given Nova (Germany) recorded with a French VAT number
    set_nova(billing_firm, vat_number="FR83404833048")
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.nova)
    # then its pre-invoice is blocked, with the reason and a link to the client's record
    (found,) = vat_checks(draft)
    assert draft.readiness == "blocked" and found["level"] == "blocked"
    assert "FR83404833048" in found["message"] and "(DE)" in found["message"]
    edit_url = f"/t/alpha/clients/{billing_firm.nova.pk}/edit/"
    page = billing_firm.adv.client().get(billing_firm.adv.url(f"billing/pre-invoices/{draft.pk}/")).content.decode()
    assert 'data-code="client_vat_mismatch"' in page and edit_url in page
    cockpit = billing_firm.adv.client().get(billing_firm.adv.url("billing/") + "?month=2026-10").content.decode()
    assert 'data-code="client_vat_mismatch"' in cockpit and edit_url in cockpit
    # and issuing it is refused by the service
    result = billing_firm.issue([draft])
    assert not result.issued and any("FR83404833048" in r for r in result.refused[str(draft.pk)])
    with tenant_context(billing_firm.tenant), pytest.raises(InvoiceBlocked):
        services.invoice_issue(actor=billing_firm.adv.membership, invoice=draft)


def test_an_eu_business_without_vat_number_is_not_issuable_under_reverse_charge_nor_through_the_api(billing_firm):
    # given Nova (Germany) without its VAT number
    set_nova(billing_firm, vat_number="")
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.nova)
    (found,) = vat_checks(draft)
    assert draft.vat_regime == "reverse_charge" and draft.readiness == "blocked"
    assert "sans numéro de TVA intracommunautaire" in found["message"]
    # when the API is asked to issue it, it answers 409 with the reason
    with tenant_context(billing_firm.tenant):
        _token, raw = api_token_create(actor=billing_firm.adv.membership, name="integration")
    http = HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = http.post(f"/api/v1/pre-invoices/{draft.pk}/issue/", data="{}", content_type="application/json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invoice_blocked"
    assert "sans numéro de TVA" in json.dumps(response.json(), ensure_ascii=False)
    assert billing_firm.draft_of(billing_firm.nova).number is None
