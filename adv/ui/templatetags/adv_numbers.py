"""Numbers in templates, in the reader's language (see adv.ui.numbers), the same on every page,
in emails and on the invoice PDF:

- `{{ amount|money }}` → "1 000,50 €" (fr) / "€1,000.50" (en); `{{ amount|money:deal.currency }}`;
- `{{ unit_price|amount }}` → "83,3333" (2 decimals, more when they carry something), for inputs;
- `{{ days|quantity }}` → "12,5" (no trailing zeros): days, hours, VAT rates, percentages.
"""

from django import template

from adv.ui.numbers import format_decimal, format_money

register = template.Library()


@register.filter
def money(value, currency: str = "EUR") -> str:
    return format_money(value, currency or "EUR")


@register.filter
def amount(value) -> str:
    return format_decimal(value, None)


@register.filter
def quantity(value) -> str:
    return format_decimal(value, 2, trim=True)
