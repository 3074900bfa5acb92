"""The period a report covers: a month, a quarter, a fiscal year (the calendar year: the product has
no fiscal-year setting), the rolling 12 months ending with a month, or a range of months.
An inverted range or one over 5 years is refused with a clear message."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from adv.months import Month

from .errors import PeriodInvalid, ReportingErrorCode

MAX_MONTHS = 60  # 5 years
KINDS = ("month", "quarter", "year", "rolling12", "range")


@dataclass(frozen=True)
class Period:
    first: Month
    last: Month
    kind: str = "range"

    @property
    def start(self) -> datetime.date:
        return self.first.first

    @property
    def end(self) -> datetime.date:
        return self.last.last

    def months(self) -> list[Month]:
        return list(self.first.until(self.last))

    def shifted(self, months: int) -> Period:
        return Period(self.first + months, self.last + months, self.kind)

    def label(self) -> str:
        if self.first == self.last:
            return self.first.label()
        return _("%(first)s à %(last)s") % {"first": self.first.label(), "last": self.last.label()}

    def query(self) -> dict[str, str]:
        """The query parameters that name this period (links, exports)."""
        return {"period": "range", "start": str(self.first), "end": str(self.last)}


def _month(value: str | None, name: str) -> Month:
    try:
        return Month.parse(value)
    except ValueError as error:
        raise PeriodInvalid(str(error), field=name) from None


def period_of(params, today: datetime.date) -> Period:
    """The period named by query parameters `period` (month | quarter | year | rolling12 | range)
    with `month` (YYYY-MM), `quarter` (YYYY-Qn), `year` (YYYY) or `start` and `end` (YYYY-MM).
    Without any: the rolling 12 months ending this month."""
    kind = (params.get("period") or "rolling12").strip()
    current = Month.of(today)
    if kind == "month":
        month = _month(params.get("month"), "month") if params.get("month") else current
        return Period(month, month, kind)
    if kind == "rolling12":
        month = _month(params.get("month"), "month") if params.get("month") else current
        return Period(month - 11, month, kind)
    if kind == "quarter":
        value = (params.get("quarter") or f"{current.year}-Q{(current.month - 1) // 3 + 1}").strip().upper()
        try:
            year, number = value.split("-Q")
            year, number = int(year), int(number)
            if not (2000 <= year <= 2999 and 1 <= number <= 4):
                raise ValueError
        except ValueError:
            raise PeriodInvalid(
                _("Trimestre invalide : attendu AAAA-Tn, par exemple 2026-Q3."), field="quarter"
            ) from None
        first = Month(year, 3 * number - 2)
        return Period(first, first + 2, kind)
    if kind == "year":
        value = (params.get("year") or str(current.year)).strip()
        if not value.isdigit() or not 2000 <= int(value) <= 2999:
            raise PeriodInvalid(_("Exercice invalide : attendu une année, par exemple 2026."), field="year")
        return Period(Month(int(value), 1), Month(int(value), 12), kind)
    if kind == "range":
        first = _month(params.get("start"), "start")
        last = _month(params.get("end"), "end")
        if last < first:
            raise PeriodInvalid(
                _("La période est inversée : le mois de fin (%(end)s) précède le mois de début (%(start)s).")
                % {"start": first.label(), "end": last.label()},
                code=ReportingErrorCode.PERIOD_INVERTED,
                field="end",
            )
        count = (last.year - first.year) * 12 + last.month - first.month + 1
        if count > MAX_MONTHS:
            raise PeriodInvalid(
                _("La période couvre %(count)s mois : 5 ans (60 mois) au plus.") % {"count": count},
                code=ReportingErrorCode.PERIOD_TOO_LONG,
                field="end",
            )
        return Period(first, last, kind)
    raise PeriodInvalid(
        _("Période inconnue : choisissez mois, trimestre, exercice, 12 mois glissants ou plage."), field="period"
    )
