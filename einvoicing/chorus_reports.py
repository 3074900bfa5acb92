"""Chorus Pro's integration reports: a flow it could not integrate is "rejetée" (213)."""

from __future__ import annotations

from django.utils import timezone

from . import connectors
from .models import StatusSource, Submission, SubmissionState
from .statuses import Lifecycle


def flow_reports_check(connector) -> int:
    from .lifecycle import status_apply

    rejected = 0
    waiting = Submission.objects.filter(channel="chorus_pro", state=SubmissionState.SUBMITTED, status="").values_list(
        "platform_id", flat=True
    )[:200]
    for flow_id in waiting:
        state, errors = connector.flow_report(flow_id)
        if state in ("IN_REJETE", "IN_INCIDENTE"):
            rejected += 1
            status_apply(
                connectors.StatusUpdate(
                    event_id=f"cpro-flux:{flow_id}:{state}", flow_id=flow_id, code=Lifecycle.REJETEE,
                    occurred_at=timezone.now(), reason_code=state,
                    reason="; ".join(str(e.get("libelleErreur", e)) for e in errors)[:500],
                    errors=[{"code": e.get("codeErreur", ""), "message": e.get("libelleErreur", "")} for e in errors],
                ),
                source=StatusSource.POLL,
            )
    return rejected
