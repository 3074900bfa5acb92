"""What a formal notice claims beyond the principal (art. L441-10 of the Code de commerce):
late-payment penalties on the balance, from the day after the due date, at the firm's annual rate,
and the fixed indemnity for recovery costs (40 €, art. D441-5) per invoice paid late."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import RECOVERY_INDEMNITY, ZERO

CENT = Decimal("0.01")
DAYS_PER_YEAR = Decimal("365")


@dataclass(frozen=True)
class Claim:
    balance: Decimal
    days_late: int
    rate: Decimal
    penalties: Decimal
    indemnity: Decimal

    @property
    def total(self) -> Decimal:
        return self.balance + self.penalties + self.indemnity


def days_late(due_date: datetime.date, today: datetime.date) -> int:
    """Days since the due date (0 on the due date itself: penalties run from the next day)."""
    return max((today - due_date).days, 0)


def late_penalties(balance: Decimal, rate: Decimal, days: int) -> Decimal:
    """Simple interest: balance × annual rate × days / 365, rounded half-up to the cent."""
    if balance <= 0 or days <= 0 or rate <= 0:
        return ZERO.quantize(CENT)
    return (balance * rate / Decimal(100) * Decimal(days) / DAYS_PER_YEAR).quantize(CENT, rounding=ROUND_HALF_UP)


def claim(*, balance: Decimal, due_date: datetime.date, today: datetime.date, rate: Decimal) -> Claim:
    days = days_late(due_date, today)
    return Claim(
        balance=balance,
        days_late=days,
        rate=rate,
        penalties=late_penalties(balance, rate, days),
        indemnity=RECOVERY_INDEMNITY if days > 0 and balance > 0 else ZERO.quantize(CENT),
    )
