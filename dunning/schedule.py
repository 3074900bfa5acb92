"""Which step of the plan an invoice is at: pure functions over the plan's steps and what was sent,
shared by the task that sends, the pages and the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanStep:
    id: object
    days_after_due: int
    tone: str
    template_key: str


def _pending(steps: Sequence[PlanStep], sent_step_ids: Iterable, last_sent_days: int | None) -> list[PlanStep]:
    """Steps after the last one sent, not sent yet, in order (an earlier step skipped stays skipped)."""
    sent = {str(pk) for pk in sent_step_ids}
    floor = last_sent_days if last_sent_days is not None else 0
    return [s for s in steps if s.days_after_due > floor and str(s.id) not in sent]


def due_step(
    steps: Sequence[PlanStep], *, due_date: datetime.date, today: datetime.date, sent_step_ids: Iterable,
    last_sent_days: int | None,
) -> PlanStep | None:
    """The step to send today: the latest step whose day has come and that is not sent yet. An
    invoice already 50 days late when dunning starts gets the formal notice alone, never three
    messages on the same day."""
    reached = [s for s in _pending(steps, sent_step_ids, last_sent_days)
               if due_date + datetime.timedelta(days=s.days_after_due) <= today]
    return reached[-1] if reached else None


def next_step(
    steps: Sequence[PlanStep], *, due_date: datetime.date, today: datetime.date, sent_step_ids: Iterable,
    last_sent_days: int | None,
) -> tuple[PlanStep, datetime.date] | None:
    """The next step and the day it goes (today when its day has passed: the next run sends it)."""
    pending = _pending(steps, sent_step_ids, last_sent_days)
    current = due_step(steps, due_date=due_date, today=today, sent_step_ids=sent_step_ids, last_sent_days=last_sent_days)
    if current is not None:
        return current, today
    if not pending:
        return None
    step = pending[0]
    return step, due_date + datetime.timedelta(days=step.days_after_due)
