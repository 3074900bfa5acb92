"""Every reminder is claimed in the reminder ledger before it is sent (who, which template, the step), and
what a run sent is counted in its report."""


from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership
from notifications import ledger
from notifications.models import ReminderSent

from ..models import ReminderKind


def claim(
    *,
    month: datetime.date,
    kind: str,
    step: str,
    template_key: str,
    membership_ids: Iterable,
    sent_by: Membership | None = None,
    now: datetime.datetime | None = None,
) -> set[uuid.UUID]:
    """Claim this step of `month` for each person in the reminder ledger; return the ids of the
    people claimed now. A person who already has this step (sent earlier, or by a concurrent
    transaction, which this claim waits for) is skipped. Runs in the caller's transaction, so the
    row and the message commit (or roll back) together."""
    return ledger.claim_many(
        kind=kind, subject=month.isoformat(), step=step, recipients=membership_ids, sent_by=sent_by,
        template_key=template_key, now=now,
    )


def sent_count(month: datetime.date) -> int:
    """How many closing reminders of `month` went out (announcements and escalations included)."""
    return ReminderSent.objects.filter(
        tenant_id=require_tenant_id(), kind__in=ReminderKind.values, subject=month.isoformat()
    ).count()


# --- Automatic reminders -------------------------------------------------------------------------


@dataclass
class RunReport:
    announcements: int = 0
    changes: int = 0  # re-announcements of a calendar whose deadlines changed after its announcement
    submission: int = 0
    escalations: int = 0
    approval: int = 0
    approval_escalations: int = 0
    skipped_by_hour: bool = False
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (email, template key, step)

    def as_dict(self) -> dict:
        return {
            "announcements": self.announcements, "changes": self.changes, "submission": self.submission,
            "escalations": self.escalations, "approval": self.approval,
            "approval_escalations": self.approval_escalations, "skipped_by_hour": self.skipped_by_hour,
        }

    def count(self, counter: str, member: Membership, key: str, step: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        self.details.append((member.user.email, key, step))

