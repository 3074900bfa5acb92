"""The month's billing run: builds the pre-invoices, is idempotent, never touches an issued invoice,
survives a worker killed in the middle and shares its chunks between workers."""

from __future__ import annotations

import datetime
import threading
import time
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.db import connection, transaction

from adv.celery import app as celery_app
from adv.tenancy.context import tenant_context
from billing import runs
from billing.models import BillingRun, BillingRunChunk, Invoice, InvoiceLine
from tests.billing.support import OCTOBER
from timesheets.models import Timesheet, TimesheetEntry, TimesheetStatus

pytestmark = pytest.mark.django_db


def _state(firm) -> list[tuple]:
    with tenant_context(firm.tenant):
        return sorted(
            (str(inv.pk), inv.group_key, inv.status, inv.total_net, inv.lines.count())
            for inv in Invoice.objects.filter(month=OCTOBER)
        )


def test_run_now_builds_the_month_pre_invoices(billing_firm):
    # when the month is run
    run = billing_firm.build()
    # then the run is done and each client has its pre-invoice with the month's amounts
    assert (run.status, run.chunks_done, run.chunk_count, run.created_count) == ("done", 1, 1, 3)
    totals = {inv.client_id: inv.total_net for inv in billing_firm.drafts()}
    assert totals == {
        billing_firm.helios.pk: Decimal("25960.00"),  # 20 × 650 + 18 × 720
        billing_firm.orion.pk: Decimal("30000.00"),  # both October milestones
        billing_firm.nova.pk: Decimal("1500.00"),
    }


def test_a_second_run_duplicates_nothing_and_updates_the_same_drafts(billing_firm):
    billing_firm.build()
    before = _state(billing_firm)
    # given one more approved day for bob
    with tenant_context(billing_firm.tenant):
        line = billing_firm.timesheets["bob"].lines.get()
        TimesheetEntry.objects.create(line=line, day=datetime.date(2026, 10, 30), quantity=Decimal("1"))
    # when the month is run again
    run = billing_firm.build()
    # then the same three drafts (same ids) are kept, none created, and only Helios's is rewritten
    after = _state(billing_firm)
    assert [row[0] for row in after] == [row[0] for row in before]
    assert run.created_count == 0 and run.updated_count == 1
    helios = billing_firm.draft_of(billing_firm.helios)
    assert helios.total_net == Decimal("26610.00")  # 21 × 650 + 18 × 720
    with tenant_context(billing_firm.tenant):
        assert Invoice.objects.count() == 3
        assert BillingRun.objects.count() == 2


def test_a_rerun_with_nothing_new_writes_nothing(billing_firm):
    billing_firm.build()
    with tenant_context(billing_firm.tenant):
        stamps = dict(Invoice.objects.values_list("pk", "updated_at"))
        line_ids = set(InvoiceLine.objects.values_list("pk", flat=True))
    run = billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert dict(Invoice.objects.values_list("pk", "updated_at")) == stamps
        assert set(InvoiceLine.objects.values_list("pk", flat=True)) == line_ids
    assert (run.created_count, run.updated_count, run.removed_count) == (0, 0, 0)


def test_a_run_after_issuing_never_touches_the_issued_invoice_nor_bills_its_time_again(billing_firm):
    billing_firm.build()
    helios = billing_firm.draft_of(billing_firm.helios)
    issued = billing_firm.issue([helios]).issued[0]
    with tenant_context(billing_firm.tenant):
        frozen = Invoice.objects.values("number", "status", "total_net", "updated_at", "checks").get(pk=issued.pk)
        frozen_lines = sorted(InvoiceLine.objects.filter(invoice=issued).values_list("pk", "label", "net_amount"))
    # when the month is run again
    billing_firm.build()
    # then the issued invoice is as it was, and no new draft bills Helios's time
    with tenant_context(billing_firm.tenant):
        assert (
            Invoice.objects.values("number", "status", "total_net", "updated_at", "checks").get(pk=issued.pk) == frozen
        )
        assert (
            sorted(InvoiceLine.objects.filter(invoice=issued).values_list("pk", "label", "net_amount")) == frozen_lines
        )
        assert not Invoice.objects.filter(client=billing_firm.helios, status="draft").exists()
        lines = list(InvoiceLine.objects.filter(timesheet_line__timesheet__month=OCTOBER))
        assert {line.invoice_id for line in lines} == {issued.pk}


def test_reopening_an_approved_timesheet_removes_its_lines_then_the_draft_with_only_generated_lines(billing_firm):
    billing_firm.build()
    helios_id = billing_firm.draft_of(billing_firm.helios).pk
    # given bob's timesheet back to draft
    with tenant_context(billing_firm.tenant):
        Timesheet.objects.filter(pk=billing_firm.timesheets["bob"].pk).update(status=TimesheetStatus.DRAFT)
    billing_firm.build()
    # then only Chloé's 18 days remain on the same draft
    helios = billing_firm.draft_of(billing_firm.helios)
    assert helios.pk == helios_id
    assert helios.total_net == Decimal("12960.00")
    with tenant_context(billing_firm.tenant):
        assert list(helios.lines.values_list("assignment_id", flat=True)) == [billing_firm.chloe_assignment.pk]
        # given Chloé's reopened too: the draft had only generated lines, it goes
        Timesheet.objects.filter(pk=billing_firm.timesheets["chloe"].pk).update(status=TimesheetStatus.DRAFT)
    run = billing_firm.build()
    with tenant_context(billing_firm.tenant):
        assert not Invoice.objects.filter(pk=helios_id).exists()
        assert not InvoiceLine.objects.filter(invoice_id=helios_id).exists()
    assert run.removed_count == 1


def test_a_chunk_killed_in_the_middle_leaves_nothing_and_a_resume_completes_it(billing_firm, monkeypatch):
    real = runs.build_deals

    def dies_after_writing(month, deal_ids, run=None):
        real(month, deal_ids, run)
        raise RuntimeError("worker killed")

    with tenant_context(billing_firm.tenant):
        run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        (chunk,) = run.chunks.all()
        monkeypatch.setattr(runs, "build_deals", dies_after_writing)
        with pytest.raises(RuntimeError):
            runs.chunk_build(chunk.pk)
        # then nothing half-written: no pre-invoice, chunk pending, run not done
        assert Invoice.objects.count() == 0
        assert InvoiceLine.objects.count() == 0
        chunk.refresh_from_db()
        run.refresh_from_db()
        assert (chunk.status, run.status, run.chunks_done) == ("pending", "running", 0)
        # the task's last retry marks it failed
        runs.chunk_failed(chunk.pk, "RuntimeError: worker killed", final=True)
        chunk.refresh_from_db()
        run.refresh_from_db()
        assert (chunk.status, run.status) == ("failed", "failed")
        # when resumed (the worker works again)
        monkeypatch.setattr(runs, "build_deals", real)
        dispatched = []
        monkeypatch.setattr(runs, "_dispatch", lambda r, ids: dispatched.extend(ids))
        resumed = runs.run_resume(actor=billing_firm.adv.membership, run=run)
        assert resumed.pk == run.pk and dispatched == [chunk.pk]
        for chunk_id in dispatched:
            assert runs.chunk_build(chunk_id) == "built"
        run.refresh_from_db()
        assert (run.status, run.chunks_done) == ("done", 1)
        assert Invoice.objects.count() == 3
        assert BillingRun.objects.count() == 1
    assert len({row[1] for row in _state(billing_firm)}) == 3


def test_two_builds_of_the_same_chunk_build_once(billing_firm):
    with tenant_context(billing_firm.tenant):
        run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        (chunk,) = run.chunks.all()
        assert runs.chunk_build(chunk.pk) == "built"
        assert runs.chunk_build(chunk.pk) == "done"
        run.refresh_from_db()
        chunk.refresh_from_db()
        assert (run.chunks_done, run.created_count, run.updated_count, chunk.attempts) == (1, 3, 0, 1)
        assert Invoice.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_chunk_locked_by_another_worker_is_left_to_it(billing_firm, monkeypatch):
    """A second worker's SELECT ... FOR UPDATE SKIP LOCKED finds nothing: it reports busy, builds nothing."""
    monkeypatch.setattr(runs, "_dispatch", lambda run, ids: None)  # the workers are this test's threads
    with tenant_context(billing_firm.tenant):
        with transaction.atomic():
            run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
            chunk_id = run.chunks.get().pk
    locked, release, outcome = threading.Event(), threading.Event(), {}

    def first_worker():
        try:
            with tenant_context(billing_firm.tenant), transaction.atomic():
                BillingRunChunk.objects.select_for_update().get(pk=chunk_id)
                locked.set()
                release.wait(30)
                outcome["first"] = runs.chunk_build(chunk_id)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    try:
        assert locked.wait(30)
        with tenant_context(billing_firm.tenant):
            assert runs.chunk_build(chunk_id) == "busy"
            assert Invoice.objects.count() == 0
    finally:
        release.set()
        worker.join(60)
    assert outcome == {"first": "built"}
    with tenant_context(billing_firm.tenant):
        assert runs.chunk_build(chunk_id) == "done"
        assert Invoice.objects.count() == 3
        run.refresh_from_db()
        assert (run.status, run.chunks_done) == ("done", 1)


def test_chunks_split_the_deals_and_progress_counts_chunks_done(billing_firm, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_SIZE", 1)
    with tenant_context(billing_firm.tenant):
        run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        chunks = list(run.chunks.order_by("index"))
        assert run.chunk_count == 3
        assert [len(c.deal_ids) for c in chunks] == [1, 1, 1]
        assert {d for c in chunks for d in c.deal_ids} == {
            str(billing_firm.tm_deal.pk),
            str(billing_firm.fixed_deal.pk),
            str(billing_firm.subscription_deal.pk),
        }
        runs.chunk_build(chunks[0].pk)
        run.refresh_from_db()
        assert (run.status, run.chunks_done, run.progress) == ("running", 1, 33)
        assert Invoice.objects.count() == 1
        for chunk in chunks[1:]:
            runs.chunk_build(chunk.pk)
        run.refresh_from_db()
        assert (run.status, run.chunks_done, run.progress) == ("done", 3, 100)
        assert run.finished_at is not None
        assert Invoice.objects.count() == 3


def test_starting_while_a_run_is_running_resumes_it(billing_firm, monkeypatch):
    dispatched = []
    monkeypatch.setattr(runs, "_dispatch", lambda r, ids: dispatched.append(list(ids)))
    with tenant_context(billing_firm.tenant):
        first = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        second = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        assert second.pk == first.pk
        assert BillingRun.objects.count() == 1
        assert BillingRunChunk.objects.count() == 1
        chunk_id = first.chunks.get().pk
        assert dispatched == [[chunk_id], [chunk_id]]


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_run_start_dispatches_its_chunks_to_celery_on_commit(
    billing_firm, eager_celery, django_capture_on_commit_callbacks
):
    with tenant_context(billing_firm.tenant):
        with django_capture_on_commit_callbacks(execute=False) as pending:
            run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        # nothing is built before commit
        assert len(pending) == 1
        assert Invoice.objects.count() == 0
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        run.refresh_from_db()
        assert (run.status, run.chunks_done) == ("done", 1)
        assert Invoice.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_build_two_chunks_of_the_same_run_at_the_same_time(billing_firm, monkeypatch):
    """Each worker (a thread with its own database connection) locks only its chunk, never the run
    they share: the second builds its chunk while the first still holds its own."""
    monkeypatch.setattr(runs, "CHUNK_SIZE", 1)
    monkeypatch.setattr(runs, "_dispatch", lambda run, ids: None)  # the workers are this test's threads
    with tenant_context(billing_firm.tenant), transaction.atomic():
        run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        first_id, second_id, third_id = run.chunks.order_by("index").values_list("pk", flat=True)
    real = runs.build_deals
    building, release, outcome = threading.Event(), threading.Event(), {}

    def slow_build(month, deal_ids, run=None):
        stats = real(month, deal_ids, run)
        if threading.current_thread().name == "first-worker":
            building.set()
            release.wait(30)
        return stats

    monkeypatch.setattr(runs, "build_deals", slow_build)

    def first_worker():
        try:
            with tenant_context(billing_firm.tenant):
                outcome["first"] = runs.chunk_build(first_id)
        finally:
            connection.close()

    def second_worker():
        try:
            with tenant_context(billing_firm.tenant):
                outcome["second"] = runs.chunk_build(second_id)
        finally:
            connection.close()

    first = threading.Thread(target=first_worker, name="first-worker")
    first.start()
    try:
        assert building.wait(30)
        # when a second worker takes another chunk while the first is in the middle of its own
        second = threading.Thread(target=second_worker, name="second-worker")
        second.start()
        # then it builds it (it may only wait for the first to commit to count its chunk done)
        deadline = time.monotonic() + 5
        while "second" not in outcome and time.monotonic() < deadline and second.is_alive():
            with tenant_context(billing_firm.tenant):
                if BillingRunChunk.objects.filter(pk=second_id, status="done").exists():
                    break
            time.sleep(0.05)
    finally:
        release.set()
        first.join(60)
        second.join(60)
    assert outcome == {"first": "built", "second": "built"}
    with tenant_context(billing_firm.tenant):
        assert runs.chunk_build(third_id) == "built"
        run.refresh_from_db()
        assert (run.status, run.chunks_done) == ("done", 3)
        assert Invoice.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_busy_chunk_is_retried_by_its_task_never_dropped(billing_firm, monkeypatch):
    """While another worker holds the chunk, the task asks Celery to try again later (with backoff)."""
    from billing.tasks import build_chunk

    monkeypatch.setattr(runs, "_dispatch", lambda run, ids: None)
    with tenant_context(billing_firm.tenant), transaction.atomic():
        run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
        chunk_id = run.chunks.get().pk
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with tenant_context(billing_firm.tenant), transaction.atomic():
                BillingRunChunk.objects.select_for_update().get(pk=chunk_id)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    retried = []

    def fake_retry(*args, **kwargs):
        retried.append(kwargs)
        raise Retry()

    monkeypatch.setattr(build_chunk, "retry", fake_retry)
    worker = threading.Thread(target=other_worker)
    worker.start()
    try:
        assert locked.wait(30)
        # when the chunk's task runs while another worker holds the chunk
        with pytest.raises(Retry):
            build_chunk.run(str(billing_firm.tenant.pk), str(chunk_id))
    finally:
        release.set()
        worker.join(60)
    # then it is retried later, with a delay, and the chunk is neither failed nor counted
    assert len(retried) == 1 and retried[0]["countdown"] > 0
    with tenant_context(billing_firm.tenant):
        assert BillingRunChunk.objects.get(pk=chunk_id).status == "pending"
    # and the retry builds it
    assert build_chunk.run(str(billing_firm.tenant.pk), str(chunk_id)) == "built"
    with tenant_context(billing_firm.tenant):
        run.refresh_from_db()
        assert (run.status, run.chunks_done) == ("done", 1)
