"""Days of a month: weekends, public holidays (the `holidays` package, by the firm's country),
working days, and the closing calendar proposed by the firm's rule."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays


@dataclass(frozen=True)
class Day:
    date: datetime.date
    is_weekend: bool
    holiday: str | None  # the holiday's name, in French

    @property
    def is_working_day(self) -> bool:
        return not self.is_weekend and self.holiday is None


@lru_cache(maxsize=64)
def public_holidays(country: str, year: int) -> dict[datetime.date, str]:
    try:
        found = holidays.country_holidays(country, years=year, language="fr")
    except (NotImplementedError, KeyError):
        found = holidays.country_holidays(country, years=year)
    return dict(found.items())


def month_days(month: datetime.date, country: str = "FR") -> list[Day]:
    first = month.replace(day=1)
    count = calendar.monthrange(first.year, first.month)[1]
    known = public_holidays(country, first.year)
    return [
        Day(date=d, is_weekend=d.weekday() >= 5, holiday=known.get(d))
        for d in (first + datetime.timedelta(days=i) for i in range(count))
    ]


def is_working_day(day: datetime.date, country: str = "FR") -> bool:
    return day.weekday() < 5 and day not in public_holidays(country, day.year)


def add_working_days(day: datetime.date, count: int, country: str = "FR") -> datetime.date:
    """Move `count` working days from `day` (negative: backwards). 0 returns `day` itself."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    current = day
    while remaining:
        current += datetime.timedelta(days=step)
        if is_working_day(current, country):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date, country: str = "FR") -> int:
    """Working days after `start` up to and including `end` (negative when end < start)."""
    if end == start:
        return 0
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    count = sum(1 for i in range(1, (high - low).days + 1) if is_working_day(low + datetime.timedelta(days=i), country))
    return sign * count


def last_working_day(month: datetime.date, country: str = "FR") -> datetime.date:
    return [d.date for d in month_days(month, country) if d.is_working_day][-1]


def next_month(month: datetime.date) -> datetime.date:
    first = month.replace(day=1)
    return (first + datetime.timedelta(days=32)).replace(day=1)


def propose_deadlines(month: datetime.date, policy) -> dict[str, datetime.date]:
    """The closing calendar the policy's rule gives for `month` (editable afterwards)."""
    country = policy.holiday_country
    last = last_working_day(month, country)
    return {
        "submission_deadline": add_working_days(last, -policy.submission_working_days_before_end, country),
        "approval_deadline": add_working_days(last, policy.approval_working_days_after_end, country),
        "client_approval_deadline": add_working_days(last, policy.client_approval_working_days_after_end, country),
        "billing_close_deadline": add_working_days(last, policy.billing_close_working_days_after_end, country),
    }
