"""French typography of generated text: what a template joined with a value gets wrong.

- elision before a month that starts with a vowel: "CRA de octobre" → "CRA d'octobre";
- the first of the month is "1er": "lundi 1 février" → "lundi 1er février";
- a sentence ending with a value that ends with its own period: "…S.A.." → "…S.A.".
"""

from __future__ import annotations

import datetime
import re

from django.utils import formats

from adv.ui.numbers import language

MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_ELISION = re.compile(r"\b([Dd])e (?=(?:avril|août|octobre)\b)")
_FIRST = re.compile(rf"(?<![\d.,\u202f\u00a0])\b1 (?=(?:{MONTHS})\b)")
_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?![.\w/])")


def typography(text: str) -> str:
    """Fix the French of a rendered message (see the module's docstring)."""
    if not text:
        return text
    text = _ELISION.sub(r"\1'", text)
    text = _FIRST.sub("1er ", text)
    return _DOUBLE_PERIOD.sub(".", text)


def long_date(day: datetime.date, fmt: str = "l j F Y") -> str:
    """`date_format` in the active language, with "1er" for the first of the month in French."""
    text = formats.date_format(day, fmt)
    return typography(text) if language() == "fr" else text
