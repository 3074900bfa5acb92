"""notify(): one call, per recipient and according to their preferences, writes an in-app
notification, an outbox email and/or a digest item, in the caller's transaction."""

import pytest
from django.core import mail
from django.db import transaction

from adv.tenancy.context import tenant_context
from notifications import services
from notifications.errors import UnknownTemplate
from notifications.models import Notification, NotificationPreference, OutboxEmail
from notifications.selectors import notification_unread_count
from notifications.services import Channels
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def notify(persona, recipients, event, **kwargs):
    with tenant_context(persona.tenant):
        return services.notify(
            recipients=recipients,
            event=event,
            context={"document_name": "Kbis.pdf"},
            actor=kwargs.pop("actor", persona.membership),
            url=kwargs.pop("url", "/t/alpha/clients/1/"),
            **kwargs,
        )


def set_preference(persona, event="", **channels):
    with tenant_context(persona.tenant):
        NotificationPreference.objects.update_or_create(
            user=persona.user, event=event, defaults={"in_app": True, "email": True, "daily_digest": False, **channels}
        )


def test_by_default_a_recipient_gets_an_in_app_notification_and_an_email(alice, bob, event, django_capture_on_commit_callbacks):
    # when alice's action notifies bob
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(alice, [bob.membership], event)
    # then bob has an in-app notification, rendered in his language with the placeholders
    assert notification.recipient == bob.user and notification.in_app and not notification.in_digest
    assert notification.title == "Nouveau document : Kbis.pdf"
    assert f"{alice.user} a déposé Kbis.pdf" in notification.body
    assert "http://" in notification.body or "https://" in notification.body  # absolute link in the text
    assert notification.url == "/t/alpha/clients/1/" and notification.actor == alice.user
    # and one email, sent after commit, linked to the notification
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [bob.user.email]
    with tenant_context(alice.tenant):
        assert OutboxEmail.objects.get().notification_id == notification.id


@pytest.mark.parametrize(
    ("channels", "in_app", "emails", "in_digest"),
    [
        ({"in_app": True, "email": False, "daily_digest": False}, True, 0, False),
        ({"in_app": False, "email": True, "daily_digest": False}, False, 1, False),
        ({"in_app": False, "email": False, "daily_digest": True}, False, 0, True),
        ({"in_app": True, "email": False, "daily_digest": True}, True, 0, True),
    ],
)
def test_general_preference_decides_the_channels(
    alice, bob, event, django_capture_on_commit_callbacks, channels, in_app, emails, in_digest
):
    # given bob's general preference
    set_preference(bob, **channels)
    # when he is notified
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(alice, [bob.membership], event)
    # then only the chosen channels are used
    assert notification.in_app is in_app and notification.in_digest is in_digest
    assert len(mail.outbox) == emails
    with tenant_context(alice.tenant):
        assert notification_unread_count(user=bob.user) == (1 if in_app else 0)


def test_event_preference_overrides_the_general_one(alice, bob, event, django_capture_on_commit_callbacks):
    # given bob wants emails in general, but not for this event
    set_preference(bob, email=True)
    set_preference(bob, event=event, in_app=True, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(alice, [bob.membership], event)
    assert notification.in_app and mail.outbox == []


def test_a_recipient_who_wants_nothing_gets_nothing(alice, bob, event, django_capture_on_commit_callbacks):
    set_preference(bob, in_app=False, email=False, daily_digest=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(alice, [bob.membership], event) == []
    with tenant_context(alice.tenant):
        assert not Notification.objects.exists() and not OutboxEmail.objects.exists()


def test_preferences_page_choices_drive_notify(bob, alice, event, django_capture_on_commit_callbacks):
    # given bob saves "digest only" for this event through the service behind his page
    with tenant_context(bob.tenant):
        services.preferences_update(
            actor=bob.membership,
            general=Channels(in_app=True, email=True, daily_digest=False),
            events={event: Channels(in_app=False, email=False, daily_digest=True)},
        )
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notify(alice, [bob.membership], event)
    assert notification.in_digest and not notification.in_app and mail.outbox == []


def test_actor_inactive_members_and_other_tenants_members_are_not_notified(alice, bob, carol, event):
    # given an inactive member of alice's firm
    with tenant_context(alice.tenant):
        gone = MembershipFactory(user=UserFactory(email="gone@alpha.test"), is_active=False)
    # when alice notifies herself, bob, the inactive member and carol (another firm), by
    # membership or by user, bob twice
    notifications = notify(alice, [alice.membership, bob.membership, bob.user, gone, carol.user, carol.membership], event)
    # then only bob is notified, once
    assert [n.recipient for n in notifications] == [bob.user]


def test_notify_writes_in_the_callers_transaction(alice, bob, event, django_capture_on_commit_callbacks):
    # when the caller's action fails after notifying
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(alice, [bob.membership], event)
            raise RuntimeError("rolled back")
    # then no notification, no email row, nothing dispatched
    with tenant_context(alice.tenant):
        assert not Notification.objects.exists() and not OutboxEmail.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_recipient_language_and_target_are_used(alice, bob, event):
    # given bob reads English
    bob.user.language = "en"
    bob.user.save(update_fields=["language"])
    # when notified about an object
    [notification] = notify(alice, [bob.membership], event, target=bob.membership)
    # then the text is English and the object is referenced
    assert notification.title == "New document: Kbis.pdf"
    assert notification.target_object_id == str(bob.membership.pk)
    with tenant_context(alice.tenant):
        assert Notification.objects.get().target == bob.membership


def test_tenant_template_override_applies_to_notifications(alice, bob, event):
    with tenant_context(alice.tenant):
        services.message_template_save(
            actor=alice.membership, key=event, language="fr",
            subject="[{{ tenant_name }}] {{ document_name }}", body="{{ document_name }}",
        )
    [notification] = notify(alice, [bob.membership], event)
    assert notification.title == "[Alpha Conseil] Kbis.pdf"


def test_unregistered_event_is_a_programming_error(alice, bob):
    with pytest.raises(UnknownTemplate):
        notify(alice, [bob.membership], "nobody.registered.this")


def test_live_push_is_sent_after_commit_to_in_app_recipients(alice, bob, event, live_pushes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(alice, [bob.membership], event)
    assert live_pushes == [(alice.tenant.id, [bob.user.pk])]
