"""The issued documents: a PDF/A-3 carrying the very Factur-X XML that is stored, both with their
SHA-256, and the XML valid against the EN 16931 XSD and both business-rule sets (EN 16931 and the
French CTC rules) for each kind of invoice the firm issues."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from adv.tenancy.context import tenant_context
from billing import services
from billing.models import Invoice
from tests.billing import xml_rules
from tests.billing.support import PUBLIC_SIRET, public_client

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
}
SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
AGREEMENT = "//ram:ApplicableHeaderTradeAgreement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"


def text(root, path: str) -> str:
    return root.xpath(f"string({path})", namespaces=NS)


def texts(root, path: str) -> list[str]:
    return [node.text for node in root.xpath(path, namespaces=NS)]


def issue_and_render(firm, draft: Invoice) -> Invoice:
    result = firm.issue([draft])
    assert not result.refused, result.refused
    return firm.render(result.issued[0])


def checked_document(invoice: Invoice):
    """The stored PDF and XML of an issued invoice, checked against each other and their hashes;
    returns the parsed XML once it passes the XSD and both schematrons."""
    assert invoice.render_status == "done", invoice.render_error
    with invoice.pdf_file.open("rb") as handle:
        pdf = handle.read()
    with invoice.xml_file.open("rb") as handle:
        stored_xml = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == invoice.pdf_sha256
    assert hashlib.sha256(stored_xml).hexdigest() == invoice.xml_sha256

    filename, embedded = facturx.get_facturx_xml_from_pdf(io.BytesIO(pdf), check_xsd=False)
    assert filename == "factur-x.xml"
    assert embedded == stored_xml

    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    metadata = catalog["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert re.search(r"pdfaid:part(>|=[\"'])3", metadata), "not PDF/A-3"
    assert re.search(r"pdfaid:conformance(>|=[\"'])B", metadata)
    attached = [spec.get_object()["/F"] for spec in catalog["/AF"]]
    assert "factur-x.xml" in attached
    embedded_names = catalog["/Names"]["/EmbeddedFiles"]["/Names"][0::2]
    assert "factur-x.xml" in embedded_names

    assert xml_rules.validate(embedded) == []
    return etree.fromstring(embedded)


def assert_totals_match(root, invoice: Invoice) -> None:
    assert Decimal(text(root, f"{SUMMATION}/ram:TaxBasisTotalAmount")) == invoice.total_net
    assert Decimal(text(root, f"{SUMMATION}/ram:TaxTotalAmount")) == invoice.total_vat
    assert Decimal(text(root, f"{SUMMATION}/ram:GrandTotalAmount")) == invoice.total_gross
    assert Decimal(text(root, f"{SUMMATION}/ram:DuePayableAmount")) == invoice.total_gross


def vat_breakdown(root) -> dict:
    return {
        (text(tax, "ram:CategoryCode"), Decimal(text(tax, "ram:RateApplicablePercent"))): (
            Decimal(text(tax, "ram:BasisAmount")),
            Decimal(text(tax, "ram:CalculatedAmount")),
        )
        for tax in root.xpath(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NS)
    }


def test_time_and_materials_invoice_is_a_valid_factur_x_pdf(billing_firm):
    # given Helios's ready October pre-invoice (38 days)
    billing_firm.build()
    # when it is issued and rendered
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    # then the PDF carries the stored XML, valid, with the invoice's number, date, parties and totals
    root = checked_document(invoice)
    assert text(root, "//rsm:ExchangedDocument/ram:ID") == invoice.number == "F2026-00001"
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert text(root, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20261102"
    seller_id = root.xpath(f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
    assert (seller_id[0].text, seller_id[0].get("schemeID")) == ("732829320", "0002")
    buyer_id = root.xpath(f"{AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
    assert (buyer_id[0].text, buyer_id[0].get("schemeID")) == ("404833048", "0002")
    assert invoice.total_net == Decimal("25960.00")
    assert vat_breakdown(root) == {("S", Decimal("20.00")): (Decimal("25960.00"), Decimal("5192.00"))}
    assert_totals_match(root, invoice)
    assert sorted(
        texts(
            root,
            "//ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeAgreement"
            "/ram:NetPriceProductTradePrice/ram:ChargeAmount",
        )
    ) == ["650.0000", "720.0000"]


def test_fixed_price_invoice_is_a_valid_factur_x_pdf(billing_firm):
    # given Orion's two October milestones, the missing PV now attached
    billing_firm.attach_missing_pv()
    billing_firm.build()
    # when the pre-invoice is issued and rendered
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.orion))
    # then its XML is valid and bills both milestones (30,000 € HT, 20 % VAT)
    root = checked_document(invoice)
    assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert sorted(
        Decimal(v) for v in texts(root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
    ) == [Decimal("12000.00"), Decimal("18000.00")]
    assert vat_breakdown(root) == {("S", Decimal("20.00")): (Decimal("30000.00"), Decimal("6000.00"))}
    assert_totals_match(root, invoice)


def test_partial_and_full_credit_notes_are_valid_381_documents_referencing_the_invoice(billing_firm):
    # given Helios's and Orion's invoices issued on 2 November
    billing_firm.attach_missing_pv()
    billing_firm.build()
    result = billing_firm.issue([billing_firm.draft_of(billing_firm.helios), billing_firm.draft_of(billing_firm.orion)])
    helios, orion = sorted(result.issued, key=lambda i: i.client.legal_name)
    # when a partial credit note is made on Helios and a full one on Orion
    with tenant_context(billing_firm.tenant):
        partial = services.credit_note_create(
            actor=billing_firm.adv.membership,
            invoice=helios,
            reason="Jour facturé en trop",
            amount=Decimal("650"),
            issue_date=datetime.date(2026, 11, 10),
        )
        full = services.credit_note_create(
            actor=billing_firm.adv.membership,
            invoice=orion,
            reason="Commande annulée",
            issue_date=datetime.date(2026, 11, 12),
        )
    # then both are numbered in their own series, typed 381, and reference their invoice (BT-25, BT-26)
    assert (partial.number, full.number) == ("AV2026-00001", "AV2026-00002")
    for note, origin, net in ((partial, helios, Decimal("650.00")), (full, orion, Decimal("30000.00"))):
        note = billing_firm.render(note)
        root = checked_document(note)
        assert text(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
        assert text(root, "//rsm:ExchangedDocument/ram:ID") == note.number
        referenced = f"{SETTLEMENT}/ram:InvoiceReferencedDocument"
        assert text(root, f"{referenced}/ram:IssuerAssignedID") == origin.number
        assert text(root, f"{referenced}/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20261102"
        assert note.total_net == net
        assert vat_breakdown(root) == {("S", Decimal("20.00")): (net, (net * Decimal("0.2")).quantize(Decimal("0.01")))}
        assert_totals_match(root, note)


def test_reverse_charge_invoice_has_category_ae_no_vat_the_exemption_and_both_vat_numbers(billing_firm):
    # given Nova (Germany, EU VAT number), subscription of 1,500 € a month
    billing_firm.build()
    # when its pre-invoice is issued and rendered
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.nova))
    # then VAT is reverse-charged: category AE at 0 %, the exemption reason and code, both VAT numbers
    root = checked_document(invoice)
    assert invoice.vat_regime == "reverse_charge"
    assert vat_breakdown(root) == {("AE", Decimal("0.00")): (Decimal("1500.00"), Decimal("0.00"))}
    tax = f"{SETTLEMENT}/ram:ApplicableTradeTax"
    assert "Autoliquidation" in text(root, f"{tax}/ram:ExemptionReason")
    assert text(root, f"{tax}/ram:ExemptionReasonCode") == "VATEX-EU-AE"
    assert texts(root, "//ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode") == ["AE"]
    seller_vat = f"{AGREEMENT}/ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
    buyer_vat = f"{AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID"
    assert text(root, seller_vat) == "FR44732829320"
    assert text(root, buyer_vat) == "DE136695976"
    assert text(root, f"{AGREEMENT}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID") == "DE"
    # a buyer without SIREN is addressed by its VAT number (BT-49, required by BR-FR-12)
    address = root.xpath(f"{AGREEMENT}/ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID", namespaces=NS)
    assert (address[0].text, address[0].get("schemeID")) == ("DE136695976", "9930")
    assert invoice.total_vat == Decimal("0.00")
    assert_totals_match(root, invoice)


def test_public_client_invoice_carries_service_code_engagement_number_and_siret(billing_firm):
    # given a public client on Chorus Pro: a service code, an engagement number required (its PO)
    firm = billing_firm
    client, _deal = public_client(firm, with_po="EJ-2026-0042", po_amount=Decimal("100000"))
    firm.build()
    draft = firm.draft_of(client)
    assert draft.readiness != "blocked", draft.checks
    # when it is issued and rendered
    invoice = issue_and_render(firm, draft)
    # then BT-10 is the service code, BT-13 the engagement number, the buyer is identified by SIRET (0009)
    root = checked_document(invoice)
    assert text(root, f"{AGREEMENT}/ram:BuyerReference") == "SERV-42"
    assert text(root, f"{AGREEMENT}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "EJ-2026-0042"
    buyer_id = root.xpath(f"{AGREEMENT}/ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
    assert (buyer_id[0].text, buyer_id[0].get("schemeID")) == (PUBLIC_SIRET, "0009")
    assert invoice.total_net == Decimal("4000.00")
    assert_totals_match(root, invoice)


def test_multi_rate_invoice_is_valid_with_one_vat_breakdown_per_rate(billing_firm):
    # given Helios's pre-invoice with a manual line at 10 % (3 × 123.4567 = 370.37 HT)
    billing_firm.build()
    draft = billing_firm.draft_of(billing_firm.helios)
    with tenant_context(billing_firm.tenant):
        services.line_add(
            actor=billing_firm.adv.membership,
            invoice=draft,
            label="Frais de formation",
            quantity="3",
            unit_price="123.4567",
            vat_rate="10",
        )
    # when it is issued and rendered
    invoice = issue_and_render(billing_firm, billing_firm.draft_of(billing_firm.helios))
    # then the XML is valid and the VAT is computed per rate, then summed
    root = checked_document(invoice)
    assert vat_breakdown(root) == {
        ("S", Decimal("10.00")): (Decimal("370.37"), Decimal("37.04")),
        ("S", Decimal("20.00")): (Decimal("25960.00"), Decimal("5192.00")),
    }
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (
        Decimal("26330.37"),
        Decimal("5229.04"),
        Decimal("31559.41"),
    )
    assert_totals_match(root, invoice)
