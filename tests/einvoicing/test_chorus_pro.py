"""The Chorus Pro connector against recorded PISTE answers (tests/einvoicing/chorus_pro/*.json,
written from the published Chorus Pro API specifications: no live call): OAuth2 then the
cpro-account header, a Factur-X flow deposited, statuses mapped to XP Z12-012, a rejected flow."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from pathlib import Path

import pytest
import requests
import time_machine
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from adv.tenancy.context import tenant_context
from clients import crypto
from einvoicing import lifecycle, sending
from einvoicing.connectors import ChorusProConnector, OutgoingFlow, PlatformError, http
from einvoicing.models import PlatformAccount, PlatformCall, StatusEvent, Submission
from tests.billing.support import public_client
from tests.einvoicing.test_submission import NOW

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "chorus_pro"
API, TOKEN = "https://chorus.test/cpro", "https://oauth.chorus.test/api/oauth/token"


class Recorded(BaseAdapter):
    """Answers each path with its recorded file; remembers the requests."""

    def __init__(self, answers: dict[str, tuple[int, str]]):
        super().__init__()
        self.answers, self.requests = answers, []

    def send(self, request, **kwargs):
        self.requests.append(request)
        path = request.url.split("chorus.test", 1)[1]
        status, name = self.answers[path]
        response = requests.Response()
        response.status_code, response.request, response.url = status, request, request.url
        response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
        response._content = (RECORDED / name).read_bytes()
        return response

    def close(self):
        pass


@pytest.fixture
def recorded():
    def mount(answers):
        adapter = Recorded(answers)
        http.mount("https://oauth.chorus.test", adapter)
        http.mount("https://chorus.test", adapter)
        return adapter

    yield mount
    http.unmount("https://oauth.chorus.test")
    http.unmount("https://chorus.test")


def connector():
    return ChorusProConnector(api_url=API, token_url=TOKEN, client_id="piste-id", client_secret="piste-secret",
                              login="tech@alpha", password="pw", structure_id="25000001")


def test_deposit_sends_the_facturx_flow_with_both_credentials(recorded, tenant_a):
    adapter = recorded({"/api/oauth/token": (200, "token.json"), "/cpro/factures/v1/deposer/flux": (200, "deposer_flux.json")})
    with tenant_context(tenant_a):
        flow_id = connector().submit(OutgoingFlow(tracking_id="t1", number="F1", filename="t1.pdf", content=b"%PDF-1.7"))
        calls = list(PlatformCall.objects.values_list("operation", "outcome", "payload_sha256"))
    assert flow_id == "CPP20260000012345"
    token_request, deposit = adapter.requests
    assert "grant_type=client_credentials" in token_request.body and "scope=openid" in token_request.body
    assert deposit.headers["Authorization"] == "Bearer cpro-token-1"
    assert base64.b64decode(deposit.headers["cpro-account"]) == b"tech@alpha:pw"
    body = json.loads(deposit.body)
    assert body["syntaxeFlux"] == "IN_DP_E2_CII_FACTURX" and base64.b64decode(body["fichierFlux"]) == b"%PDF-1.7"
    assert ("submit", "ok", hashlib.sha256(b"%PDF-1.7").hexdigest()) in calls


def test_wrong_piste_credentials_are_a_clear_error(recorded, tenant_a):
    recorded({"/api/oauth/token": (401, "error_credentials.json")})
    with tenant_context(tenant_a), pytest.raises(PlatformError) as raised:
        connector().check()
    assert not raised.value.retryable and "Identifiants refusés" in raised.value.message
    assert "Client authentication failed" in raised.value.message


def test_statuses_are_mapped_to_the_lifecycle_codes(recorded, tenant_a):
    recorded({"/api/oauth/token": (200, "token.json"),
              "/cpro/factures/v1/rechercher/fournisseur": (200, "rechercher_fournisseur.json")})
    with tenant_context(tenant_a):
        updates = connector().fetch_statuses(None)
    assert [(u.flow_id, u.code) for u in updates] == [
        ("CPP20260000012345", "203"), ("CPP20260000012345", "208"), ("CPP20269999999999", "205"),
    ]  # an unknown Chorus Pro status is left out
    assert updates[1].reason == "Numéro d'engagement inconnu"


def test_directory_miss(recorded, tenant_a):
    recorded({"/api/oauth/token": (200, "token.json"), "/cpro/structures/v1/rechercher": (200, "structure_absente.json")})
    with tenant_context(tenant_a):
        assert not connector().lookup_directory("216901231").found


@time_machine.travel(NOW, tick=False)
def test_a_public_client_goes_through_chorus_pro_and_its_rejected_flow_is_shown(recorded, billing_firm):
    firm = billing_firm
    recorded({
        "/api/oauth/token": (200, "token.json"),
        "/cpro/factures/v1/deposer/flux": (200, "deposer_flux.json"),
        "/cpro/factures/v1/rechercher/fournisseur": (200, "rechercher_fournisseur.json"),
        "/cpro/transverses/v1/consulterCR": (200, "consulter_cr_rejete.json"),
    })
    town, _deal = public_client(firm, engagement_required=False)
    with tenant_context(firm.tenant):
        PlatformAccount.objects.create(
            chorus_enabled=True, chorus_api_url=API, chorus_token_url=TOKEN, chorus_client_id="piste-id",
            chorus_client_secret_encrypted=crypto.encrypt("piste-secret"), chorus_login="tech@alpha",
            chorus_password_encrypted=crypto.encrypt("pw"), chorus_structure_id="25000001",
        )
    firm.build()
    draft = firm.draft_of(town)
    firm.issue([draft])
    firm.render(draft)
    with tenant_context(firm.tenant):
        submission = Submission.objects.get(invoice_id=draft.pk)
        assert submission.channel == "chorus_pro"
        assert sending.submission_attempt(submission.pk) == "submitted"
        lifecycle.statuses_fetch()
        codes = list(StatusEvent.objects.filter(submission=submission).order_by("occurred_at").values_list("code", flat=True))
        submission.refresh_from_db()
    assert codes == ["203", "208"]  # the other flows are not ours: ignored
    assert submission.status == "208"
    # the flow report is read only for a flow that has no status yet
    assert datetime.date(2026, 11, 3) == submission.status_at.date()
