"""A firm's two-factor requirement applies to every way in: pages, the session API, token creation,
existing tokens and the WebSocket. Only the enrolment pages stay reachable with a password alone."""

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context
from adv.tenancy.errors import PermissionDenied
from tests.notifications.test_live import Socket
from tests.users.conftest import confirmed_totp_device, totp_code

pytestmark = pytest.mark.django_db

SETUP = "/account/two-factor/"
VERIFY = "/account/two-factor/verify/"


def _require_two_factor(tenant) -> None:
    tenant.require_two_factor = True
    tenant.save(update_fields=["require_two_factor"])


def _verified_client(persona) -> Client:
    device = confirmed_totp_device(persona.user)
    client = persona.client()
    response = client.post(VERIFY, {"code": totp_code(device), "next": persona.url("/")})
    assert response.status_code == 302, response.content
    return client


def test_the_session_api_refuses_an_unverified_admin_with_a_problem_document(alice):
    _require_two_factor(alice.tenant)
    client = alice.client()  # password only

    response = client.get(alice.url("/api/v1/memberships/"))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "second_factor_required"


def test_an_unverified_session_cannot_mint_a_token(alice):
    _require_two_factor(alice.tenant)
    client = alice.client()

    response = client.post(alice.url("/api/v1/tokens/"), {"name": "ERP"}, content_type="application/json")

    assert response.status_code == 403
    with tenant_context(alice.tenant):
        assert not alice.membership.api_tokens.exists()
    # nor from the tokens page: it sends her to the enrolment instead
    response = client.post(alice.url("/tokens/"), {"name": "ERP"})
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    with tenant_context(alice.tenant):
        assert not alice.membership.api_tokens.exists()


def test_the_service_refuses_a_token_without_second_factor_for_a_role_that_needs_one(alice, bob):
    _require_two_factor(alice.tenant)
    with tenant_context(alice.tenant):
        with pytest.raises(PermissionDenied) as error:
            api_token_create(actor=alice.membership, name="ERP")
        assert error.value.code == "second_factor_required"
        # a consultant's role is not concerned
        api_token_create(actor=bob.membership, name="script")


def test_a_verified_session_reads_the_api_and_mints_a_token_that_keeps_working(alice):
    _require_two_factor(alice.tenant)
    client = _verified_client(alice)

    assert client.get(alice.url("/api/v1/memberships/")).status_code == 200
    response = client.post(alice.url("/api/v1/tokens/"), {"name": "ERP"}, content_type="application/json")
    assert response.status_code == 201
    raw = response.json()["token"]

    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200


def test_a_token_minted_before_the_firm_required_a_second_factor_stops_working(alice, bob):
    with tenant_context(alice.tenant):
        _token, admin_raw = api_token_create(actor=alice.membership, name="old ERP")
        _token, consultant_raw = api_token_create(actor=bob.membership, name="old script")
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {admin_raw}").status_code == 200

    _require_two_factor(alice.tenant)

    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {admin_raw}")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    # the requirement is for admin and ADV roles: the consultant's token still works
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {consultant_raw}").status_code == 200


class _SessionSocket(Socket):
    def __init__(self, persona, slug, session):
        super().__init__(persona, slug)
        self.scope["session"] = session


@pytest.mark.django_db(transaction=True)
def test_the_websocket_refuses_an_unverified_session_and_accepts_a_verified_one(alice, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    _require_two_factor(alice.tenant)
    device = confirmed_totp_device(alice.user)

    async def connects(session) -> bool:
        socket = _SessionSocket(alice, "alpha", session)
        accepted = await socket.connect()
        if accepted:
            await socket.disconnect()
        return accepted

    assert not async_to_sync(connects)({})
    assert not async_to_sync(connects)({DEVICE_ID_SESSION_KEY: "otp_totp.totpdevice/999999"})
    assert async_to_sync(connects)({DEVICE_ID_SESSION_KEY: device.persistent_id})
