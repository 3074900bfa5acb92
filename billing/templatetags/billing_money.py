"""`{{ amount|money }}`: 2 decimals with grouping, in the active language (1 234,50)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(value) -> str:
    if value in (None, ""):
        return ""
    value = Decimal(value)
    places = 2 if value == value.quantize(Decimal("0.01")) else 4
    return number_format(value, places, use_l10n=True, force_grouping=True)
