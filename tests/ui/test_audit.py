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
    # then the newest event is bob's membership change, by alice, with old and new values
    first_row = body.split('data-testid="audit-row"')[1]
    assert "Bob" in first_row
    assert 'data-testid="audit-actor">Alice' in first_row
    assert "Consultant" in first_row and "Manager" in first_row
    assert "1 – Tous" in first_row and "2 – Interne" in first_row
    assert f"/t/alpha/members/{bob.membership.pk}/" in first_row


def test_audit_shows_firm_changes_but_nothing_from_another_firm(alice, carol):
    carol.client().post(carol.url("settings/"), {"name": "Bravo Renamed", "legal_name": "Bravo SAS", "country": "FR",
                                                 "payment_terms_days": "30", "time_zone": "Europe/Paris", "language": "fr"})
    body = alice.client().get(alice.url("audit/")).content.decode()
    assert "Bravo" not in body
    assert "carol@bravo.test" not in body and "Carol" not in body
