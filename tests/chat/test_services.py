"""The chat's services: who reads which thread, posting rules (length, empty, mentions, links,
HTML, rate limit, attachments), edit window, tombstones, unread counts and read markers, DND."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import NotFound, PermissionDenied
from chat import access, presence, selectors, services
from chat.errors import ChatError, ChatErrorCode, RateLimited
from chat.models import Message, MessageKind, Participant
from deals.models import DealStatus
from notifications.models import Notification, OutboxEmail
from tests.deals.conftest import pdf

pytestmark = pytest.mark.django_db


def thread(actor, deal):
    return services.thread_for_object(actor=actor.membership, object_type="deal", object_id=deal.pk)


def test_a_deal_thread_is_read_by_who_sees_the_deal_page(alice, bob, sales, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        conversation = thread(sales, deal)
        services.message_post(actor=sales.membership, conversation_id=conversation.pk, body="Le BDC arrive vendredi.")
        assert access.may_read(alice.membership, conversation)
        # a consultant does not see deals: nor their thread
        assert not access.may_read(bob.membership, conversation)
        with pytest.raises(NotFound):
            services.conversation_get(actor=bob.membership, pk=conversation.pk)
        with pytest.raises(NotFound):
            thread(bob, deal)


def test_another_firms_thread_is_not_found(alice, carol, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        conversation = thread(alice, deal)
    with tenant_context(carol.tenant):
        with pytest.raises(NotFound):
            services.conversation_get(actor=carol.membership, pk=conversation.pk)
        with pytest.raises(NotFound):
            services.thread_for_object(actor=carol.membership, object_type="deal", object_id=deal.pk)


def test_contractors_never_read_an_invoice_thread(alice, contractor, make_member):
    accountant = make_member("accountant")
    freelance_accountant = make_member("accountant", is_contractor=True)
    with tenant_context(alice.tenant):
        assert access.role_reads(accountant.membership, "invoice")
        assert not access.role_reads(freelance_accountant.membership, "invoice")
        assert not access.role_reads(contractor.membership, "invoice")


def test_direct_messages_are_read_by_their_participants_only(alice, bob, sales):
    with tenant_context(alice.tenant):
        direct = services.conversation_open(actor=alice.membership, members=[bob.membership.pk])
        assert services.conversation_open(actor=bob.membership, members=[alice.membership.pk]) == direct
        assert access.may_read(bob.membership, direct)
        assert not access.may_read(sales.membership, direct)


def test_bad_input_is_refused_and_nothing_is_stored(alice, sales, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        conversation = thread(alice, deal)
        for body, code in [("", ChatErrorCode.EMPTY_MESSAGE), ("   ", ChatErrorCode.EMPTY_MESSAGE),
                           ("x" * 10_001, ChatErrorCode.MESSAGE_TOO_LONG), ("@carol tu vois ?", ChatErrorCode.UNKNOWN_MENTION)]:
            with pytest.raises(ChatError) as error:
                services.message_post(actor=alice.membership, conversation_id=conversation.pk, body=body)
            assert error.value.code == code
        assert not Message.objects.exists()
        services.message_post(actor=alice.membership, conversation_id=conversation.pk, body="x" * 10_000)


def test_a_mention_of_someone_who_cannot_read_the_thread_is_refused(alice, bob, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        conversation = thread(alice, deal)
        with pytest.raises(ChatError) as error:
            services.message_post(actor=alice.membership, conversation_id=conversation.pk, body="@bob regarde")
        assert error.value.code == ChatErrorCode.UNKNOWN_MENTION


def test_html_is_harmless_and_object_links_follow_the_readers_rights(alice, bob, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="ADV", members=[bob.membership.pk])
        assert channel.title == "adv"
        message = services.message_post(
            actor=alice.membership, conversation_id=channel.pk, body=f"<script>alert(1)</script> **voir** #{deal.reference}"
        )
        for_alice = selectors.message_row(actor=alice.membership, message_id=message.pk, slug="alpha")
        for_bob = selectors.message_row(actor=bob.membership, message_id=message.pk, slug="alpha")
    assert "<script>" not in for_alice["html"] and "&lt;script&gt;" in for_alice["html"]
    assert "<strong>voir</strong>" in for_alice["html"]
    assert f'href="/t/alpha/deals/{deal.pk}/"' in for_alice["html"] and deal.title in for_alice["html"]
    # bob (consultant) may not see deals: plain text, without the title
    assert "href" not in for_bob["html"].split("</strong>")[1] and deal.title not in for_bob["html"]
    assert f"#{deal.reference}" in for_bob["html"]


def test_rate_limit(alice):
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general")
        for i in range(services.RATE_LIMIT):
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body=f"m{i}")
        with pytest.raises(RateLimited) as error:
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body="encore")
        assert error.value.status == 429 and "30" in error.value.message
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=11)):
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body="après")


def test_attachments_go_through_the_document_checks(alice, media):
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="docs")
        exe = SimpleUploadedFile("bdc.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")
        with pytest.raises(Exception) as error:
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body="le BDC", uploads=[exe])
        assert getattr(error.value, "code", "") == "type_mismatch"
        assert not Message.objects.exists() and not list(media.rglob("*.*"))
        message = services.message_post(actor=alice.membership, conversation_id=channel.pk, body="", uploads=[pdf()])
        row = selectors.message_row(actor=alice.membership, message_id=message.pk, slug="alpha")
        assert row["attachments"][0]["name"] == "bdc.pdf"


def test_too_large_attachment_is_refused(alice, media, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="docs")
        big = SimpleUploadedFile("gros.pdf", b"%PDF-1.4\n" + b"0" * 4096, content_type="application/pdf")
        with pytest.raises(Exception) as error:
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body="gros", uploads=[big])
        assert getattr(error.value, "code", "") == "too_large"
        assert not Message.objects.exists()


def test_edit_within_15_minutes_by_the_author_and_delete_as_tombstone(alice, bob):
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general", members=[bob.membership.pk])
        message = services.message_post(actor=alice.membership, conversation_id=channel.pk, body="Bonjour")
        with pytest.raises(PermissionDenied):
            services.message_edit(actor=bob.membership, message_id=message.pk, body="pirate")
        edited = services.message_edit(actor=alice.membership, message_id=message.pk, body="Bonjour à tous",
                                       now=message.created_at + datetime.timedelta(minutes=14))
        assert edited.edited_at is not None
        with pytest.raises(ChatError) as error:
            services.message_edit(actor=alice.membership, message_id=message.pk, body="trop tard",
                                  now=message.created_at + datetime.timedelta(minutes=16))
        assert error.value.code == ChatErrorCode.EDIT_WINDOW_CLOSED
        with pytest.raises(PermissionDenied):
            services.message_delete(actor=bob.membership, message_id=message.pk)
        services.message_delete(actor=alice.membership, message_id=message.pk)
        row = selectors.message_row(actor=bob.membership, message_id=message.pk, slug="alpha")
        assert row["deleted"] and row["html"] == "" and Message.objects.get(pk=message.pk).body == ""


def test_unread_counts_read_markers_and_mark_all_read(alice, bob):
    with tenant_context(alice.tenant):
        channel = services.channel_create(actor=alice.membership, name="general", members=[bob.membership.pk])
        direct = services.conversation_open(actor=alice.membership, members=[bob.membership.pk])
        for body in ("un", "deux"):
            services.message_post(actor=alice.membership, conversation_id=channel.pk, body=body)
        last = services.message_post(actor=alice.membership, conversation_id=direct.pk, body="@bob un mot")
        assert selectors.unread_total(actor=bob.membership) == {"unread": 3, "mentions": 1}
        assert selectors.unread_total(actor=alice.membership) == {"unread": 0, "mentions": 0}
        services.mark_read(actor=bob.membership, conversation_id=direct.pk, seq=last.seq)
        assert selectors.unread_total(actor=bob.membership) == {"unread": 2, "mentions": 0}
        first = Message.objects.filter(conversation=channel).order_by("seq").first()
        services.mark_read(actor=bob.membership, conversation_id=channel.pk, seq=first.seq)
        assert selectors.unread_total(actor=bob.membership)["unread"] == 1
        services.mark_all_read(actor=bob.membership)
        assert selectors.unread_total(actor=bob.membership)["unread"] == 0
        rows = selectors.conversation_rows(actor=bob.membership)
        titles = sorted(r["title"] for r in rows)
        assert titles[0] == "#general" and titles[1].startswith("Alice")


def test_a_mention_notifies_through_preferences_and_dnd_holds_it_for_the_digest(alice, sales, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        conversation = thread(alice, deal)
        services.message_post(actor=alice.membership, conversation_id=conversation.pk, body="@thomas.sales le BDC ?")
        first = Notification.objects.get(recipient=sales.user, event="chat.mention")
        assert first.in_app and OutboxEmail.objects.filter(notification=first).exists()
        services.dnd_set(actor=sales.membership, until=timezone.now() + datetime.timedelta(hours=1))
        services.message_post(actor=alice.membership, conversation_id=conversation.pk, body="@thomas.sales relance")
        held = Notification.objects.filter(recipient=sales.user, event="chat.mention").order_by("-created_at").first()
        assert not held.in_app and held.in_digest and not OutboxEmail.objects.filter(notification=held).exists()
        # the unread count still counts it
        assert selectors.unread_total(actor=sales.membership) == {"unread": 2, "mentions": 2}


def test_dnd_daily_schedule_overnight():
    from chat.models import ChatStatus

    status = ChatStatus(daily_start=datetime.time(19), daily_end=datetime.time(8))
    paris = datetime.timezone(datetime.timedelta(hours=1))
    evening = datetime.datetime(2026, 12, 8, 20, 0, tzinfo=paris)
    dnd = presence.dnd_of(status, now=evening)
    assert dnd.active and dnd.until.date() == datetime.date(2026, 12, 9) and dnd.until.hour == 8
    assert presence.dnd_of(status, now=datetime.datetime(2026, 12, 8, 7, 0, tzinfo=paris)).active
    assert not presence.dnd_of(status, now=datetime.datetime(2026, 12, 8, 12, 0, tzinfo=paris)).active


def test_presence_from_tabs_with_expiry():
    tenant, member = "t", "m"
    presence.touch(tenant, member, "tab1", active=True, now=1000)
    assert presence.states(tenant, [member], now=1010)[member] == presence.ONLINE
    presence.touch(tenant, member, "tab1", active=False, now=1290)
    assert presence.states(tenant, [member], now=1310)[member] == presence.AWAY  # idle 5 minutes
    # the worker died: no heartbeat for more than TTL
    assert presence.states(tenant, [member], now=1290 + presence.TTL + 1)[member] == presence.OFFLINE


def test_chase_post_mentions_the_responsible_and_a_system_message_resolves_it(alice, sales, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        chase = services.chase_post(actor=alice.membership, object_type="deal", object_id=deal.pk, responsible=[sales.membership],
                                    body="Merci de déposer le bon de commande.", chase_code="unsigned")
        assert chase.kind == MessageKind.CHASE and chase.mentions == [sales.membership.pk]
        assert Participant.objects.get(conversation=chase.conversation, membership=sales.membership).unread_count == 1
        services.system_post(object_type="deal", object_id=deal.pk, body="Affaire signée.", resolves="")
        chase.refresh_from_db()
        assert chase.resolved_at is not None


def test_search_is_french_and_limited_to_what_the_member_reads(alice, bob, sales, make_deal):
    deal = make_deal()
    with tenant_context(alice.tenant):
        conversation = thread(alice, deal)
        services.message_post(actor=alice.membership, conversation_id=conversation.pk, body="Les factures du mois sont prêtes")
        direct = services.conversation_open(actor=alice.membership, members=[bob.membership.pk])
        services.message_post(actor=alice.membership, conversation_id=direct.pk, body="Ta facture de frais")
        assert len(selectors.search(actor=alice.membership, q="facture", slug="alpha")) == 2
        assert len(selectors.search(actor=bob.membership, q="facture", slug="alpha")) == 1  # not the deal's
        assert len(selectors.search(actor=sales.membership, q="facture", slug="alpha")) == 1  # not the direct message


def test_garbage_ids_are_not_found(alice):
    with tenant_context(alice.tenant):
        with pytest.raises(NotFound):
            services.conversation_get(actor=alice.membership, pk="not-a-uuid")
        with pytest.raises(NotFound):
            services.thread_for_object(actor=alice.membership, object_type="document", object_id="nope")
        with pytest.raises(NotFound):
            services.message_edit(actor=alice.membership, message_id="nope", body="x")
