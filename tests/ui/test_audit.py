"""Audit page: pghistory events of the firm, with their actor and a readable diff."""

import pytest

pytestmark = pytest.mark.django_db


def test_audit_lists_a_membership_change_with_its_actor(alice, bob, carol):
    client = alice.client()
    # given alice promotes bob through the members page
    client.post(
        alice.url(f"members/{bob.membership.pk}/"),
        {"role": "manager", "clearance_level": "2", "reports_to": "", "is_active": "on"},
    )
    # when she opens the audit page
    response = client.get(alice.url("audit/"))
    assert response.status_code == 200
    body = response.content.decode()
    # then bob's membership change is listed, by alice, with old and new values (found by its
    # content: in one test transaction every event has the same NOW(), so their order is a tie)
    [change_row] = [row for row in body.split('data-testid="audit-row"')[1:] if "2 – Interne" in row]
    assert "Bob" in change_row
    assert 'data-testid="audit-actor">Alice' in change_row
    assert "Consultant" in change_row and "Manager" in change_row
    assert "1 – Tous" in change_row and "2 – Interne" in change_row
    assert f"/t/alpha/members/{bob.membership.pk}/" in change_row


def test_audit_shows_firm_changes_but_nothing_from_another_firm(alice, carol):
    carol.client().post(carol.url("settings/"), {"name": "Bravo Renamed", "legal_name": "Bravo SAS", "country": "FR",
                                                 "payment_terms_days": "30", "time_zone": "Europe/Paris", "language": "fr"})
    body = alice.client().get(alice.url("audit/")).content.decode()
    assert "Bravo" not in body
    assert "carol@bravo.test" not in body and "Carol" not in body


def test_a_save_that_changes_nothing_is_not_an_audit_event(alice, bob):
    from django.apps import apps
    from django.contrib.auth import get_user_model

    from adv.tenancy.context import tenant_context
    from adv.tenancy.models import Membership, Tenant

    tenant_events = apps.get_model("tenancy", "TenantEvent").objects
    user_events = apps.get_model("users", "UserEvent").objects
    with tenant_context(alice.tenant):
        membership_events = apps.get_model("tenancy", "MembershipEvent").objects
        before = (tenant_events.count(), membership_events.count(), user_events.count())
        # when the firm, bob's membership and his account are saved unchanged (updated_at moves)
        Tenant.objects.get(pk=alice.tenant.pk).save()
        Membership.objects.get(pk=bob.membership.pk).save()
        get_user_model().objects.get(pk=bob.user.pk).save()
        # then the audit trail records nothing
        assert (tenant_events.count(), membership_events.count(), user_events.count()) == before
        # but a real change is recorded
        Membership.objects.filter(pk=bob.membership.pk).update(role="manager")
        assert membership_events.count() == before[1] + 1


def test_audit_events_carry_the_actor_and_the_tenant(alice, bob):
    from django.apps import apps

    from adv.tenancy.context import tenant_context

    alice.client().post(
        alice.url(f"members/{bob.membership.pk}/"),
        {"role": "manager", "clearance_level": "2", "reports_to": "", "is_active": "on"},
    )
    with tenant_context(alice.tenant):
        event = apps.get_model("tenancy", "MembershipEvent").objects.filter(pgh_label="update").latest("pgh_id")
        context = event.pgh_context.metadata
    assert context["tenant"] == str(alice.tenant.pk)
    assert context["user"] == str(alice.user.pk)
