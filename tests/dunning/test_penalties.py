"""Late-payment penalties and the fixed indemnity, against figures computed by hand."""

import datetime
from decimal import Decimal

from dunning.penalties import claim, days_late, late_penalties


def test_penalties_by_hand():
    # 10 000 € × 12,15 % × 45 / 365 = 149,794… → 149,79 €
    assert late_penalties(Decimal("10000"), Decimal("12.15"), 45) == Decimal("149.79")
    # 1 234,56 € × 10 % × 1 / 365 = 0,3382… → 0,34 €
    assert late_penalties(Decimal("1234.56"), Decimal("10"), 1) == Decimal("0.34")


def test_nothing_on_the_due_date_itself():
    due = datetime.date(2026, 12, 2)
    assert days_late(due, due) == 0
    on_due = claim(balance=Decimal("100"), due_date=due, today=due, rate=Decimal("12"))
    assert (on_due.penalties, on_due.indemnity) == (Decimal("0.00"), Decimal("0.00"))
    next_day = claim(balance=Decimal("100"), due_date=due, today=due + datetime.timedelta(days=1), rate=Decimal("12"))
    assert next_day.days_late == 1 and next_day.indemnity == Decimal("40.00")
    assert next_day.total == Decimal("100") + next_day.penalties + Decimal("40.00")
