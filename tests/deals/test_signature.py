"""Signing needs the documents the deal type requires: without them, an error that lists them
(service, API 409 `missing_documents`, the sign page); with an override reason the signature is
recorded and the reason is in the audit trail; once the document is uploaded on the deal, the
deal signs without a reason."""

from __future__ import annotations

import datetime

import pytest
from pghistory.models import Events

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from clients import services as client_services
from deals import rules, services
from deals.errors import MissingDocuments
from deals.models import Deal, DealSignatureDocument, DealStatus, DealType, PurchaseOrder
from documents import services as document_services
from documents.models import Document
from tests.api.conftest import bearer_client, make_token
from tests.deals.conftest import pdf

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def _status(deal) -> str:
    with tenant_context(deal.tenant):
        return Deal.objects.get(pk=deal.pk).status


def test_signing_without_the_required_documents_lists_them_and_changes_nothing(alice, make_deal, deal_requirements):
    # given a provisional T&M deal whose client requires a purchase order on invoices
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        client_services.billing_profile_update(actor=alice.membership, client=deal.client, purchase_order_required=True)
        # when it is signed without any document nor reason
        with pytest.raises(MissingDocuments) as caught:
            services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY())
    # then the error lists the purchase order document and the purchase order number
    assert caught.value.missing == ["Bon de commande", "numéro de bon de commande"]
    assert caught.value.status == 409 and caught.value.code == "missing_documents"
    assert "Bon de commande" in caught.value.message
    assert _status(deal) == DealStatus.PROVISIONAL


def test_the_api_answers_409_missing_documents_with_the_list(alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL, deal_type=DealType.FIXED_PRICE)
    _token, raw = make_token(alice)
    api = bearer_client(raw)
    # the list is readable before trying
    assert api.get(f"/api/v1/deals/{deal.pk}/missing-documents/").json() == {"missing": ["Devis signé"]}
    response = api.post(f"/api/v1/deals/{deal.pk}/sign/", {"signed_on": str(TODAY())}, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "missing_documents"
    assert body["missing"] == ["Devis signé"]
    assert body["errors"] == {"missing": ["Devis signé"]}
    assert _status(deal) == DealStatus.PROVISIONAL


def test_an_override_reason_signs_anyway_and_the_reason_is_in_the_audit_trail(alice, make_deal, deal_requirements):
    # given a provisional deal missing its purchase order
    deal = make_deal(DealStatus.PROVISIONAL)
    _token, raw = make_token(alice)
    reason = "Commande confirmée par e-mail de l'acheteur le 12/03 ; original attendu."
    # when ADV signs through the API with an override reason
    response = bearer_client(raw).post(
        f"/api/v1/deals/{deal.pk}/sign/", {"signed_on": str(TODAY()), "override_reason": reason}, content_type="application/json"
    )
    # then the deal is signed, commissionable, and says why it was signed without its documents
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed" and body["is_commissionable"] is True
    assert body["signature_override_reason"] == reason and body["missing_for_signature"] == []
    # and the pghistory event of the update carries the reason and the status change
    with tenant_context(alice.tenant):
        events = list(Events.objects.tracks(Deal.objects.get(pk=deal.pk)).filter(pgh_label="update"))
    signed = [e for e in events if (e.pgh_diff or {}).get("status") == ["provisional", "signed"]]
    assert len(signed) == 1
    assert signed[0].pgh_diff["signature_override_reason"] == ["", reason]


def test_a_blank_override_reason_is_no_override(alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant), pytest.raises(MissingDocuments):
        services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY(), override_reason="   ")
    assert _status(deal) == DealStatus.PROVISIONAL


def test_once_the_purchase_order_is_uploaded_on_the_deal_it_signs_without_a_reason(media, alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        services.deal_document_upload(
            actor=alice.membership, deal=deal, document_type=deal_requirements["bon-de-commande"], title="BDC 4500012345", upload=pdf()
        )
        assert rules.missing_for_signature(deal) == []
        signed = services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY())
    assert signed.status == DealStatus.SIGNED and signed.signature_override_reason == ""


def test_an_expired_document_does_not_count(media, alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        services.deal_document_upload(
            actor=alice.membership, deal=deal, document_type=deal_requirements["bon-de-commande"], title="Ancien BDC", upload=pdf(),
            signed_on=TODAY() - datetime.timedelta(days=400), valid_until=TODAY() - datetime.timedelta(days=1),
        )
        assert rules.missing_for_signature(deal) == ["Bon de commande"]


def test_a_document_of_the_client_not_attached_to_the_deal_does_not_count_until_attached(media, alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        document = document_services.document_upload(
            actor=alice.membership, client=deal.client, document_type=deal_requirements["bon-de-commande"], title="BDC", upload=pdf()
        )
        assert rules.missing_for_signature(deal) == ["Bon de commande"]
        services.document_attach_to_deal(actor=alice.membership, deal=deal, document=document)
        assert rules.missing_for_signature(deal) == []


def test_a_purchase_order_number_satisfies_the_clients_requirement(alice, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        client_services.billing_profile_update(actor=alice.membership, client=deal.client, purchase_order_required=True)
        assert rules.missing_for_signature(Deal.objects.get(pk=deal.pk)) == ["numéro de bon de commande"]
        services.purchase_order_save(actor=alice.membership, deal=deal, number="PO-77")
        assert rules.missing_for_signature(Deal.objects.get(pk=deal.pk)) == []
        assert PurchaseOrder.objects.filter(deal=deal).count() == 1


def test_the_sign_page_lists_what_is_missing_and_asks_for_a_reason(alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    client = alice.client()
    page = client.get(alice.url(f"deals/{deal.pk}/sign/")).content.decode()
    assert 'data-testid="sign-missing"' in page and "Bon de commande" in page and 'name="override_reason"' in page
    # when submitted without a reason: 400, the reason field flagged, nothing changed
    response = client.post(alice.url(f"deals/{deal.pk}/sign/"), {"signed_on": str(TODAY())})
    assert response.status_code == 400
    assert "indiquez un motif" in response.content.decode()
    assert _status(deal) == DealStatus.PROVISIONAL
    # with a reason: signed, and the deal page shows the override
    response = client.post(alice.url(f"deals/{deal.pk}/sign/"), {"signed_on": str(TODAY()), "override_reason": "Accord écrit du DSI."}, follow=True)
    assert response.status_code == 200
    assert 'data-testid="override-banner"' in response.content.decode()
    assert _status(deal) == DealStatus.SIGNED


def test_a_signature_date_in_the_future_is_refused(alice, make_deal):
    deal = make_deal(DealStatus.PROVISIONAL)
    response = alice.client().post(alice.url(f"deals/{deal.pk}/sign/"), {"signed_on": str(TODAY() + datetime.timedelta(days=2))})
    assert response.status_code == 400
    assert "futur" in response.content.decode()
    assert _status(deal) == DealStatus.PROVISIONAL


def test_the_signature_records_the_documents_that_prove_the_order_with_their_version(media, alice, make_deal, deal_requirements):
    # given a provisional deal with its signed purchase order and a K-bis (not contractual, not required)
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        order = services.deal_document_upload(
            actor=alice.membership, deal=deal, document_type=deal_requirements["bon-de-commande"], title="BDC signé", upload=pdf()
        )
        services.deal_document_upload(actor=alice.membership, deal=deal, document_type=deal_requirements["kbis"], title="K-bis", upload=pdf())
        # when the signature is recorded
        services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY())
        # then the purchase order, in its version 1, is recorded as the proof; the K-bis is not
        proofs = list(DealSignatureDocument.objects.filter(deal=deal).values_list("document_id", "version__number"))
        assert proofs == [(order.pk, 1)]
        # and a later new version of the file does not change what proved the signature
        document_services.document_add_version(actor=alice.membership, document=order, upload=pdf("bdc-v2.pdf"))
        assert DealSignatureDocument.objects.get(deal=deal).version.number == 1
    # the API and the deal page show it
    _token, raw = make_token(alice)
    body = bearer_client(raw).get(f"/api/v1/deals/{deal.pk}/").json()
    assert [(p["title"], p["version"]) for p in body["signature_documents"]] == [("BDC signé", 1)]
    html = alice.client().get(alice.url(f"deals/{deal.pk}/")).content.decode()
    assert 'data-testid="signature-proofs"' in html and "BDC signé" in html


def test_a_document_that_proves_the_signature_cannot_be_detached(media, alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        order = services.deal_document_upload(
            actor=alice.membership, deal=deal, document_type=deal_requirements["bon-de-commande"], title="BDC signé", upload=pdf()
        )
        services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY())
        with pytest.raises(DomainError) as caught:
            services.document_detach_from_deal(actor=alice.membership, deal=deal, document=order)
    assert caught.value.code == "document_proves_signature"
    response = alice.client().post(alice.url(f"deals/{deal.pk}/documents/{order.pk}/detach/"), follow=True)
    assert "prouve la signature" in response.content.decode()
    with tenant_context(alice.tenant):
        assert Document.objects.get(pk=order.pk).deal_id == deal.pk


def test_a_signature_with_an_override_and_no_document_records_no_proof(alice, make_deal, deal_requirements):
    deal = make_deal(DealStatus.PROVISIONAL)
    with tenant_context(alice.tenant):
        services.deal_sign(actor=alice.membership, deal=deal, signed_on=TODAY(), override_reason="Accord écrit du DSI.")
        assert not DealSignatureDocument.objects.filter(deal=deal).exists()
