"""API tokens page: create (raw token shown once, only its hash stored), list, revoke."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from adv.api.models import ApiToken
from adv.api.services import api_token_create
from adv.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db

RAW = re.compile(r'data-testid="raw-token">(adv_[A-Za-z0-9_-]+)<')


def _tokens(tenant):
    with tenant_context(tenant):
        return list(ApiToken.objects.order_by("created_at"))


def test_member_creates_a_token_and_sees_it_once(bob):
    client = bob.client()
    # when bob creates a token
    response = client.post(bob.url("tokens/"), {"name": "Tableur"})
    # then the raw token is shown, with a copy button, and never cached
    assert response.status_code == 200
    body = response.content.decode()
    raw = RAW.search(body)[1]
    assert "data-copy-target" in body
    assert "no-store" in response["Cache-Control"]
    # and the database keeps only its hash and prefix
    [token] = _tokens(bob.tenant)
    assert token.membership_id == bob.membership.pk
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and token.prefix != raw
    stored = {f.attname: getattr(token, f.attname) for f in ApiToken._meta.concrete_fields}
    assert raw not in {str(v) for v in stored.values()}
    # and the next visit lists the token without its secret
    listing = client.get(bob.url("tokens/")).content.decode()
    assert "Tableur" in listing and token.prefix in listing
    assert raw not in listing and 'data-testid="raw-token"' not in listing


def test_token_with_an_expiry_date_expires_at_the_end_of_that_day(bob):
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    bob.client().post(bob.url("tokens/"), {"name": "CI", "expires_on": day})
    [token] = _tokens(bob.tenant)
    assert timezone.localtime(token.expires_at).date().isoformat() == day


def test_past_expiry_and_missing_name_are_refused_inline(bob):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = bob.client().post(bob.url("tokens/"), {"name": "", "expires_on": yesterday})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ce champ est obligatoire" in body
    assert "postérieure à aujourd" in body
    assert _tokens(bob.tenant) == []


def test_member_revokes_own_token(bob):
    with tenant_context(bob.tenant):
        token, _raw = api_token_create(actor=bob.membership, name="Old")
    response = bob.client().post(bob.url(f"tokens/{token.pk}/revoke/"))
    assert response.status_code == 302
    [token] = _tokens(bob.tenant)
    assert token.revoked_at is not None


def test_member_cannot_see_or_revoke_a_colleagues_token(alice, bob):
    with tenant_context(alice.tenant):
        token, _raw = api_token_create(actor=alice.membership, name="Alice ERP")
    assert "Alice ERP" not in bob.client().get(bob.url("tokens/")).content.decode()
    assert bob.client().post(bob.url(f"tokens/{token.pk}/revoke/")).status_code == 404
    assert _tokens(alice.tenant)[0].revoked_at is None


def test_admin_sees_and_revokes_every_token_of_the_firm(alice, bob):
    with tenant_context(bob.tenant):
        token, _raw = api_token_create(actor=bob.membership, name="Bob script")
    body = alice.client().get(alice.url("tokens/")).content.decode()
    assert 'data-testid="firm-tokens"' in body and "Bob script" in body
    assert alice.client().post(alice.url(f"tokens/{token.pk}/revoke/")).status_code == 302
    assert _tokens(bob.tenant)[0].revoked_at is not None


def test_carol_cannot_revoke_alices_token(alice, carol):
    with tenant_context(alice.tenant):
        token, _raw = api_token_create(actor=alice.membership, name="Alice ERP")
    assert carol.client().post(carol.url(f"tokens/{token.pk}/revoke/")).status_code == 404
    assert carol.client().post(alice.url(f"tokens/{token.pk}/revoke/")).status_code == 404
    assert _tokens(alice.tenant)[0].revoked_at is None
