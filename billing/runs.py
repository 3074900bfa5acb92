"""The month's billing run: split into chunks of deals that several Celery workers share.

Starting writes the run and its chunks in one transaction and dispatches one task per chunk after
commit. A chunk is built and marked done in one transaction (locked with SKIP LOCKED, so two
workers never build the same one); a worker killed in the middle leaves its chunk pending and
nothing half-written, and `run_resume` (or starting again) dispatches what is left. Drafts are
upserted by (month, group key), so building a chunk twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from adv.broker import send_task_on_commit
from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership

from . import access
from .build import build_deals, deals_to_bill
from .models import BillingRun, BillingRunChunk, ChunkStatus, RunStatus
from .refresh import schedule_expected_refresh

# Deals per chunk: few enough queries per deal, enough chunks for the workers to share.
CHUNK_SIZE = settings.BILLING_RUN_CHUNK_SIZE


def _dispatch(run: BillingRun, chunk_ids: list) -> None:
    from .tasks import build_chunk

    tenant_id = str(require_tenant_id())
    for chunk_id in chunk_ids:
        send_task_on_commit(build_chunk, tenant_id, str(chunk_id), recovery="the chunk stays pending: resume the run")


@transaction.atomic
def run_start(*, actor: Membership | None, month: datetime.date, dispatch: bool = True) -> BillingRun:
    """Launch the run of `month`, or resume the one already running (at most one runs per month:
    a unique index; two people clicking at once get the same run)."""
    if actor is not None:
        access.require_bill(actor)
    month = month.replace(day=1)
    running = BillingRun.objects.select_for_update().filter(month=month, status=RunStatus.RUNNING).first()
    if running is not None:
        return run_resume(actor=actor, run=running, dispatch=dispatch)
    deal_ids = [str(pk) for pk in deals_to_bill(month)]
    try:
        with transaction.atomic():
            run = BillingRun.objects.create(month=month, started_by=actor, chunk_count=0)
    except IntegrityError:
        running = BillingRun.objects.select_for_update().get(month=month, status=RunStatus.RUNNING)
        return run_resume(actor=actor, run=running, dispatch=dispatch)
    chunks = [
        BillingRunChunk(tenant_id=run.tenant_id, run=run, index=i, deal_ids=deal_ids[start : start + CHUNK_SIZE])
        for i, start in enumerate(range(0, len(deal_ids), CHUNK_SIZE))
    ]
    BillingRunChunk.objects.bulk_create(chunks)
    run.chunk_count = len(chunks)
    if not chunks:
        run.status, run.finished_at = RunStatus.DONE, timezone.now()
        schedule_expected_refresh([month.isoformat()])
    run.save(update_fields=["chunk_count", "status", "finished_at", "updated_at"])
    if dispatch:
        _dispatch(run, [c.pk for c in chunks])
    return run


@transaction.atomic
def run_resume(*, actor: Membership | None, run: BillingRun, dispatch: bool = True) -> BillingRun:
    if actor is not None:
        access.require_bill(actor)
    run = BillingRun.objects.select_for_update().get(pk=run.pk)
    left = list(run.chunks.exclude(status=ChunkStatus.DONE).values_list("pk", flat=True))
    if left:
        run.chunks.filter(status=ChunkStatus.FAILED).update(status=ChunkStatus.PENDING, error="")
        run.status, run.error, run.finished_at = RunStatus.RUNNING, "", None
        run.save(update_fields=["status", "error", "finished_at", "updated_at"])
        if dispatch:
            _dispatch(run, left)
    return run


def chunk_build(chunk_id) -> str:
    """Build one chunk (the task body). Returns what happened: built, done already, busy (another
    worker holds it: the task tries again later) or gone (the run was deleted)."""
    with transaction.atomic():
        # Lock the chunk alone (`of=("self",)`): without it, FOR UPDATE over the join would also lock
        # the run that all chunks share, and every other worker would find its own chunk "busy".
        chunk = (
            BillingRunChunk.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("run")
            .filter(pk=chunk_id)
            .first()
        )
        if chunk is None:
            # Another worker holds this very chunk (its task is retried later), or it is gone.
            return "busy" if BillingRunChunk.objects.filter(pk=chunk_id).exists() else "gone"
        if chunk.status == ChunkStatus.DONE:
            return "done"
        stats = build_deals(chunk.run.month, chunk.deal_ids, chunk.run)
        chunk.status, chunk.error = ChunkStatus.DONE, ""
        chunk.attempts = F("attempts") + 1
        chunk.save(update_fields=["status", "error", "attempts", "updated_at"])
        BillingRun.objects.filter(pk=chunk.run_id).update(
            chunks_done=F("chunks_done") + 1,
            created_count=F("created_count") + stats.created,
            updated_count=F("updated_count") + stats.updated,
            removed_count=F("removed_count") + stats.removed,
            updated_at=timezone.now(),
        )
        finished = BillingRun.objects.filter(
            pk=chunk.run_id, chunks_done__gte=F("chunk_count"), status=RunStatus.RUNNING
        ).update(status=RunStatus.DONE, finished_at=timezone.now())
        if finished:
            schedule_expected_refresh([chunk.run.month.isoformat()])
    return "built"


@transaction.atomic
def chunk_failed(chunk_id, error: str, final: bool) -> None:
    """Record a chunk's failure where people can see it; the last retry marks the run failed."""
    chunk = BillingRunChunk.objects.select_for_update().filter(pk=chunk_id).first()
    if chunk is None or chunk.status == ChunkStatus.DONE:
        return
    chunk.attempts += 1
    chunk.error = error[:2000]
    if final:
        chunk.status = ChunkStatus.FAILED
        BillingRun.objects.filter(pk=chunk.run_id).update(
            status=RunStatus.FAILED, error=error[:2000], updated_at=timezone.now()
        )
    chunk.save(update_fields=["attempts", "error", "status", "updated_at"])


def run_now(*, actor: Membership | None, month: datetime.date) -> BillingRun:
    """The whole run in this process (commands, tests, benchmarks): start, then build each chunk
    here; nothing goes to the broker."""
    run = run_start(actor=actor, month=month, dispatch=False)
    for chunk_id in run.chunks.exclude(status=ChunkStatus.DONE).values_list("pk", flat=True):
        chunk_build(chunk_id)
    run.refresh_from_db()
    return run
