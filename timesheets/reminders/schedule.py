"""When reminders are due: the firm's offsets in working days around a deadline, the months in play."""


from __future__ import annotations

import datetime
from collections.abc import Iterable

from .. import calendar as cal
from ..closing import selectors as closing_selectors


def parse_offsets(text: str) -> list[int]:
    """"-2,0" → [-2, 0]; invalid parts are refused by the policy form, ignored here."""
    offsets = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip().replace("D", "").replace("J", "")
        if not part:
            continue
        try:
            offsets.add(int(part))
        except ValueError:
            continue
    return sorted(offsets)


def schedule_offset(*, deadline: datetime.date, today: datetime.date, country: str) -> int | None:
    """Today's position in working days relative to the deadline (D-2 → -2, D → 0, D+1 → 1), or
    None on a day off (reminders go out on working days, and on the deadline itself)."""
    if today != deadline and not cal.is_working_day(today, country):
        return None
    return cal.working_days_between(deadline, today, country)


def is_reminder_day(offset: int | None, offsets: Iterable[int]) -> bool:
    """The configured offsets up to the deadline, then every working day after it."""
    if offset is None:
        return False
    return offset >= 1 or offset in set(offsets)


def months_in_play(today: datetime.date) -> list[datetime.date]:
    """Last month (still chased after its deadline) and this month."""
    current = today.replace(day=1)
    return [closing_selectors.add_months(current, -1), current]


