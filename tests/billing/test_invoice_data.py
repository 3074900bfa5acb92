"""What the issued documents say, checked the way a receiving platform checks them (the XSD, the
EN 16931 and French CTC schematrons): the Chorus Pro engagement number, references on the lines,
buyers without SIREN, discounts on several VAT rates, services outside the EU, credit notes, the
option for VAT on debits, and a PDF/A whose Info and XMP metadata agree."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from adv.tenancy.context import tenant_context
from billing import readiness, rendering, services
from billing.models import BillingPolicy, Invoice, LineKind
from clients.models import Client
from deals import services as deal_services
from tests.billing.support import public_client
from tests.billing.test_api_billing import api, send
from tests.billing.test_facturx import (
    AGREEMENT,
    NS,
    SETTLEMENT,
    assert_totals_match,
    checked_document,
    issue_and_render,
    text,
    texts,
    vat_breakdown,
)
from timesheets.models import TimesheetLine

pytestmark = pytest.mark.django_db

BUYER = f"{AGREEMENT}/ram:BuyerTradeParty"
SELLER = f"{AGREEMENT}/ram:SellerTradeParty"
TAX = f"{SETTLEMENT}/ram:ApplicableTradeTax"


def pdf_text(invoice: Invoice) -> str:
    with invoice.pdf_file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def lines_table(invoice: Invoice) -> str:
    with tenant_context(invoice.tenant):
        html = rendering.render_html(invoice)
    return re.search(r'<table class="lines">.*?</table>', html, re.S).group(0)


def update_header(firm, draft, **fields) -> Invoice:
    with tenant_context(firm.tenant):
        return services.pre_invoice_update(actor=firm.adv.membership, invoice=draft, **fields)


# --- 1. The Chorus Pro engagement number --------------------------------------------------------


def test_a_public_client_without_engagement_number_is_blocked_with_a_link_to_the_pre_invoice(billing_firm):
    # given a town on Chorus Pro requiring an engagement number, and no purchase order on the deal
    client, _deal = public_client(billing_firm)
    # when the month is built
    billing_firm.build()
    # then its pre-invoice is blocked, the fix opening the pre-invoice where the number is typed
    draft = billing_firm.draft_of(client)
    check = next(c for c in draft.checks if c["code"] == readiness.MISSING_ENGAGEMENT)
    assert (draft.readiness, check["level"]) == ("blocked", "blocked")
    assert check["fix"] == {"view": "billing:pre_invoice", "kwargs": {"pk": str(draft.pk)}}


def test_an_engagement_number_typed_on_the_pre_invoice_is_kept_through_issue_and_is_bt13(billing_firm):
    # given the town's blocked pre-invoice, with a buyer reference too
    client, _deal = public_client(billing_firm)
    billing_firm.build()
    draft = billing_firm.draft_of(client)
    # when the engagement number is typed on it, the month is built again, then it is issued
    draft = update_header(billing_firm, draft, engagement_number="EJ-1000234567", buyer_reference="DSI/2026/17")
    assert draft.readiness != "blocked", draft.checks
    billing_firm.build()
    draft = billing_firm.draft_of(client)
    assert draft.engagement_number == "EJ-1000234567"
    invoice = issue_and_render(billing_firm, draft)
    # then the issued invoice keeps it: BT-13, the service code in BT-10, and the buyer's reference kept too
    assert invoice.engagement_number == "EJ-1000234567"
    root = checked_document(invoice)
    assert text(root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "EJ-1000234567"
    assert text(root, f"{AGREEMENT}/ram:BuyerReference") == "SERV-42"
    assert any("DSI/2026/17" in note for note in texts(root, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content"))
    with tenant_context(invoice.tenant):
        printed = rendering.render_html(invoice)
    assert "EJ-1000234567" in printed and "DSI/2026/17" in printed and "SERV-42" in printed


def test_the_engagement_number_defaults_to_the_public_deals_purchase_order(billing_firm):
    # given a town whose deal has its engagement as purchase order
    client, _deal = public_client(billing_firm, with_po="EJ-2026-0042")
    # when the month is built
    billing_firm.build()
    # then the pre-invoice's engagement number is the order's, and it is ready
    draft = billing_firm.draft_of(client)
    assert draft.engagement_number == "EJ-2026-0042"
    assert not [c for c in draft.checks if c["code"] == readiness.MISSING_ENGAGEMENT]


def test_a_purchase_order_typed_on_the_pre_invoice_is_not_overwritten_by_the_deals(billing_firm):
    # given Helios's deal with a purchase order, and its pre-invoice built
    with tenant_context(billing_firm.tenant):
        deal_services.purchase_order_save(actor=billing_firm.alice.membership, deal=billing_firm.tm_deal, number="PO-1")
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.helios)
    assert draft.po_number == "PO-1"
    # when a person types another PO number on the pre-invoice, the month is rebuilt and it is issued
    update_header(billing_firm, draft, po_number="PO-1-AVENANT-2")
    billing_firm.build()
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    # then the typed number is the invoice's (BT-13)
    assert invoice.po_number == "PO-1-AVENANT-2"
    root = checked_document(invoice)
    assert text(root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "PO-1-AVENANT-2"


def test_the_api_edits_the_engagement_number(billing_firm):
    # given the town's pre-invoice
    town, _deal = public_client(billing_firm)
    billing_firm.build()
    draft = billing_firm.draft_of(town)
    # when the ADV sets its engagement number through the API
    response = send(api(billing_firm.adv), "patch", f"/api/v1/pre-invoices/{draft.pk}/", {"engagement_number": "EJ-77"})
    # then it is stored and returned
    assert response.status_code == 200, response.content
    assert response.json()["engagement_number"] == "EJ-77"
    assert billing_firm.draft_of(town).engagement_number == "EJ-77"


# --- 2. Buyers without SIREN ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "vat", "address", "scheme"),
    [
        ("DK", "DK13585628", "13585628", "0184"),
        ("FI", "FI20774740", "FI20774740", "0213"),
        ("SE", "SE556036079301", "5560360793", "0007"),
    ],
)
def test_nordic_buyers_are_addressed_by_their_registered_scheme(billing_firm, country, vat, address, scheme):
    # given Nova moved to a Nordic country, with its VAT number there
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.nova.pk).update(country=country, billing_country=country, vat_number=vat)
    billing_firm.build()
    # when its invoice is issued
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.nova))
    # then the XML is valid, reverse-charged, with BT-49 under the country's EAS scheme
    root = checked_document(invoice)
    uri = root.xpath(f"{BUYER}/ram:URIUniversalCommunication/ram:URIID", namespaces=NS)[0]
    assert (uri.text, uri.get("schemeID")) == (address, scheme)
    assert text(root, f"{TAX}/ram:CategoryCode") == "AE"


def test_a_client_outside_the_eu_without_identifier_is_outside_the_scope_of_vat_and_addressed_by_email(billing_firm):
    # given Nova moved to the United States, without VAT number nor SIREN
    with tenant_context(billing_firm.tenant):
        Client.objects.filter(pk=billing_firm.nova.pk).update(country="US", billing_country="US", vat_number="")
    billing_firm.build()
    # when its invoice is issued
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.nova))
    # then the XML is valid: category O (not G, an export of goods) with VATEX-EU-O, BT-49 its invoice e-mail
    root = checked_document(invoice)
    assert texts(root, f"{TAX}/ram:CategoryCode") == ["O"]
    assert (text(root, f"{TAX}/ram:BasisAmount"), text(root, f"{TAX}/ram:CalculatedAmount")) == ("1500.00", "0.00")
    assert text(root, f"{TAX}/ram:ExemptionReasonCode") == "VATEX-EU-O"
    assert "259-1" in text(root, f"{TAX}/ram:ExemptionReason")
    assert texts(root, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode") == ["O"]
    uri = root.xpath(f"{BUYER}/ram:URIUniversalCommunication/ram:URIID", namespaces=NS)[0]
    assert (uri.text, uri.get("schemeID")) == ("ap@nova.example", "EM")
    # no VAT identifier outside the scope of VAT (BR-O-02): the seller's is its tax registration
    assert root.xpath(f"{BUYER}/ram:SpecifiedTaxRegistration", namespaces=NS) == []
    seller_tax = root.xpath(f"{SELLER}/ram:SpecifiedTaxRegistration/ram:ID", namespaces=NS)
    assert [(n.text, n.get("schemeID")) for n in seller_tax] == [("FR44732829320", "FC")]
    assert invoice.total_vat == Decimal("0.00")


# --- 3. Discounts on several VAT rates -----------------------------------------------------------


def test_a_percentage_discount_on_two_vat_rates_is_one_allowance_per_rate(billing_firm):
    # given Helios's pre-invoice (25,960 € at 20 %) with a training line at 10 % (1,000 €)
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        services.line_add(
            actor=billing_firm.adv.membership,
            invoice=draft,
            label="Formation",
            quantity="1",
            unit_price="1000",
            vat_rate="10",
        )
        # when a 10 % discount is added
        services.discount_add(actor=billing_firm.adv.membership, invoice=draft, percent="10")
        discounts = sorted(
            (line.vat_rate, line.net_amount) for line in draft.lines.all() if line.kind == LineKind.DISCOUNT
        )
    # then it is booked per rate: 10 % of each rate's basis
    assert discounts == [(Decimal("10.00"), Decimal("-100.00")), (Decimal("20.00"), Decimal("-2596.00"))]
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    root = checked_document(invoice)
    allowances = root.xpath(f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge", namespaces=NS)
    assert sorted(
        (text(a, "ram:CategoryTradeTax/ram:RateApplicablePercent"), text(a, "ram:ActualAmount")) for a in allowances
    ) == [("10.00", "100.00"), ("20.00", "2596.00")]
    assert vat_breakdown(root) == {
        ("S", Decimal("10.00")): (Decimal("900.00"), Decimal("90.00")),
        ("S", Decimal("20.00")): (Decimal("23364.00"), Decimal("4672.80")),
    }
    assert_totals_match(root, invoice)


# --- 4. References on the lines -------------------------------------------------------------------


def test_reception_numbers_and_the_purchase_order_are_on_the_invoice_lines(billing_firm):
    # given Helios's deal with a purchase order and Bob's October reception number
    with tenant_context(billing_firm.tenant):
        deal_services.purchase_order_save(
            actor=billing_firm.alice.membership, deal=billing_firm.tm_deal, number="PO-77"
        )
        TimesheetLine.objects.filter(timesheet=billing_firm.timesheets["bob"]).update(reception_number="REC-2026-10")
    billing_firm.build()
    # when the invoice is issued
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    # then the XML carries the PO (BT-13) and the reception number on Bob's line (BT-128, receiving advice)
    root = checked_document(invoice)
    assert text(root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "PO-77"
    references = root.xpath("//ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument", namespaces=NS)
    assert [
        (text(r, "ram:IssuerAssignedID"), text(r, "ram:TypeCode"), text(r, "ram:ReferenceTypeCode")) for r in references
    ] == [("REC-2026-10", "130", "ALO")]
    assert text(
        root, "//ram:ApplicableHeaderTradeDelivery/ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID"
    ) == ("REC-2026-10")
    # and the PDF's lines say them, not only the annex
    table = lines_table(invoice)
    assert "REC-2026-10" in table and "PO-77" in table


# --- 5. Reverse charge ----------------------------------------------------------------------------


def test_the_reverse_charge_mention_cites_article_259_1_and_the_directive(billing_firm):
    # given Nova (Germany, VAT number)
    billing_firm.build()
    # when its invoice is issued
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.nova))
    # then the exemption reason cites art. 259-1 CGI and art. 196 of directive 2006/112/CE, not 283-2
    root = checked_document(invoice)
    reason = text(root, f"{TAX}/ram:ExemptionReason")
    assert "259-1" in reason and "196" in reason and "283-2" not in reason
    assert any("259-1" in mention for mention in invoice.legal_mentions)


# --- 7. Credit notes ------------------------------------------------------------------------------


def test_a_credit_note_prints_its_own_terms_not_a_due_date_nor_penalties(billing_firm):
    # given Helios's invoice issued on 2 November
    billing_firm.build()
    helios = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    # when a partial credit note is made
    with tenant_context(billing_firm.tenant):
        note = services.credit_note_create(
            actor=billing_firm.adv.membership,
            invoice=helios,
            reason="Jour facturé en trop",
            amount=Decimal("650"),
            issue_date=datetime.date(2026, 11, 10),
        )
        penalty = services.policy().late_penalty_text
    note = billing_firm.render(note)
    # then its XML is valid, without due date, and its PDF refers to the invoice, without due date nor penalties
    root = checked_document(note)
    assert texts(root, f"{SETTLEMENT}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == []
    printed = pdf_text(note)
    assert "échéance" not in printed.lower()
    assert penalty not in printed and "Pénalités" not in printed and "40 €" not in printed
    assert helios.number in printed and "02/11/2026" in printed


# --- 8. PDF/A metadata ----------------------------------------------------------------------------


def test_the_pdf_info_dictionary_agrees_with_its_xmp_metadata(billing_firm):
    # given Helios's invoice issued and rendered
    billing_firm.build()
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    with invoice.pdf_file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # then each Info entry equals its XMP counterpart (ISO 19005-3 6.6.2.3.1)
    info, xmp = reader.metadata, reader.xmp_metadata
    assert info["/Producer"] == xmp.pdf_producer
    assert info.get("/Keywords") in (None, xmp.pdf_keywords)
    assert info["/Creator"] == xmp.xmp_creator_tool
    assert info["/Title"] == xmp.dc_title["x-default"]
    assert info["/Author"] == xmp.dc_creator[0]
    assert info.creation_date.replace(tzinfo=None) == xmp.xmp_create_date.replace(tzinfo=None)
    assert info.modification_date.replace(tzinfo=None) == xmp.xmp_modify_date.replace(tzinfo=None)
    assert checked_document(invoice) is not None


# --- 9. VAT on debits -----------------------------------------------------------------------------


def test_a_firm_that_opted_for_vat_on_debits_says_so_and_sets_the_vat_point_to_the_invoice_date(billing_firm):
    # given a firm that opted for VAT on debits
    with tenant_context(billing_firm.tenant):
        services.policy_update(actor=billing_firm.alice.membership, vat_on_debits=True)
    billing_firm.build()
    # when Helios's invoice is issued
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    # then it carries the mention and BT-8 = 5 (UNTDID 2475: the invoice's date) in its VAT breakdown
    assert "Option pour le paiement de la taxe d'après les débits." in invoice.legal_mentions
    root = checked_document(invoice)
    assert texts(root, f"{TAX}/ram:DueDateTypeCode") == ["5"]
    assert "Option pour le paiement de la taxe d'après les débits." in pdf_text(invoice)


def test_without_the_option_no_vat_point_code_nor_mention(billing_firm):
    billing_firm.build()
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    root = checked_document(invoice)
    assert texts(root, f"{TAX}/ram:DueDateTypeCode") == []
    assert not [m for m in invoice.legal_mentions if "débits" in m]


def test_the_option_for_vat_on_debits_is_set_on_the_billing_settings_page(billing_firm):
    # given the firm's billing settings page
    page = billing_firm.alice.client()
    url = f"/t/{billing_firm.tenant.slug}/billing/invoices/settings/"
    assert 'name="vat_on_debits"' in page.get(url).content.decode()
    with tenant_context(billing_firm.tenant):
        current = services.policy()
        fields = {name: getattr(current, name) for name in ("invoice_number_format", "credit_note_number_format")}
        fields.update(
            default_vat_rate="20",
            late_penalty_text=current.late_penalty_text,
            recovery_indemnity_text=current.recovery_indemnity_text,
            discount_text=current.discount_text,
            vat_exemption_text="",
        )
    # when the option is ticked and saved
    response = page.post(url, {**fields, "vat_on_debits": "on"})
    # then the firm has opted
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(billing_firm.tenant):
        assert BillingPolicy.objects.get().vat_on_debits is True
