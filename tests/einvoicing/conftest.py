"""E-invoicing fixtures: the billing firm of tests/billing/support.py, with the local platform
emulator mounted in-process at PLATFORM_URL and the firm's account pointing at it."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from clients import crypto
from einvoicing.connectors import http
from einvoicing.emulator.app import Emulator
from einvoicing.emulator.transport import WSGITransport
from einvoicing.models import PlatformAccount
from tests.billing.support import billing_firm, media  # noqa: F401  (fixtures)

PLATFORM_URL = "http://platform.test"
CLIENT_ID, CLIENT_SECRET = "alpha-conseil", "s3cret"


@pytest.fixture
def emulator():
    app = Emulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, missing_sirens={"552100554"})
    transport = WSGITransport(app)
    http.mount(PLATFORM_URL, transport)
    app.transport = transport
    yield app
    http.unmount(PLATFORM_URL)


@pytest.fixture
def platform_firm(billing_firm, emulator):  # noqa: F811 (the fixture imported above)
    """The billing firm sending through the emulator."""
    with tenant_context(billing_firm.tenant):
        PlatformAccount.objects.create(
            connector="xp_z12_013",
            base_url=PLATFORM_URL,
            client_id=CLIENT_ID,
            client_secret_encrypted=crypto.encrypt(CLIENT_SECRET),
        )
    billing_firm.emulator = emulator
    return billing_firm
