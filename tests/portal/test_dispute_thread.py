"""A dispute raised on the portal is posted in the invoice's chat thread (in the firm's language,
whatever the client's), the thread's internal messages never reach the portal contact, and the
firm closing the dispute (the dunning's "Reprendre les relances") resolves it on the portal too."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from adv.tenancy.context import tenant_context
from chat import services as chat_services
from chat.models import Conversation, Message, MessageKind
from dunning import services as dunning_services
from portal.models import InvoiceDispute
from portal.session import LANGUAGE_COOKIE
from tests.billing import support as billing_support
from tests.portal.conftest import invite, signed_in, url

pytestmark = pytest.mark.django_db

billing_firm = billing_support.billing_firm
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
INTERNAL = "Note interne : taux négocié 650 avec le directeur achats."


@pytest.fixture
def issued(billing_firm, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, tzinfo=PARIS), tick=False)
    billing_firm.attach_missing_pv()
    billing_firm.build()
    return billing_firm.render(billing_firm.issue([billing_firm.draft_of(billing_firm.helios)]).issued[0])


def _thread(firm, invoice):
    with tenant_context(firm.tenant):
        return Conversation.objects.filter(kind="object", object_type="invoice", object_id=invoice.pk).first()


def test_a_portal_dispute_opens_the_invoices_thread_with_the_clients_words_in_the_firms_language(billing_firm, issued):
    assert _thread(billing_firm, issued) is None
    marc = invite(billing_firm, billing_firm.helios, "Marc", "Olivier", "marc@helios.example")
    browser = signed_in(billing_firm.tenant, marc)
    browser.cookies[LANGUAGE_COOKIE] = "en"  # the client reads the portal in English
    assert "Invoices" in browser.get(url(billing_firm.tenant.slug, "invoices/")).content.decode()
    response = browser.post(url(billing_firm.tenant.slug, f"invoices/{issued.pk}/dispute/"), {"message": "Le taux appliqué est faux."})
    assert response.status_code == 302
    thread = _thread(billing_firm, issued)
    with tenant_context(billing_firm.tenant):
        (message,) = Message.objects.filter(conversation=thread)
        assert message.kind == MessageKind.SYSTEM and message.author_id is None
        assert message.body == "Facture contestée par le client sur le portail : « Le taux appliqué est faux. »"
        assert Conversation.objects.get(pk=thread.pk).last_message_id == message.pk


def test_an_empty_or_refused_dispute_posts_nothing(billing_firm, issued):
    marc = invite(billing_firm, billing_firm.helios, "Marc", "Olivier", "marc@helios.example")
    ines = invite(billing_firm, billing_firm.orion, "Inès", "Roy", "ines@orion.example")
    assert signed_in(billing_firm.tenant, marc).post(url(billing_firm.tenant.slug, f"invoices/{issued.pk}/dispute/"), {"message": " "}).status_code == 302
    other = signed_in(billing_firm.tenant, ines).post(url(billing_firm.tenant.slug, f"invoices/{issued.pk}/dispute/"), {"message": "x"})
    assert other.status_code == 404
    assert _thread(billing_firm, issued) is None


def test_the_contact_never_reads_the_internal_thread_and_a_closed_dispute_is_resolved_on_the_portal(billing_firm, issued):
    adv = billing_firm.adv.membership
    with tenant_context(billing_firm.tenant):
        thread = chat_services.thread_for_object(actor=adv, object_type="invoice", object_id=issued.pk)
        chat_services.message_post(actor=adv, conversation_id=thread.pk, body=INTERNAL)
    marc = invite(billing_firm, billing_firm.helios, "Marc", "Olivier", "marc@helios.example")
    browser = signed_in(billing_firm.tenant, marc)
    slug = billing_firm.tenant.slug
    browser.post(url(slug, f"invoices/{issued.pk}/dispute/"), {"message": "Deux jours de trop en octobre."})
    with tenant_context(billing_firm.tenant):
        bodies = list(Message.objects.filter(conversation=thread).values_list("body", flat=True))
    assert bodies == [INTERNAL, "Facture contestée par le client sur le portail : « Deux jours de trop en octobre. »"]
    # the portal shows no thread, and the staff's chat pages and API do not know a portal session
    for path in ("", "invoices/", "timesheets/", "milestones/", "references/", "account/"):
        page = browser.get(url(slug, path))
        assert page.status_code == 200 and INTERNAL not in page.content.decode() and "Deux jours" not in page.content.decode()
    for staff in (f"/t/{slug}/chat/c/{thread.pk}/", f"/t/{slug}/chat/panel/invoice/{issued.pk}/", f"/t/{slug}/chat/"):
        answer = browser.get(staff)
        assert answer.status_code in (302, 403, 404) and INTERNAL not in answer.content.decode()
    api = browser.get(f"/api/v1/conversations/{thread.pk}/", HTTP_HOST="testserver")
    assert api.status_code in (401, 403, 404) and INTERNAL not in api.content.decode()
    assert "contestée" in browser.get(url(slug, "invoices/")).content.decode()
    # the firm closes the dispute: the thread says so and the portal no longer shows it disputed
    with tenant_context(billing_firm.tenant):
        assert dunning_services.pause_end(actor=adv, invoice=issued) == 1
        assert InvoiceDispute.objects.get(invoice=issued).resolved_at is not None
        assert Message.objects.filter(conversation=thread).last().body == "Litige clos : les relances reprennent."
    listing = browser.get(url(slug, "invoices/")).content.decode()
    assert "contestée" not in listing and f"/invoices/{issued.pk}/dispute/" in listing
    # and the client may flag it again
    assert browser.post(url(slug, f"invoices/{issued.pk}/dispute/"), {"message": "Toujours faux."}).status_code == 302
    with tenant_context(billing_firm.tenant):
        assert InvoiceDispute.objects.filter(invoice=issued, resolved_at__isnull=True).count() == 1
