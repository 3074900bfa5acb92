"""Template helpers of the deal pages: amounts the French way ("45 000,00 €")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

SYMBOLS = {"EUR": "€"}


@register.filter
def money(value, currency: str = "EUR") -> str:
    """`{{ amount|money }}` or `{{ amount|money:deal.currency }}`; empty for no amount."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    symbol = SYMBOLS.get(currency or "EUR", currency or "")
    return f"{number_format(amount, 2, use_l10n=True, force_grouping=True)}\u00a0{symbol}".strip()
