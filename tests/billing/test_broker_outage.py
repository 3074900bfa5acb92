"""With the broker (Redis) unreachable, an action that committed does not fail after the fact: the
task it queues after commit is logged as not queued (adv/broker.py), and the answer is a success.
Raising there answered a 500 (or a 503 inviting a retry) for a change already made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from adv.tenancy.context import tenant_context
from billing import runs
from billing.models import BillingRun, Invoice
from billing.rendering import STALLED_AFTER
from billing.tasks import build_chunk, refresh_drafts, refresh_month_expected, render_invoice, render_sweep
from clients.models import Client
from tests.api.conftest import bearer_client, make_token
from tests.billing.support import OCTOBER

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (refresh_drafts, refresh_month_expected, render_invoice, build_chunk):
        monkeypatch.setattr(task, "apply_async", refuse)


def test_a_client_change_that_refreshes_drafts_answers_200_while_the_broker_is_down(
    billing_firm, broker_down, django_capture_on_commit_callbacks, caplog
):
    billing_firm.build()
    _token, raw = make_token(billing_firm.alice)
    # when the integration changes a client whose pre-invoice reads it, with the broker down
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = bearer_client(raw).patch(
            f"/api/v1/clients/{billing_firm.helios.pk}/", {"notes": "Pendant la panne"}, content_type="application/json"
        )
    # then the change is made and answered, the refresh not queued is logged
    assert response.status_code == 200, response.content
    assert callbacks, "the change scheduled no refresh: the test would prove nothing"
    with tenant_context(billing_firm.tenant):
        assert Client.objects.get(pk=billing_firm.helios.pk).notes == "Pendant la panne"
    assert "Broker unreachable: billing.tasks.refresh_drafts not queued" in caplog.text


def test_issuing_while_the_broker_is_down_issues_and_leaves_the_render_pending(
    billing_firm, broker_down, django_capture_on_commit_callbacks, caplog
):
    billing_firm.build()
    billing_firm.attach_missing_pv()
    draft = billing_firm.draft_of(billing_firm.helios)
    with django_capture_on_commit_callbacks(execute=True):
        result = billing_firm.issue([draft])
    assert [invoice.pk for invoice in result.issued] == [draft.pk]
    with tenant_context(billing_firm.tenant):
        draft.refresh_from_db()
    assert draft.number and draft.render_status == "pending"
    assert "billing.tasks.render_invoice not queued" in caplog.text


def test_the_render_sweep_queues_again_a_render_lost_in_the_outage_once_it_has_stalled(
    billing_firm, broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    # given an invoice issued while the broker was down (its render never queued)
    billing_firm.build()
    with django_capture_on_commit_callbacks(execute=True):
        lost = billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0]
    queued = []
    monkeypatch.setattr(render_invoice, "apply_async", lambda args, **kwargs: queued.append(args))
    tenant_id = str(billing_firm.tenant.pk)
    # when the sweep runs before STALLED_AFTER: nothing (its task may still be in the queue)
    assert render_sweep.run(tenant_id) == 0
    # and once it has stalled (the broker back): it is queued again, once per sweep
    with tenant_context(billing_firm.tenant):
        Invoice.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - STALLED_AFTER - timedelta(seconds=1))
    assert render_sweep.run(tenant_id) == 1
    assert queued == [[tenant_id, str(lost.pk)]]
    # and rendered, it is no longer swept
    billing_firm.render(lost)
    assert render_sweep.run(tenant_id) == 0


def test_starting_the_run_while_the_broker_is_down_leaves_its_chunks_for_resume(
    billing_firm, broker_down, django_capture_on_commit_callbacks
):
    with tenant_context(billing_firm.tenant), django_capture_on_commit_callbacks(execute=True):
        run = runs.run_start(actor=billing_firm.adv.membership, month=OCTOBER)
    with tenant_context(billing_firm.tenant):
        run = BillingRun.objects.get(pk=run.pk)
        assert run.status == "running" and run.chunks.filter(status="pending").count() == run.chunk_count > 0
