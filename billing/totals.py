"""Amounts of an invoice, as EN 16931 computes them.

- line net (BT-131) = quantity × unit price, rounded half-up to 2 decimals;
- per VAT rate: basis (BT-116) = sum of the line nets of that rate; VAT (BT-117) = basis × rate,
  rounded half-up to 2 (BR-CO-17);
- total net (BT-109) = sum of line nets (BR-CO-10); VAT total (BT-110) = sum of the VAT per rate
  (BR-CO-14); total with VAT (BT-112) = net + VAT (BR-CO-15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return money(quantity * unit_price)


@dataclass(frozen=True)
class VatGroup:
    rate: Decimal
    basis: Decimal
    vat: Decimal
    category: str  # UNTDID 5305: S standard, AE reverse charge, G export, E exempt, Z zero rate


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    groups: tuple[VatGroup, ...]


def compute(lines: Iterable[tuple[Decimal, Decimal]], category: str = "S") -> Totals:
    """`lines`: (net amount, VAT rate) pairs. `category` applies to every line (one regime per invoice)."""
    bases: dict[Decimal, Decimal] = {}
    for net, rate in lines:
        rate = Decimal(rate).quantize(CENT)
        bases[rate] = bases.get(rate, ZERO) + net
    groups = []
    for rate in sorted(bases):
        basis = money(bases[rate])
        effective = rate if category == "S" else ZERO
        groups.append(
            VatGroup(
                rate=effective,
                basis=basis,
                vat=money(basis * effective / HUNDRED),
                category=_category(category, effective),
            )
        )
    net = money(sum((g.basis for g in groups), ZERO))
    vat = money(sum((g.vat for g in groups), ZERO))
    return Totals(net=net, vat=vat, gross=net + vat, groups=tuple(_merge(groups)))


def _category(category: str, rate: Decimal) -> str:
    if category == "S" and rate == 0:
        return "Z"
    return category


def _merge(groups: list[VatGroup]) -> list[VatGroup]:
    # Outside the standard regime every rate collapses to 0 %: one breakdown per (category, rate).
    merged: dict[tuple[str, Decimal], VatGroup] = {}
    for group in groups:
        key = (group.category, group.rate)
        if key in merged:
            previous = merged[key]
            merged[key] = VatGroup(group.rate, previous.basis + group.basis, previous.vat + group.vat, group.category)
        else:
            merged[key] = group
    return list(merged.values())
