"""Invitations page: list by status, invite, revoke."""

from datetime import timedelta

import pytest
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.models import Invitation, Membership

pytestmark = pytest.mark.django_db


def _invitations(tenant):
    with tenant_context(tenant):
        return list(Invitation.objects.order_by("created_at"))


def test_admin_invites_a_colleague(alice, bob):
    with tenant_context(alice.tenant):
        Membership.objects.filter(pk=bob.membership.pk).update(role="manager")  # a manager approves timesheets
    # when alice invites a sales person reporting to bob
    response = alice.client().post(
        alice.url("invitations/"),
        {"email": "Dana@Alpha.test", "role": "sales", "clearance_level": "2", "reports_to": str(bob.membership.pk)},
    )
    # then the invitation exists, pending, and she is told
    assert response.status_code == 302
    [invitation] = _invitations(alice.tenant)
    assert (invitation.email, invitation.role, invitation.clearance_level) == ("dana@alpha.test", "sales", 2)
    assert invitation.reports_to_id == bob.membership.pk
    assert invitation.status == "pending"
    page = alice.client().get(response["Location"]).content.decode()
    assert "dana@alpha.test" in page


def test_a_consultant_is_not_accepted_as_a_manager(alice, bob):
    # bob is a consultant: the manager picker neither suggests nor accepts him
    response = alice.client().post(
        alice.url("invitations/"),
        {"email": "Dana@Alpha.test", "role": "sales", "clearance_level": "2", "reports_to": str(bob.membership.pk)},
    )
    assert response.status_code == 400 and _invitations(alice.tenant) == []


def test_inviting_an_existing_member_shows_the_error_on_the_email_field(alice, bob):
    response = alice.client().post(
        alice.url("invitations/"), {"email": "bob@alpha.test", "role": "sales", "clearance_level": "1"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "déjà membre" in body and "is-invalid" in body
    assert _invitations(alice.tenant) == []


def test_invalid_email_is_refused_in_french(alice):
    response = alice.client().post(alice.url("invitations/"), {"email": "pas-une-adresse", "role": "sales", "clearance_level": "1"})
    assert response.status_code == 400
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    assert _invitations(alice.tenant) == []


def test_admin_revokes_a_pending_invitation(alice):
    alice.client().post(alice.url("invitations/"), {"email": "eve@alpha.test", "role": "consultant", "clearance_level": "1"})
    [invitation] = _invitations(alice.tenant)
    # when alice revokes it
    response = alice.client().post(alice.url(f"invitations/{invitation.pk}/revoke/"))
    # then it is revoked and listed as such
    assert response.status_code == 302
    [invitation] = _invitations(alice.tenant)
    assert invitation.status == "revoked"
    body = alice.client().get(alice.url("invitations/"), {"status": "revoked"}).content.decode()
    assert 'data-status="revoked"' in body and "eve@alpha.test" in body


def test_status_tabs_separate_pending_expired_and_accepted(alice):
    with tenant_context(alice.tenant):
        for email, delta, accepted in (("p@a.test", 3, None), ("x@a.test", -1, None), ("a@a.test", 3, timezone.now())):
            Invitation.objects.create(
                email=email, role="consultant", key_hash=f"{email:0<64}"[:64],
                expires_at=timezone.now() + timedelta(days=delta), accepted_at=accepted,
            )
    client = alice.client()
    for status, email in (("pending", "p@a.test"), ("expired", "x@a.test"), ("accepted", "a@a.test")):
        body = client.get(alice.url("invitations/"), {"status": status}).content.decode()
        assert body.count('data-testid="invitation-row"') == 1, status
        assert email in body


def test_bob_cannot_revoke_and_carol_gets_404(alice, bob, carol):
    alice.client().post(alice.url("invitations/"), {"email": "eve@alpha.test", "role": "consultant", "clearance_level": "1"})
    [invitation] = _invitations(alice.tenant)
    assert bob.client().post(bob.url(f"invitations/{invitation.pk}/revoke/")).status_code == 403
    assert carol.client().post(alice.url(f"invitations/{invitation.pk}/revoke/")).status_code == 404
    assert carol.client().post(carol.url(f"invitations/{invitation.pk}/revoke/")).status_code == 404
    [invitation] = _invitations(alice.tenant)
    assert invitation.status == "pending"
