"""Totals and rounding against EN 16931, by property: whatever the lines, the amounts are those the
standard's rules give (computed here independently, in exact fractions), and the Factur-X XML built
from them adds up the same way."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from billing import cii, totals
from billing.models import BillingPolicy, Invoice, InvoiceLine
from tests.billing import xml_rules

CENT = Decimal("0.01")
RATES = [Decimal(r) for r in ("0", "2.1", "5.5", "8.5", "10", "20")]
NS = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}


def half_up(value) -> Decimal:
    """Round to the cent, half away from zero, in exact arithmetic (the oracle, not the code under test)."""
    exact = Fraction(value)
    sign = -1 if exact < 0 else 1
    cents = floor(abs(exact) * 100 + Fraction(1, 2))
    return (Decimal(sign * cents) / 100).quantize(CENT)


quantities = st.decimals(min_value=Decimal("-50"), max_value=Decimal("400"), places=2).filter(lambda q: q != 0)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("20000"), places=4)
rates = st.one_of(st.sampled_from(RATES), st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2))
lines_strategy = st.lists(st.tuples(quantities, prices, rates), min_size=1, max_size=25)


def expected(lines) -> dict:
    """EN 16931 by the book: line nets rounded, then per rate basis and VAT (BR-CO-17), then the sums."""
    nets = [(half_up(Fraction(q) * Fraction(p)), r.quantize(CENT)) for q, p, r in lines]
    bases: dict = {}
    for net, rate in nets:
        bases[rate] = bases.get(rate, Decimal("0.00")) + net
    vats = {rate: half_up(Fraction(basis) * Fraction(rate) / 100) for rate, basis in bases.items()}
    net = sum((n for n, _r in nets), Decimal("0.00"))
    vat = sum(vats.values(), Decimal("0.00"))
    return {"nets": nets, "bases": bases, "vats": vats, "net": net, "vat": vat, "gross": net + vat}


def computed(lines, category="S") -> totals.Totals:
    return totals.compute(((totals.line_net(q, p), r) for q, p, r in lines), category)


@settings(max_examples=400, deadline=None)
@given(quantities, prices)
def test_line_net_is_quantity_times_price_rounded_half_up(quantity, price):
    assert totals.line_net(quantity, price) == half_up(Fraction(quantity) * Fraction(price))


@settings(max_examples=300, deadline=None)
@given(lines_strategy)
def test_totals_follow_en16931(lines):
    want = expected(lines)
    got = computed(lines)
    # one VAT breakdown per rate, in rate order; basis = sum of that rate's line nets
    assert [g.rate for g in got.groups] == sorted(want["bases"])
    for group in got.groups:
        assert group.basis == want["bases"][group.rate]
        assert group.vat == want["vats"][group.rate]  # BR-CO-17: basis × rate, rounded once per rate
        assert group.category == ("Z" if group.rate == 0 else "S")
    assert got.net == want["net"] == sum(g.basis for g in got.groups)  # BR-CO-10 (and BT-109 = BT-106)
    assert got.vat == want["vat"] == sum(g.vat for g in got.groups)  # BR-CO-14
    assert got.gross == got.net + got.vat == want["gross"]  # BR-CO-15
    for amount in (got.net, got.vat, got.gross):
        assert amount == amount.quantize(CENT)


@settings(max_examples=150, deadline=None)
@given(lines_strategy, st.sampled_from(["AE", "G", "E"]))
def test_outside_the_standard_regime_there_is_no_vat_and_one_breakdown(lines, category):
    want = expected(lines)
    got = computed(lines, category)
    assert [(g.category, g.rate, g.basis, g.vat) for g in got.groups] == [
        (category, Decimal("0"), want["net"], Decimal("0.00"))
    ]
    assert (got.net, got.vat, got.gross) == (want["net"], Decimal("0.00"), want["net"])


# --- Edge cases ---------------------------------------------------------------------------------


def test_half_a_cent_rounds_up_and_away_from_zero():
    assert totals.line_net(Decimal("1"), Decimal("0.005")) == Decimal("0.01")
    assert totals.line_net(Decimal("0.5"), Decimal("0.0100")) == Decimal("0.01")
    assert totals.line_net(Decimal("1"), Decimal("0.0049")) == Decimal("0.00")
    assert totals.line_net(Decimal("-1"), Decimal("0.005")) == Decimal("-0.01")
    assert totals.line_net(Decimal("3"), Decimal("333.335")) == Decimal("1000.01")  # 1000.005
    # VAT of a basis whose exact VAT ends in a half cent: 0.05 × 10 % = 0.005 → 0.01
    assert computed([(Decimal("1"), Decimal("0.05"), Decimal("10"))]).vat == Decimal("0.01")
    # 2.1 % of 12.50 = 0.2625 → 0.26; 5.5 % of 0.90 = 0.0495 → 0.05
    assert computed([(Decimal("1"), Decimal("12.50"), Decimal("2.1"))]).vat == Decimal("0.26")
    assert computed([(Decimal("1"), Decimal("0.90"), Decimal("5.5"))]).vat == Decimal("0.05")


def test_vat_is_rounded_per_rate_not_per_line():
    # three lines of 0.05 at 10 %: per line 3 × 0.01 = 0.03, per rate 0.15 × 10 % = 0.015 → 0.02
    lines = [(Decimal("1"), Decimal("0.05"), Decimal("10"))] * 3
    result = computed(lines)
    assert [(g.rate, g.basis, g.vat) for g in result.groups] == [(Decimal("10.00"), Decimal("0.15"), Decimal("0.02"))]
    assert (result.net, result.vat, result.gross) == (Decimal("0.15"), Decimal("0.02"), Decimal("0.17"))


def test_a_discount_line_lowers_its_rate_basis_before_vat():
    lines = [
        (Decimal("20"), Decimal("650"), Decimal("20")),  # 13,000.00
        (Decimal("-1"), Decimal("1300.005"), Decimal("20")),  # discount: -1,300.01
        (Decimal("2"), Decimal("99.99"), Decimal("5.5")),  # 199.98
    ]
    result = computed(lines)
    assert [(g.rate, g.basis, g.vat) for g in result.groups] == [
        (Decimal("5.50"), Decimal("199.98"), Decimal("11.00")),  # 10.9989
        (Decimal("20.00"), Decimal("11699.99"), Decimal("2340.00")),  # 2339.998
    ]
    assert (result.net, result.vat, result.gross) == (Decimal("11899.97"), Decimal("2351.00"), Decimal("14250.97"))


def test_many_lines_at_different_rates_including_zero():
    lines = [(Decimal("1"), Decimal("10.01"), rate) for rate in RATES for _ in range(5)]
    result = computed(lines)
    assert [(g.category, g.rate, g.basis) for g in result.groups] == [
        ("Z", Decimal("0.00"), Decimal("50.05")),
        ("S", Decimal("2.10"), Decimal("50.05")),
        ("S", Decimal("5.50"), Decimal("50.05")),
        ("S", Decimal("8.50"), Decimal("50.05")),
        ("S", Decimal("10.00"), Decimal("50.05")),
        ("S", Decimal("20.00"), Decimal("50.05")),
    ]
    # 0, 1.05105, 2.75275, 4.25425, 5.005, 10.01
    assert [g.vat for g in result.groups] == [Decimal(v) for v in ("0.00", "1.05", "2.75", "4.25", "5.01", "10.01")]
    assert result.vat == Decimal("23.07")
    assert result.gross == Decimal("323.37")


def test_a_zero_rate_line_is_category_z_with_no_vat():
    result = computed([(Decimal("4"), Decimal("250"), Decimal("0"))])
    assert [(g.category, g.rate, g.basis, g.vat) for g in result.groups] == [
        ("Z", Decimal("0.00"), Decimal("1000.00"), Decimal("0.00"))
    ]
    assert (result.net, result.vat, result.gross) == (Decimal("1000.00"), Decimal("0.00"), Decimal("1000.00"))


# --- The XML adds up the same way ---------------------------------------------------------------

SELLER = {
    "name": "Alpha Conseil SAS",
    "siren": "732829320",
    "vat_number": "FR44732829320",
    "line1": "12 rue de la Paix",
    "postal_code": "75002",
    "city": "Paris",
    "country": "FR",
    "iban": "FR7630006000011234567890189",
}
BUYER = {
    "name": "Helios Énergies SA",
    "siren": "404833048",
    "vat_number": "FR83404833048",
    "line1": "1 avenue des Clients",
    "postal_code": "69001",
    "city": "Lyon",
    "country": "FR",
}


def xml_of(lines, regime="standard") -> bytes:
    """The Factur-X XML of an invoice held in memory (no database)."""
    policy = BillingPolicy()
    invoice = Invoice(
        number="F2026-00042",
        issue_date=datetime.date(2026, 11, 2),
        due_date=datetime.date(2026, 12, 2),
        payment_terms="Paiement à 30 jours, par virement.",
        seller=SELLER,
        buyer=BUYER,
        vat_regime=regime,
        legal_mentions=[
            "Opération : prestations de services.",
            policy.late_penalty_text,
            policy.recovery_indemnity_text,
            policy.discount_text,
        ],
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )
    rows = [
        InvoiceLine(
            label=f"Ligne {index}",
            quantity=q,
            unit="C62",
            unit_price=p,
            vat_rate=r.quantize(CENT),
            net_amount=totals.line_net(q, p),
        )
        for index, (q, p, r) in enumerate(lines, start=1)
    ]
    return cii.build_xml(invoice, policy=policy, lines=rows)


def amounts(root, path) -> list[Decimal]:
    return [Decimal(node.text) for node in root.xpath(path, namespaces=NS)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines_strategy)
def test_the_xml_amounts_add_up(lines):
    root = etree.fromstring(xml_of(lines))
    want = expected(lines)
    line_totals = amounts(root, "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount")
    assert line_totals == [net for net, _rate in want["nets"]]  # BT-131
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    (line_total,) = amounts(root, f"{summation}/ram:LineTotalAmount")
    (tax_basis,) = amounts(root, f"{summation}/ram:TaxBasisTotalAmount")
    (tax_total,) = amounts(root, f"{summation}/ram:TaxTotalAmount")
    (grand_total,) = amounts(root, f"{summation}/ram:GrandTotalAmount")
    assert line_total == sum(line_totals) == want["net"]  # BR-CO-10
    assert tax_basis == line_total  # no document-level allowances or charges (BR-CO-13)
    breakdown = root.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)
    groups = {
        Decimal(tax.findtext("ram:RateApplicablePercent", namespaces=NS)): (
            Decimal(tax.findtext("ram:BasisAmount", namespaces=NS)),
            Decimal(tax.findtext("ram:CalculatedAmount", namespaces=NS)),
        )
        for tax in breakdown
    }
    assert groups == {rate: (want["bases"][rate], want["vats"][rate]) for rate in want["bases"]}
    assert tax_total == sum(vat for _basis, vat in groups.values())  # BR-CO-14
    assert grand_total == tax_basis + tax_total  # BR-CO-15


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(quantities.filter(lambda q: q > 0), prices, st.sampled_from(RATES[1:])), min_size=1, max_size=8)
)
@example([(Decimal("1"), Decimal("0.05"), Decimal("10"))] * 3)
@example(
    [
        (Decimal("20"), Decimal("650"), Decimal("20")),
        (Decimal("-1"), Decimal("1300.005"), Decimal("20")),
        (Decimal("2"), Decimal("99.99"), Decimal("5.5")),
    ]
)
def test_the_xml_passes_the_business_rules_for_rounding_edge_cases(lines):
    xml = xml_of(lines)
    assert xml_rules.validate(xml) == []
