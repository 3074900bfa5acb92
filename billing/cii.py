"""The Factur-X XML of an issued invoice or credit note: UN/CEFACT CII D16B, profile EN 16931.

Built from the frozen invoice only (its seller and buyer snapshots, lines and totals), so that the
same invoice always gives the same bytes. Element order follows the XSD sequences; business terms
(BT-n) are noted where they are set.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree

from . import totals
from .models import Invoice, LineKind
from .regime import exemption_reason, vat_category

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
GUIDELINE = "urn:cen.eu:en16931:2017"
# BT-23 for the French e-invoicing reform: "S1", a simple invoice for services.
BUSINESS_PROCESS = "S1"
# BT-34 / BT-49 electronic addresses: the French directory's scheme, keyed by SIREN.
SCHEME_ADDRESS = "0225"
SCHEME_SIREN = "0002"
SCHEME_SIRET = "0009"
# BT-49 of a buyer without SIREN (abroad): its VAT number, under its country's EAS code.
SCHEME_VAT = {
    "AT": "9914", "BE": "9925", "BG": "9926", "CH": "9927", "CY": "9928", "CZ": "9929", "DE": "9930",
    "EE": "9931", "GB": "9932", "EL": "9933", "GR": "9933", "HR": "9934", "IE": "9935", "LT": "9937",
    "LU": "9938", "LV": "9939", "MT": "9943", "NL": "9944", "PL": "9945", "PT": "9946", "RO": "9947",
    "SI": "9949", "SK": "9950", "ES": "9920", "HU": "9910", "FR": "9957", "IT": "0211",
}  # fmt: skip
# Countries whose EAS scheme is not their VAT number as such: the Danish CVR (the VAT number's 8
# digits, 0184), the Finnish VAT number (0213), the Swedish organisation number (the VAT number's
# 10 digits between "SE" and "01", 0007).
SCHEME_VAT_DERIVED = {
    "DK": ("0184", lambda vat: vat[2:]),
    "FI": ("0213", lambda vat: vat),
    "SE": ("0007", lambda vat: vat[2:12]),
}
# BT-49 of a buyer with neither SIREN nor a VAT number the EAS list knows (outside the EU, most
# often): the e-mail address its invoices are sent to.
SCHEME_EMAIL = "EM"
# UNTDID 1153: the reference type of a line's reception number (BT-128-1): receiving advice.
RECEPTION_REFERENCE_TYPE = "ALO"
# BT-8 in CII (UNTDID 2475): 5 = the invoice's date. A firm that opted for VAT on debits owes it
# when it invoices; otherwise VAT on services is due on payment (72) and BT-8 is left out.
VAT_POINT_INVOICE_DATE = "5"
CATEGORY_REASON_CODES = {"AE": "VATEX-EU-AE", "G": "VATEX-EU-G", "O": "VATEX-EU-O"}


def electronic_address(party: dict) -> tuple[str, str] | None:
    """BT-34 / BT-49: the party's electronic address and its EAS scheme, or None."""
    siren = party.get("siren") or (party.get("siret") or "")[:9]
    if siren:
        return siren, SCHEME_ADDRESS
    vat = (party.get("vat_number") or "").replace(" ", "").upper()
    country = vat[:2]
    if country in SCHEME_VAT_DERIVED:
        scheme, value = SCHEME_VAT_DERIVED[country]
        return value(vat), scheme
    if SCHEME_VAT.get(country):
        return vat, SCHEME_VAT[country]
    if party.get("email"):
        return party["email"], SCHEME_EMAIL
    return None


def _el(parent, ns: str, tag: str, text=None, **attrs):
    node = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        node.text = str(text)
    return node


def _ram(parent, tag: str, text=None, **attrs):
    return _el(parent, RAM, tag, text, **attrs)


def _amount(value: Decimal) -> str:
    return f"{totals.money(value):.2f}"


def _date(parent, tag: str, day, ns=UDT) -> None:
    holder = _ram(parent, tag)
    _el(holder, ns, "DateTimeString", day.strftime("%Y%m%d"), format="102")


def _address(parent, party: dict) -> None:
    address = _ram(parent, "PostalTradeAddress")
    if party.get("postal_code"):
        _ram(address, "PostcodeCode", party["postal_code"])
    if party.get("line1"):
        _ram(address, "LineOne", party["line1"])
    if party.get("line2"):
        _ram(address, "LineTwo", party["line2"])
    if party.get("city"):
        _ram(address, "CityName", party["city"])
    _ram(address, "CountryID", party.get("country") or "FR")


def _party(parent, tag: str, party: dict, *, legal_id: str, legal_scheme: str, vat_scheme: str | None = "VA") -> None:
    node = _ram(parent, tag)
    _ram(node, "Name", party.get("name") or party.get("trade_name"))
    if legal_id:
        legal = _ram(node, "SpecifiedLegalOrganization")
        _ram(legal, "ID", legal_id, schemeID=legal_scheme)
        if party.get("trade_name") and party.get("trade_name") != party.get("name"):
            _ram(legal, "TradingBusinessName", party["trade_name"])
    _address(node, party)
    address = electronic_address(party)
    if address:
        uri = _ram(node, "URIUniversalCommunication")
        _ram(uri, "URIID", address[0], schemeID=address[1])
    if party.get("vat_number") and vat_scheme:
        registration = _ram(node, "SpecifiedTaxRegistration")
        _ram(registration, "ID", party["vat_number"], schemeID=vat_scheme)


def _line_category(category: str, rate: Decimal) -> str:
    return category if category != "S" or rate else "Z"


def _rate(parent, category: str, rate: Decimal) -> None:
    """BT-96 / BT-119 / BT-152: none for a supply outside the scope of VAT (BR-O-05, BR-O-06, BR-48)."""
    if category != "O":
        _ram(parent, "RateApplicablePercent", f"{(rate if category in ('S', 'Z') else Decimal('0')):.2f}")


def build_xml(invoice: Invoice, *, policy, lines=None) -> bytes:
    lines = list(lines if lines is not None else invoice.lines.all())
    seller, buyer = invoice.seller, invoice.buyer
    category = vat_category(invoice.vat_regime)
    reason = exemption_reason(invoice.vat_regime, policy)
    result = totals.compute(((line.net_amount, line.vat_rate) for line in lines), category)
    # Discounts are document level allowances (BG-20), one per VAT rate; the other lines are BG-25.
    allowances = [line for line in lines if line.kind == LineKind.DISCOUNT and line.net_amount < 0]
    items = [line for line in lines if line not in allowances]

    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    process = _ram(context, "BusinessProcessSpecifiedDocumentContextParameter")
    _ram(process, "ID", BUSINESS_PROCESS)
    guideline = _ram(context, "GuidelineSpecifiedDocumentContextParameter")
    _ram(guideline, "ID", GUIDELINE)

    document = _el(root, RSM, "ExchangedDocument")
    _ram(document, "ID", invoice.number)  # BT-1
    _ram(document, "TypeCode", invoice.type_code)  # BT-3: 380 invoice, 381 credit note
    _date(document, "IssueDateTime", invoice.issue_date)  # BT-2
    notes = [(m, None) for m in invoice.legal_mentions]
    if invoice.notes:
        notes.append((invoice.notes, None))
    if invoice.service_code and invoice.buyer_reference:
        # BT-10 holds the Chorus Pro service code: the buyer's own reference is kept in a note.
        notes.append((_("Référence acheteur : %(ref)s") % {"ref": invoice.buyer_reference}, None))
    codes = {policy.late_penalty_text: "PMD", policy.recovery_indemnity_text: "PMT", policy.discount_text: "AAB"}
    for text, _code in notes:  # BG-1
        note = _ram(document, "IncludedNote")
        _ram(note, "Content", text)
        if codes.get(text):
            _ram(note, "SubjectCode", codes[text])

    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for index, line in enumerate(items, start=1):  # BG-25
        item = _ram(transaction, "IncludedSupplyChainTradeLineItem")
        line_doc = _ram(item, "AssociatedDocumentLineDocument")
        _ram(line_doc, "LineID", index)  # BT-126
        if line.detail:
            line_note = _ram(line_doc, "IncludedNote")
            _ram(line_note, "Content", line.detail)  # BT-127
        product = _ram(item, "SpecifiedTradeProduct")
        _ram(product, "Name", line.label)  # BT-153
        agreement = _ram(item, "SpecifiedLineTradeAgreement")
        price = _ram(agreement, "NetPriceProductTradePrice")
        _ram(price, "ChargeAmount", f"{line.unit_price:.4f}")  # BT-146
        delivery = _ram(item, "SpecifiedLineTradeDelivery")
        _ram(delivery, "BilledQuantity", f"{line.quantity:.2f}", unitCode=line.unit)  # BT-129, BT-130
        settlement = _ram(item, "SpecifiedLineTradeSettlement")
        tax = _ram(settlement, "ApplicableTradeTax")
        _ram(tax, "TypeCode", "VAT")
        line_category = _line_category(category, line.vat_rate)
        _ram(tax, "CategoryCode", line_category)  # BT-151
        _rate(tax, line_category, line.vat_rate)  # BT-152
        if line.period_start and line.period_end:
            period = _ram(settlement, "BillingSpecifiedPeriod")  # BG-26
            _date(period, "StartDateTime", line.period_start)
            _date(period, "EndDateTime", line.period_end)
        summation = _ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation")
        _ram(summation, "LineTotalAmount", _amount(line.net_amount))  # BT-131
        if getattr(line, "reception_number", ""):
            # BT-128: the client's reception number of the billed month, on its line.
            reference = _ram(settlement, "AdditionalReferencedDocument")
            _ram(reference, "IssuerAssignedID", line.reception_number)
            _ram(reference, "TypeCode", "130")
            _ram(reference, "ReferenceTypeCode", RECEPTION_REFERENCE_TYPE)  # BT-128-1

    agreement = _ram(transaction, "ApplicableHeaderTradeAgreement")
    buyer_reference = invoice.service_code or invoice.buyer_reference
    if buyer_reference:
        _ram(agreement, "BuyerReference", buyer_reference)  # BT-10 (Chorus Pro: service code)
    # Outside the scope of VAT (O), no VAT identifier may be given (BR-O-02): the seller's is kept
    # as its tax registration (BT-32).
    outside_scope = category == "O"
    _party(
        agreement,
        "SellerTradeParty",
        seller,
        legal_id=seller.get("siren", ""),
        legal_scheme=SCHEME_SIREN,
        vat_scheme="FC" if outside_scope else "VA",
    )
    if buyer.get("is_public_sector") and buyer.get("siret"):
        buyer_id, buyer_scheme = buyer["siret"], SCHEME_SIRET
    else:
        buyer_id, buyer_scheme = buyer.get("siren", ""), SCHEME_SIREN
    _party(
        agreement,
        "BuyerTradeParty",
        buyer,
        legal_id=buyer_id,
        legal_scheme=buyer_scheme,
        vat_scheme=None if outside_scope else "VA",
    )
    order_reference = invoice.po_number
    if buyer.get("is_public_sector") and getattr(invoice, "engagement_number", ""):
        order_reference = invoice.engagement_number
    if order_reference:
        order = _ram(agreement, "BuyerOrderReferencedDocument")
        _ram(order, "IssuerAssignedID", order_reference)  # BT-13 (Chorus Pro: engagement number)
    contract = invoice.seller.get("contract_reference") or (invoice.deal.reference if invoice.deal_id else "")
    if contract:
        contract_doc = _ram(agreement, "ContractReferencedDocument")
        _ram(contract_doc, "IssuerAssignedID", contract)  # BT-12

    delivery = _ram(transaction, "ApplicableHeaderTradeDelivery")
    if invoice.period_end:
        event = _ram(delivery, "ActualDeliverySupplyChainEvent")
        _date(event, "OccurrenceDateTime", invoice.period_end)  # BT-72
    receptions = {line.reception_number for line in items if getattr(line, "reception_number", "")}
    if len(receptions) == 1:
        receiving = _ram(delivery, "ReceivingAdviceReferencedDocument")
        _ram(receiving, "IssuerAssignedID", receptions.pop())  # BT-15

    settlement = _ram(transaction, "ApplicableHeaderTradeSettlement")
    _ram(settlement, "PaymentReference", invoice.number)  # BT-83
    _ram(settlement, "InvoiceCurrencyCode", invoice.currency)  # BT-5
    if seller.get("iban") and not invoice.is_credit_note:
        means = _ram(settlement, "SpecifiedTradeSettlementPaymentMeans")  # BG-16
        _ram(means, "TypeCode", "58")  # SEPA credit transfer
        account = _ram(means, "PayeePartyCreditorFinancialAccount")
        _ram(account, "IBANID", seller["iban"].replace(" ", ""))  # BT-84
    on_debits = bool(seller.get("vat_on_debits"))
    for group in result.groups:  # BG-23
        tax = _ram(settlement, "ApplicableTradeTax")
        _ram(tax, "CalculatedAmount", _amount(group.vat))  # BT-117
        _ram(tax, "TypeCode", "VAT")
        if group.category not in ("S", "Z") and reason:
            _ram(tax, "ExemptionReason", reason)  # BT-120
        _ram(tax, "BasisAmount", _amount(group.basis))  # BT-116
        _ram(tax, "CategoryCode", group.category)  # BT-118
        if group.category in CATEGORY_REASON_CODES:
            _ram(tax, "ExemptionReasonCode", CATEGORY_REASON_CODES[group.category])  # BT-121
        if on_debits and group.category == "S":
            _ram(tax, "DueDateTypeCode", VAT_POINT_INVOICE_DATE)  # BT-8
        _rate(tax, group.category, group.rate)  # BT-119
    if invoice.period_start and invoice.period_end:
        period = _ram(settlement, "BillingSpecifiedPeriod")  # BG-14
        _date(period, "StartDateTime", invoice.period_start)
        _date(period, "EndDateTime", invoice.period_end)
    for line in allowances:  # BG-20
        allowance = _ram(settlement, "SpecifiedTradeAllowanceCharge")
        indicator = _ram(allowance, "ChargeIndicator")
        _el(indicator, UDT, "Indicator", "false")
        _ram(allowance, "ActualAmount", _amount(-line.net_amount))  # BT-92
        _ram(allowance, "Reason", line.label)  # BT-97
        allowance_tax = _ram(allowance, "CategoryTradeTax")
        _ram(allowance_tax, "TypeCode", "VAT")
        allowance_category = _line_category(category, line.vat_rate)
        _ram(allowance_tax, "CategoryCode", allowance_category)  # BT-95
        _rate(allowance_tax, allowance_category, line.vat_rate)  # BT-96
    terms = _ram(settlement, "SpecifiedTradePaymentTerms")
    if invoice.payment_terms:
        _ram(terms, "Description", invoice.payment_terms)  # BT-20
    if invoice.due_date and not invoice.is_credit_note:
        _date(terms, "DueDateDateTime", invoice.due_date)  # BT-9 (a credit note is not paid by a due date)
    summation = _ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")  # BG-22
    line_total = totals.money(sum((line.net_amount for line in items), Decimal("0")))
    _ram(summation, "LineTotalAmount", _amount(line_total))  # BT-106
    if allowances:
        _ram(summation, "AllowanceTotalAmount", _amount(line_total - result.net))  # BT-107
    _ram(summation, "TaxBasisTotalAmount", _amount(result.net))  # BT-109
    _ram(summation, "TaxTotalAmount", _amount(result.vat), currencyID=invoice.currency)  # BT-110
    _ram(summation, "GrandTotalAmount", _amount(result.gross))  # BT-112
    _ram(summation, "DuePayableAmount", _amount(result.gross))  # BT-115
    if invoice.is_credit_note and invoice.credited_invoice_id:
        origin = invoice.credited_invoice
        referenced = _ram(settlement, "InvoiceReferencedDocument")  # BG-3
        _ram(referenced, "IssuerAssignedID", origin.number)  # BT-25
        _date(referenced, "FormattedIssueDateTime", origin.issue_date, ns=QDT)  # BT-26
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
