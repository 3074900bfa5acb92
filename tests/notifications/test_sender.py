"""Emails speak for the firm: its name as the sender, replies to its billing contact."""

import pytest
from django.core import mail

from adv.tenancy.context import tenant_context
from notifications import services

pytestmark = pytest.mark.django_db


def send(tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(tenant):
        services.email_enqueue(
            to=["client@example.test"], template_key="invitation",
            context={"inviter_name": "Alice", "role": "Consultant", "link": "https://adv.test/i/abc", "expires_on": "31/01/2026"},
        )
    return mail.outbox[-1]


def test_the_sender_is_the_firm_and_replies_go_to_its_billing_contact(tenant_a, settings, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "adv <no-reply@adv.localhost>"
    tenant_a.name = "Alpha Conseil"
    tenant_a.billing_email = "facturation@alpha.test"
    tenant_a.save(update_fields=["name", "billing_email"])
    message = send(tenant_a, django_capture_on_commit_callbacks)
    assert message.from_email == "Alpha Conseil <no-reply@adv.localhost>"
    assert message.reply_to == ["facturation@alpha.test"]
    assert "Alpha Conseil <no-reply@adv.localhost>" in message.message()["From"]


def test_without_a_billing_contact_there_is_no_reply_to(tenant_a, settings, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "adv <no-reply@adv.localhost>"
    tenant_a.name = "Société Générale d'Études, S.A."
    tenant_a.save(update_fields=["name"])
    message = send(tenant_a, django_capture_on_commit_callbacks)
    assert message.reply_to == []
    assert "no-reply@adv.localhost" in message.from_email and "adv <" not in message.from_email
    assert "Société Générale" in str(message.message()["From"]) or "=?utf-8?" in str(message.message()["From"])
