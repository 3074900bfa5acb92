"""The firm's platform settings: credentials tried on save, a clear error when refused, secrets
encrypted and never shown back."""

from __future__ import annotations

import pytest

from adv.tenancy.context import tenant_context
from adv.tenancy.errors import DomainError
from clients import crypto
from einvoicing import account
from einvoicing.models import PlatformAccount
from tests.einvoicing.conftest import CLIENT_ID, CLIENT_SECRET, PLATFORM_URL

pytestmark = pytest.mark.django_db


def test_wrong_credentials_are_refused_on_save_with_a_clear_error(billing_firm, emulator):
    with tenant_context(billing_firm.tenant), pytest.raises(DomainError) as raised:
        account.account_update(actor=billing_firm.adv.membership, connector="xp_z12_013", base_url=PLATFORM_URL,
                               client_id=CLIENT_ID, secrets={"client_secret": "wrong"})
    assert raised.value.field == "base_url"
    assert "Test de connexion refusé" in str(raised.value) and "Identifiant ou secret client inconnu" in str(raised.value)
    with tenant_context(billing_firm.tenant):
        assert not PlatformAccount.objects.exists()


def test_good_credentials_are_saved_encrypted(billing_firm, emulator):
    with tenant_context(billing_firm.tenant):
        saved = account.account_update(actor=billing_firm.adv.membership, connector="xp_z12_013",
                                       base_url=PLATFORM_URL, client_id=CLIENT_ID,
                                       secrets={"client_secret": CLIENT_SECRET})
        assert saved.last_check_ok and saved.client_secret_encrypted != CLIENT_SECRET
        assert crypto.decrypt(saved.client_secret_encrypted) == CLIENT_SECRET
        again = account.account_update(actor=billing_firm.adv.membership, connector="xp_z12_013",
                                       base_url=PLATFORM_URL, client_id=CLIENT_ID, secrets={"client_secret": None})
        assert crypto.decrypt(again.client_secret_encrypted) == CLIENT_SECRET  # None keeps it


def test_only_the_billing_roles_change_the_platform(billing_firm, emulator):
    with tenant_context(billing_firm.tenant), pytest.raises(DomainError):
        account.account_update(actor=billing_firm.accountant.membership, connector="manual")


def test_the_settings_page_shows_the_refusal(billing_firm, emulator, client):
    client.force_login(billing_firm.adv.user)
    url = f"/t/{billing_firm.tenant.slug}/einvoicing/settings/"
    page = client.post(url, {"connector": "xp_z12_013", "base_url": PLATFORM_URL, "client_id": CLIENT_ID,
                             "client_secret": "nope", "chorus_api_url": "", "chorus_token_url": ""})
    assert page.status_code == 400
    assert "Test de connexion refusé" in page.content.decode()
    assert "nope" not in page.content.decode()
