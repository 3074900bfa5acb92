"""A calendar month, the unit of the close: timesheets, billing runs and pre-invoices are per month.

`Month.parse("2026-12")` is the one reader of the `YYYY-MM` written in URLs, forms, the API and
commands; models keep storing a month as its first day (`Month(...).first`).
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _

_SHAPE = re.compile(r"^(\d{4})-(\d{2})$")
_SHAPE_WITH_DAY = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
# Years a person can mean: a typo such as 0226 or 20260 is an error, not a month.
MIN_YEAR, MAX_YEAR = 2000, 2999


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12):
            raise ValueError(_("Mois invalide : attendu AAAA-MM (par exemple 2026-12)."))

    @classmethod
    def parse(cls, value: str | None, *, day_allowed: bool = False) -> Month:
        """"2026-12" → Month(2026, 12) (with `day_allowed`, "2026-12-01" too: a date picked in a
        form); anything else raises ValueError with a French message."""
        shape = _SHAPE_WITH_DAY if day_allowed else _SHAPE
        match = shape.match(value) if isinstance(value, str) else None
        try:
            if not match or not MIN_YEAR <= int(match[1]) <= MAX_YEAR:
                raise ValueError
            if day_allowed and match[3]:
                datetime.date(int(match[1]), int(match[2]), int(match[3]))
            return cls(int(match[1]), int(match[2]))
        except ValueError:
            raise ValueError(_("Mois invalide : attendu AAAA-MM (par exemple 2026-12).")) from None

    @classmethod
    def parse_or(cls, value: str | None, default: Month | None = None, *, day_allowed: bool = False) -> Month | None:
        """The lenient reading of a query parameter: `default` when absent or malformed."""
        try:
            return cls.parse(value, day_allowed=day_allowed)
        except ValueError:
            return default

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __add__(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __sub__(self, months: int) -> Month:
        return self + (-months)

    def previous(self) -> Month:
        return self - 1

    def next(self) -> Month:
        return self + 1

    def until(self, stop: Month) -> Iterator[Month]:
        """This month, then each following one up to `stop` included."""
        current = self
        while current <= stop:
            yield current
            current = current.next()

    def label(self, language: str | None = None) -> str:
        """"décembre 2026" (in the active language, or `language`)."""
        with translation.override(language or translation.get_language()):
            return formats.date_format(self.first, "F Y")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def first_day(value: str | None, default: datetime.date | None = None, *, day_allowed: bool = False) -> datetime.date | None:
    """The first day of the month `value` names (as models store a month), else `default`."""
    month = Month.parse_or(value, day_allowed=day_allowed)
    return month.first if month is not None else default

