"""Numbers and amounts in the reader's language: one way to write them, one way to read them.

Written (CLDR conventions, what Babel and the operating systems print):
- French: "1 000,50 €": digits grouped by a narrow no-break space (U+202F), a decimal comma, a
  no-break space (U+00A0) before the currency sign;
- English: "€1,000.50": comma grouping, decimal dot, the sign before the amount (CLDR "en").

Read (`parse_decimal`), in the active language:
- French: "1 000,50", "1000,50", "1 000,50" / "1 000,50" (U+202F / U+00A0 as keyboards and copies
  produce them), "1.000,50", and "1000.50" (the dot of a French numeric keypad). "1.000" is refused
  as ambiguous (one or one thousand?);
- English: "1,000.50", "1000.50", "1 000.50". A comma that is not a thousands separator
  ("1000,50", "1,5") is refused: the reader must not guess.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

SPACES = " \u00a0\u202f\u2009"
SEPARATORS = {
    # language: (grouping, decimal mark)
    "fr": ("\u202f", ","),
    "en": (",", "."),
}
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


class NumberError(ValueError):
    """Input that is not a number, or that could be read two ways. `code` is "invalid" or "ambiguous"."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def language(language_code: str | None = None) -> str:
    """The two-letter language numbers are written in: the given one, the active one, or the site's."""
    code = language_code or translation.get_language() or settings.LANGUAGE_CODE
    return code.split("-")[0].lower()


def _places_for(value: Decimal, places: int | None, max_places: int) -> int:
    if places is not None:
        return places
    # 2 decimals, more only when they carry something (a unit price of 83,3333 €)
    for candidate in range(2, max_places + 1):
        if value == value.quantize(Decimal(1).scaleb(-candidate), rounding=ROUND_HALF_UP):
            return candidate
    return max_places


def format_decimal(
    value, places: int | None = 2, *, language_code: str | None = None, grouping: bool = True, trim: bool = False,
    max_places: int = 4,
) -> str:
    """`1000.5` → "1 000,50" (fr) or "1,000.50" (en). `places=None`: 2 decimals or more when needed;
    `trim=True`: no trailing zeros ("12,5" days, "20" %). Empty for None / ""."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    digits = _places_for(number, places, max_places)
    number = number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    lang = language(language_code)
    if lang not in SEPARATORS:
        return formats.number_format(number, digits, use_l10n=True, force_grouping=grouping)
    group, mark = SEPARATORS[lang]
    sign = "-" if number < 0 else ""
    integer, _dot, fraction = f"{abs(number):f}".partition(".")
    if trim:
        fraction = fraction.rstrip("0")
    if grouping:
        integer = f"{int(integer):,}".replace(",", group)
    return f"{sign}{integer}{mark + fraction if fraction else ''}"


def format_money(value, currency: str = "EUR", *, language_code: str | None = None, places: int | None = None) -> str:
    """`1000.5` → "1 000,50 €" (fr) or "€1,000.50" (en); "1 000,50 CHF" / "CHF 1,000.50" for a
    currency without a sign of its own. Empty for None / ""."""
    text = format_decimal(value, places, language_code=language_code)
    if not text:
        return ""
    currency = currency or "EUR"
    symbol = SYMBOLS.get(currency, currency)
    if language(language_code) == "en":
        sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
        return f"{sign}{symbol}{text}" if len(symbol) == 1 else f"{sign}{symbol}\u00a0{text}"
    return f"{text}\u00a0{symbol}"


def _well_grouped(integer: str, separators: str) -> bool:
    return bool(re.fullmatch(rf"\d{{1,3}}(?:[{re.escape(separators)}]\d{{3}})+", integer))


def parse_decimal(text: str, *, language_code: str | None = None) -> Decimal | None:
    """Read a number typed in the reader's language (see the module's docstring); None for blank.
    Raises NumberError with a message that says how to write it."""
    lang = language(language_code)
    example = format_decimal(Decimal("1000.50"), language_code=lang)
    value = (text or "").strip()
    for sign in ("€", "EUR", "eur"):
        value = value.replace(sign, "")
    value = value.strip(SPACES)
    if not value:
        return None
    negative = value[0] in "-\u2212"
    if value[0] in "-\u2212+":
        value = value[1:].lstrip(SPACES)
    if not value or not re.fullmatch(f"[0-9.,{SPACES}]+", value) or not re.search(r"\d", value):
        raise NumberError(_("Saisissez un nombre, par exemple %(example)s.") % {"example": example})
    mark = "." if lang == "en" else ","
    other = "," if mark == "." else "."
    if value.count(mark) > 1:
        if mark == "." or other in value:
            raise NumberError(_("Saisissez un nombre, par exemple %(example)s.") % {"example": example})
        # "1,000,000" typed in French: English grouping, never a decimal
        raise NumberError(
            _("« %(value)s » n'est pas un nombre en français : écrivez par exemple %(example)s.")
            % {"value": text.strip(), "example": example},
            code="ambiguous",
        )
    if mark in value:
        integer, fraction = value.split(mark)
        separators = SPACES + other
    elif lang != "en" and value.count(other) == 1 and not any(c in value for c in SPACES):
        # French, one dot, no comma: the numeric keypad's decimal dot ("1000.50"), unless it reads
        # as a thousands separator too ("1.000": one or one thousand?)
        integer, fraction = value.split(other)
        separators = SPACES
        if len(fraction) == 3 and integer not in ("", "0"):
            raise NumberError(
                _("« %(value)s » peut se lire de deux façons : écrivez %(thousands)s pour des milliers ou %(decimal)s pour des décimales.")
                % {
                    "value": text.strip(),
                    "thousands": format_decimal(Decimal(integer + fraction), 0, language_code=lang),
                    "decimal": f"{integer},{fraction}",
                },
                code="ambiguous",
            )
    else:
        integer, fraction = value, ""
        separators = SPACES + (other if lang == "en" else "")
    if lang == "en" and "," in value and not _well_grouped(integer, SPACES + ","):
        raise NumberError(
            _("« %(value)s » : en anglais la virgule sépare les milliers ; écrivez les décimales avec un point, par exemple %(example)s.")
            % {"value": text.strip(), "example": example},
            code="ambiguous",
        )
    if fraction and not fraction.isdigit():
        raise NumberError(_("Saisissez un nombre, par exemple %(example)s.") % {"example": example})
    if not integer.isdigit():
        if not integer:
            integer = "0"
        elif _well_grouped(integer, separators):
            integer = re.sub(r"\D", "", integer)
        else:
            raise NumberError(
                _("Les milliers se groupent par trois chiffres : écrivez par exemple %(example)s.") % {"example": example}
            )
    number = Decimal(f"{integer}.{fraction}" if fraction else integer)
    return -number if negative else number
