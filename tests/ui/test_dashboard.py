"""The dashboard shows real figures of the firm."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Invitation

pytestmark = pytest.mark.django_db


def _stat(body: str, test_id: str) -> int:
    match = re.search(rf'data-testid="{test_id}".*?adv-stat-value">(\d+)<', body, re.S)
    assert match, f"no {test_id} figure"
    return int(match[1])


def _invite(tenant, email, *, expires_in_days=7, **fields):
    with tenant_context(tenant):
        return Invitation.objects.create(
            email=email, role="consultant", key_hash=f"{email:0<64}"[:64],
            expires_at=timezone.now() + timedelta(days=expires_in_days), **fields,
        )


def test_member_and_invitation_counts_follow_the_data(alice, bob, carol, add_members):
    client = alice.client()
    # given alice and bob in alpha (carol's firm does not count)
    body = client.get(alice.url("")).content.decode()
    assert _stat(body, "stat-members") == 2
    assert _stat(body, "stat-pending-invitations") == 0
    assert _stat(body, "stat-expired-invitations") == 0

    # when three consultants join, one is deactivated, and invitations are sent
    added = add_members(alice.tenant, 3, role="sales")
    with tenant_context(alice.tenant):
        added[0].is_active = False
        added[0].save()
    _invite(alice.tenant, "new1@alpha.test")
    _invite(alice.tenant, "new2@alpha.test")
    _invite(alice.tenant, "late@alpha.test", expires_in_days=-1)
    _invite(alice.tenant, "gone@alpha.test", revoked_at=timezone.now())

    # then the figures change accordingly
    body = client.get(alice.url("")).content.decode()
    assert _stat(body, "stat-members") == 4
    assert _stat(body, "stat-inactive-members") == 1
    assert _stat(body, "stat-pending-invitations") == 2
    assert _stat(body, "stat-expired-invitations") == 1
    assert 'data-role="sales"' in body


def test_consultant_sees_the_team_size_but_no_invitation_figures(alice, bob):
    body = bob.client().get(bob.url("")).content.decode()
    assert _stat(body, "stat-members") == 2
    assert 'data-testid="stat-pending-invitations"' not in body
    assert 'data-testid="stat-my-role"' in body


def test_admin_is_told_which_legal_mentions_are_missing(alice):
    # given a firm without IBAN
    body = alice.client().get(alice.url("")).content.decode()
    assert 'data-testid="identity-checklist"' in body
    assert "IBAN" in body
