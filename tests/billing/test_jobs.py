"""Bulk issue and send in the background (billing/jobs.py): batches numbered in order under the counter
lock, a retried task that issues nothing twice, progress pushed over the live channel after each
batch, and two worker processes sharing jobs without gap nor duplicate."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from billing import jobs, services
from billing.models import BillingJob, Invoice, NumberCounter
from notifications import live
from tests.billing.support import ISSUE_DATE
from tests.billing.test_numbering import _child_env, _ready_drafts, _stderr


def numbers_of(firm, ids) -> list[int]:
    with tenant_context(firm.tenant):
        rows = Invoice.objects.filter(pk__in=ids, number__isnull=False).values_list("pk", "number")
        by_id = {str(pk): int(number.rsplit("-", 1)[1]) for pk, number in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def start(firm, ids, **kwargs) -> BillingJob:
    with tenant_context(firm.tenant):
        return jobs.job_issue_start(actor=firm.adv.membership, invoice_ids=ids, issue_date=ISSUE_DATE, **kwargs)


@pytest.mark.django_db
def test_a_job_issues_batch_after_batch_in_its_order_without_gap(billing_firm, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH_SIZE", 4)
    ids = _ready_drafts(billing_firm, 10)
    job = start(billing_firm, list(reversed(ids)))
    # the request's part wrote the job and issued nothing
    assert job.status == "running" and job.total == 10 and numbers_of(billing_firm, ids) == []
    with tenant_context(billing_firm.tenant):
        assert jobs.job_step(job.pk) == "more"
        job.refresh_from_db()
        # one batch: the first 4 of the job's order, numbered 1..4
        assert job.position == 4 and job.done_count == 4
        assert numbers_of(billing_firm, job.invoice_ids[:4]) == [1, 2, 3, 4]
        job = jobs.job_run_now(job)
    assert job.status == "done" and job.done_count == 10 and job.failed_count == 0 and job.progress == 100
    # numbers follow the job's order (the issue order: client, then age), 1..10
    assert job.succeeded == job.invoice_ids
    assert numbers_of(billing_firm, job.succeeded) == list(range(1, 11))


@pytest.mark.django_db
def test_a_retried_task_resumes_after_the_last_batch_and_issues_nothing_twice(billing_firm, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH_SIZE", 3)
    ids = _ready_drafts(billing_firm, 8)
    job = start(billing_firm, ids)
    calls = []
    original = services.invoices_issue

    def dies_on_the_second_batch(**kwargs):
        calls.append(kwargs["invoice_ids"])
        result = original(**kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker lost")  # after the numbers were taken: the batch rolls back
        return result

    monkeypatch.setattr(services, "invoices_issue", dies_on_the_second_batch)
    with tenant_context(billing_firm.tenant), pytest.raises(RuntimeError):
        jobs.job_run(job.pk)
    with tenant_context(billing_firm.tenant):
        job.refresh_from_db()
        assert job.position == 3 and job.status == "running"
        assert NumberCounter.objects.get(series="invoice").last_number == 3
        # the task is retried: it goes on from the fourth, and a duplicate delivery afterwards changes nothing
        assert jobs.job_run(job.pk) == "done"
        assert jobs.job_run(job.pk) == "done"
        job.refresh_from_db()
        last = NumberCounter.objects.get(series="invoice").last_number
    assert calls[1] == calls[2] == job.invoice_ids[3:6]
    assert job.done_count == 8 and len(set(job.succeeded)) == 8 and job.errors == {}
    assert last == 8 and numbers_of(billing_firm, job.succeeded) == list(range(1, 9))


@pytest.mark.django_db
def test_each_batch_pushes_the_progress_to_the_creator_over_the_live_channel(
    billing_firm, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(jobs, "BATCH_SIZE", 2)
    pushed = []
    monkeypatch.setattr(live, "push_page_event", lambda tenant_id, user_id, payload: pushed.append((user_id, payload)))
    ids = _ready_drafts(billing_firm, 5)
    job = start(billing_firm, ids)
    with tenant_context(billing_firm.tenant), django_capture_on_commit_callbacks(execute=True):
        jobs.job_run(job.pk)
    assert {user for user, _payload in pushed} == {billing_firm.adv.user.pk}
    progress = [(p["done"], p["status"]) for _user, p in pushed if p["kind"] == "billing.job"]
    assert progress == [(2, "running"), (4, "running"), (5, "done")]
    assert all(p["job"] == str(job.pk) and p["total"] == 5 for _user, p in pushed)


@pytest.mark.django_db
def test_refused_pre_invoices_are_listed_with_their_reasons_and_the_others_issued(billing_firm):
    billing_firm.build()
    drafts = billing_firm.drafts()
    job = start(billing_firm, [d.pk for d in drafts])
    with tenant_context(billing_firm.tenant):
        job = jobs.job_run_now(job)
    orion = billing_firm.draft_of(billing_firm.orion)
    assert job.done_count == 2 and job.failed_count == 1
    assert list(job.errors) == [str(orion.pk)] and "PV de recette manquant" in " ".join(job.errors[str(orion.pk)])


@pytest.mark.django_db
def test_a_date_before_the_series_last_invoice_is_refused_at_once(billing_firm):
    ids = _ready_drafts(billing_firm, 2)
    billing_firm.issue([Invoice(pk=ids[0])])
    with tenant_context(billing_firm.tenant), pytest.raises(DomainError) as raised:
        jobs.job_issue_start(
            actor=billing_firm.adv.membership, invoice_ids=ids[1:], issue_date=ISSUE_DATE.replace(day=1)
        )
    assert raised.value.code == "issue_date_before_last"
    with tenant_context(billing_firm.tenant):
        assert not BillingJob.objects.exists()


@pytest.mark.django_db
def test_a_send_job_waits_for_pdfs_still_rendering(billing_firm):
    billing_firm.build()
    helios = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    with tenant_context(billing_firm.tenant):
        job = jobs.job_send_start(actor=billing_firm.adv.membership, invoice_ids=[helios.pk])
        # the PDF is not rendered yet: the task will try again, nothing is refused
        assert jobs.job_run(job.pk) == "wait"
        job.refresh_from_db()
        assert (job.waits, job.position, job.failed_count) == (1, 0, 0)
    billing_firm.render(helios)
    with tenant_context(billing_firm.tenant):
        job = jobs.job_run_now(job)
        status = Invoice.objects.get(pk=helios.pk).status
    assert job.status == "done" and job.succeeded == [str(helios.pk)] and status == "sent"


# --- Two worker processes -------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import django
    django.setup()
    from adv.tenancy.context import tenant_context
    from billing import jobs
    from billing.services import issuing

    issuing.renders_schedule = lambda ids: None  # no broker: rendering is not under test here
    jobs.push_page_event_on_commit = lambda user_id, payload: None
    jobs.BATCH_SIZE = 5
    tenant_id, sync, job_ids = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    (sync / f"ready-{job_ids[0]}").touch()
    deadline = time.monotonic() + 120
    while not (sync / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    outcomes = []
    for job_id in job_ids:
        while time.monotonic() < deadline:
            with tenant_context(tenant_id):
                outcome = jobs.job_run(job_id)
            outcomes.append(outcome)
            if outcome == "done":
                break
            time.sleep(0.02)  # busy: the other process holds this job's batch
    print(json.dumps(outcomes))
    """
)


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_two_jobs_without_gap_nor_double_issue(billing_firm, tmp_path):
    firm = billing_firm
    ids = _ready_drafts(firm, 80)
    first, second = start(firm, ids[:40]), start(firm, ids[40:])
    sync = tmp_path / "sync"
    sync.mkdir()
    children = []
    # each process works on both jobs, in opposite orders: they meet on each job's row lock
    for index, order in enumerate([(first, second), (second, first)]):
        with open(sync / f"out-{index}", "w") as out, open(sync / f"err-{index}", "w") as err:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-c", WORKER, str(firm.tenant.pk), str(sync), *(str(j.pk) for j in order)],
                    stdout=out,
                    stderr=err,
                    env=_child_env(),
                    cwd=settings.BASE_DIR,
                )
            )
    try:
        deadline = time.monotonic() + 90
        while len(list(sync.glob("ready-*"))) < 2 and time.monotonic() < deadline:
            assert all(child.poll() is None for child in children), _stderr(sync)
            time.sleep(0.05)
        (sync / "go").touch()
        for child in children:
            assert child.wait(timeout=180) == 0, _stderr(sync)
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    with tenant_context(firm.tenant):
        first.refresh_from_db()
        second.refresh_from_db()
        last = NumberCounter.objects.get(series="invoice", year=2026).last_number
    assert (first.status, second.status) == ("done", "done")
    assert first.done_count == second.done_count == 40 and first.errors == second.errors == {}
    # every invoice issued once, numbers 1..80 without gap, each job's numbers in its own order
    assert sorted(first.succeeded + second.succeeded) == sorted(ids)
    numbers = numbers_of(firm, first.succeeded) + numbers_of(firm, second.succeeded)
    assert sorted(numbers) == list(range(1, 81)) and last == 80
    for job in (first, second):
        assert numbers_of(firm, job.succeeded) == sorted(numbers_of(firm, job.succeeded))
