"""The notification pages: the bell, the list, preferences, and the admin pages."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adv.tenancy.context import tenant_context
from notifications.models import MessageTemplate, Notification, NotificationPreference, OutboxEmail, OutboxStatus
from tests.factories import MessageTemplateFactory

pytestmark = pytest.mark.django_db


def make_notifications(persona, count, *, read=False, title="Note", url=""):
    now = timezone.now()
    with tenant_context(persona.tenant):
        return [
            Notification.objects.create(
                recipient=persona.user,
                event="test.document_added",
                title=f"{title} {i}",
                body="Texte",
                url=url,
                read_at=now if read else None,
                created_at=now - timedelta(minutes=i),
            )
            for i in range(count)
        ]


def failed_email(persona):
    with tenant_context(persona.tenant):
        return OutboxEmail.objects.create(
            to=["x@example.test"], subject="Relance CRA", body="…", status=OutboxStatus.FAILED,
            attempts=5, last_error="SMTPServerDisconnected: boom", next_attempt_at=None,
        )


# --- Access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "notifications/templates/"),
        ("get", "notifications/templates/invitation/fr/"),
        ("post", "notifications/templates/invitation/fr/"),
        ("post", "notifications/templates/invitation/fr/preview/"),
        ("post", "notifications/templates/invitation/fr/reset/"),
        ("get", "notifications/emails/"),
        ("post", "notifications/emails/{email}/retry/"),
    ],
)
def test_consultant_cannot_use_the_admin_pages(alice, bob, method, path):
    # given a failed email and a customised template in bob's firm
    email = failed_email(alice)
    with tenant_context(alice.tenant):
        MessageTemplateFactory(key="invitation", language="fr", subject="S", body="B")
    # when bob (consultant) tries an admin page
    response = getattr(bob.client(), method)(bob.url(path.format(email=email.pk)), {"subject": "x", "body": "y"})
    # then he is refused, and nothing changed
    assert response.status_code in (403, 404)
    with tenant_context(alice.tenant):
        assert OutboxEmail.objects.get(pk=email.pk).status == OutboxStatus.FAILED
        assert MessageTemplate.objects.get().subject == "S"


def test_carol_cannot_see_or_touch_alices_notifications(alice, carol):
    [notification] = make_notifications(alice, 1, url="/t/alpha/")
    client = carol.client()
    # from her own firm's URLs, alice's notification does not exist
    assert client.get(carol.url(f"notifications/{notification.pk}/open/")).status_code == 404
    assert client.post(carol.url(f"notifications/{notification.pk}/read/")).status_code == 404
    # alice's firm does not exist for her either
    assert client.get(alice.url("notifications/")).status_code == 404
    assert client.post(alice.url(f"notifications/{notification.pk}/read/")).status_code == 404
    # her own list does not show it
    assert "Note 0" not in client.get(carol.url("notifications/")).content.decode()
    with tenant_context(alice.tenant):
        assert Notification.objects.get().read_at is None


def test_bob_cannot_mark_alices_notification_read(alice, bob):
    [notification] = make_notifications(alice, 1)
    assert bob.client().post(bob.url(f"notifications/{notification.pk}/read/")).status_code == 404
    with tenant_context(alice.tenant):
        assert Notification.objects.get().read_at is None


# --- List, bell, read state ------------------------------------------------------------------------


def test_list_shows_unread_first_then_newest(alice):
    make_notifications(alice, 2, read=True, title="Lue")
    make_notifications(alice, 2, title="Nouvelle")
    content = alice.client().get(alice.url("notifications/")).content.decode()
    positions = [content.index(title) for title in ("Nouvelle 0", "Nouvelle 1", "Lue 0", "Lue 1")]
    assert positions == sorted(positions)
    assert "2 notifications non lues" in content


def test_list_page_query_count_does_not_grow_with_rows(alice, bob, django_assert_num_queries):
    client = alice.client()
    # given a few notifications, the page's query count
    make_notifications(alice, 2)
    client.get(alice.url("notifications/"))  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(alice.url("notifications/")).status_code == 200
    # when there are many more, with actors, read and unread, over several pages
    with tenant_context(alice.tenant):
        Notification.objects.bulk_create(
            Notification(
                tenant_id=alice.tenant.id, recipient=alice.user, event="e", title=f"T{i}", actor=bob.user,
                read_at=timezone.now() if i % 2 else None,
            )
            for i in range(60)
        )
    # then the page runs exactly as many queries
    with django_assert_num_queries(len(few)):
        response = client.get(alice.url("notifications/"))
    assert response.status_code == 200 and str(bob.user) in response.content.decode()


def test_bell_shows_the_unread_count(alice):
    make_notifications(alice, 3)
    make_notifications(alice, 2, read=True)
    response = alice.client().get(alice.url("notifications/bell/"))
    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'data-testid="notification-count"[^>]*>3<', content)


def test_layout_includes_the_self_loading_bell(alice):
    content = alice.client().get(alice.url("notifications/")).content.decode()
    assert 'hx-get="/t/alpha/notifications/bell/"' in content
    assert 'hx-trigger="load, every 30s' in content


def test_mark_one_read_with_htmx_returns_the_row_and_refreshes_the_bell(alice):
    [notification, other] = make_notifications(alice, 2)
    response = alice.client().post(alice.url(f"notifications/{notification.pk}/read/"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "adv-unread-changed"
    assert f'id="notification-{notification.pk}"' in response.content.decode()
    with tenant_context(alice.tenant):
        assert Notification.objects.get(pk=notification.pk).read_at is not None
        assert Notification.objects.get(pk=other.pk).read_at is None


def test_mark_all_read(alice, bob):
    make_notifications(alice, 3)
    make_notifications(bob, 1)
    response = alice.client().post(alice.url("notifications/read-all/"))
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        assert not Notification.objects.filter(recipient=alice.user, read_at__isnull=True).exists()
        assert Notification.objects.filter(recipient=bob.user, read_at__isnull=True).count() == 1


def test_open_marks_read_and_follows_only_local_links(alice):
    [local] = make_notifications(alice, 1, url="/t/alpha/")
    [external] = make_notifications(alice, 1, url="https://evil.example/")
    client = alice.client()
    assert client.get(alice.url(f"notifications/{local.pk}/open/"))["Location"] == "/t/alpha/"
    assert client.get(alice.url(f"notifications/{external.pk}/open/"))["Location"] == "/t/alpha/notifications/"
    with tenant_context(alice.tenant):
        assert not Notification.objects.filter(read_at__isnull=True).exists()


# --- Preferences -------------------------------------------------------------------------------------


def test_preferences_page_saves_general_and_event_choices(bob, event):
    client = bob.client()
    page = client.get(bob.url("notifications/preferences/"))
    assert page.status_code == 200 and "Document ajouté (test)" in page.content.decode()
    response = client.post(
        bob.url("notifications/preferences/"),
        {"in_app": "on", "daily_digest": "on", f"{event}__custom": "on", f"{event}__email": "on"},
    )
    assert response.status_code == 302
    with tenant_context(bob.tenant):
        rows = {row.event: (row.in_app, row.email, row.daily_digest) for row in NotificationPreference.objects.all()}
    assert rows == {"": (True, False, True), event: (False, True, False)}


def test_unticking_every_channel_is_saved(bob):
    # an empty form (every box unticked) is a choice too: nothing, for every event
    assert bob.client().post(bob.url("notifications/preferences/"), {}).status_code == 302
    with tenant_context(bob.tenant):
        general = NotificationPreference.objects.get(event="")
    assert (general.in_app, general.email, general.daily_digest) == (False, False, False)


# --- Message templates -----------------------------------------------------------------------------


def test_admin_sees_defaults_and_overrides(alice):
    with tenant_context(alice.tenant):
        MessageTemplateFactory(key="invitation", language="en", subject="Join", body="{{ link }}")
    content = alice.client().get(alice.url("notifications/templates/")).content.decode()
    assert "Invitation à rejoindre la société" in content and "Résumé quotidien des notifications" in content
    assert content.count('data-testid="template-customised"') == 1


def test_saving_a_template_with_an_unknown_placeholder_shows_the_allowed_ones(alice):
    response = alice.client().post(
        alice.url("notifications/templates/invitation/fr/"),
        {"subject": "Bienvenue {{ tenant_name }}", "body": "Votre mot de passe : {{ password }}"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Variables inconnues" in content and "{{ password }}" in content and "{{ link }}" in content
    with tenant_context(alice.tenant):
        assert not MessageTemplate.objects.exists()


def test_admin_edits_previews_and_resets_a_template(alice):
    client = alice.client()
    edit_url = alice.url("notifications/templates/invitation/fr/")
    page = client.get(edit_url)
    assert page.status_code == 200 and "{{ expires_on }}" in page.content.decode()
    # preview escapes values and renders placeholders with sample values
    preview = client.post(edit_url + "preview/", {"subject": "Rejoignez {{ tenant_name }}", "body": "<b>{{ link }}</b>"})
    assert "Rejoignez Alpha Conseil" in preview.content.decode()
    assert "&lt;b&gt;" in preview.content.decode()
    # save
    response = client.post(edit_url, {"subject": "Rejoignez {{ tenant_name }}", "body": "Lien : {{ link }}"})
    assert response.status_code == 302
    with tenant_context(alice.tenant):
        assert MessageTemplate.objects.get(key="invitation", language="fr").subject == "Rejoignez {{ tenant_name }}"
    # reset to the default
    assert client.post(edit_url + "reset/").status_code == 302
    with tenant_context(alice.tenant):
        assert not MessageTemplate.objects.exists()


def test_unknown_template_key_or_language_is_404(alice):
    client = alice.client()
    assert client.get(alice.url("notifications/templates/nope/fr/")).status_code == 404
    assert client.get(alice.url("notifications/templates/invitation/de/")).status_code == 404


def test_carol_cannot_retry_alices_email(alice, carol):
    email = failed_email(alice)
    assert carol.client().post(carol.url(f"notifications/emails/{email.pk}/retry/")).status_code == 404
    with tenant_context(alice.tenant):
        assert OutboxEmail.objects.get(pk=email.pk).status == OutboxStatus.FAILED


def test_pages_speak_english_to_an_english_user(alice):
    alice.user.language = "en"
    alice.user.save(update_fields=["language"])
    content = alice.client().get(alice.url("notifications/")).content.decode()
    assert "You are up to date." in content and "Preferences" in content
