"""The reminder ledger: `claim()` says whether this call recorded a step, once per key."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from adv.tenancy.context import tenant_context
from notifications.ledger import claim, claim_many
from notifications.models import ReminderSent

KEY = {"kind": "tests.chase", "subject": "deal-1", "step": "2026-05"}


def test_the_first_claim_of_a_step_wins_and_the_second_loses(alice):
    with tenant_context(alice.tenant):
        # given a step claimed for alice
        first = claim(**KEY, recipient=alice.membership)
        # when the same step is claimed again
        second = claim(**KEY, recipient=alice.membership)
        rows = ReminderSent.objects.count()
    # then only the first claim may send, and one row records it
    assert (first, second) == (True, False)
    assert rows == 1


def test_other_periods_subjects_kinds_and_recipients_are_claimed_independently(alice, bob):
    with tenant_context(alice.tenant):
        assert claim(**KEY, recipient=alice.membership)
        assert claim(**{**KEY, "step": "2026-06"}, recipient=alice.membership)  # next period
        assert claim(**{**KEY, "subject": "deal-2"}, recipient=alice.membership)
        assert claim(**{**KEY, "kind": "tests.escalation"}, recipient=alice.membership)
        assert claim(**KEY, recipient=bob.membership)
        assert not claim(**{**KEY, "step": "2026-06"}, recipient=alice.membership)
        assert ReminderSent.objects.count() == 5


def test_claim_many_returns_only_the_recipients_claimed_by_this_call(alice, bob):
    with tenant_context(alice.tenant):
        claim(**KEY, recipient=alice.membership, template_key="tests.message", sent_by=bob.membership)
        won = claim_many(**KEY, recipients=[alice.membership, bob.membership.pk])
        row = ReminderSent.objects.get(recipient=alice.membership)
    assert won == {bob.membership.pk}
    # the row says who sent what, when
    assert (row.template_key, row.sent_by_id, row.details) == ("tests.message", bob.membership.pk, [])
    assert row.sent_at is not None


def test_the_same_key_in_another_firm_is_another_step(alice, carol):
    with tenant_context(alice.tenant):
        assert claim(**KEY, recipient=alice.membership)
    with tenant_context(carol.tenant):
        assert claim(**KEY, recipient=carol.membership)
        assert ReminderSent.objects.count() == 1  # carol's firm sees its own row only


def test_a_real_error_is_raised_not_taken_for_an_earlier_claim(alice):
    # a recipient that does not exist is a bug: the claim fails loudly instead of answering "already sent"
    with tenant_context(alice.tenant):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys are checked at commit otherwise
        with pytest.raises(IntegrityError), transaction.atomic():
            claim(**KEY, recipient=uuid.uuid4())
        assert not ReminderSent.objects.exists()


def test_a_claim_needs_a_kind_and_a_step(alice):
    with tenant_context(alice.tenant), pytest.raises(ValueError):
        claim(kind="", step="", recipient=alice.membership)


@pytest.mark.django_db(transaction=True)
def test_two_connections_claiming_at_once_get_exactly_one_true(alice):
    """Two transactions on two connections claim the same step: the second waits for the first
    to commit, then gets False."""
    barrier, results = threading.Barrier(2), {}
    first_claimed, release = threading.Event(), threading.Event()

    def worker(name: str) -> None:
        try:
            with tenant_context(alice.tenant):
                barrier.wait(10)
                if name == "second":
                    first_claimed.wait(10)
                results[name] = claim(**KEY, recipient=alice.membership)
                if name == "first":  # keep the first transaction open while the second one claims
                    first_claimed.set()
                    release.wait(2)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    threads[1].join(1)
    assert threads[1].is_alive()  # blocked on the first transaction's uncommitted row
    release.set()
    for thread in threads:
        thread.join(10)
    assert sorted(results.values()) == [False, True]
    assert results["first"] is True
    with tenant_context(alice.tenant):
        assert ReminderSent.objects.count() == 1
