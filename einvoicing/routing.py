"""Which way an invoice leaves: the firm's platform (a French client, from the reform), Chorus Pro
(a public client, when the firm configured it), or none (a foreign client: email, and the sale goes
into the transactions e-reporting; or a firm without platform: the manual "À déposer" list)."""

from __future__ import annotations

PLATFORM = "xp_z12_013"
CHORUS_PRO = "chorus_pro"


def is_domestic(client) -> bool:
    return (client.billing_country or client.country or "FR").upper() == "FR"


def is_chorus_client(client) -> bool:
    profile = getattr(client, "billing_profile", None)
    return client.is_public_sector or (profile is not None and profile.einvoicing_platform == "chorus_pro")


def channel_for(client, account) -> str | None:
    if account is None:
        return None
    if is_chorus_client(client):
        return CHORUS_PRO if account.chorus_enabled else None
    if not is_domestic(client):
        return None
    if account.connector == PLATFORM and account.base_url:
        return PLATFORM
    return None


def reports_transactions(client, account) -> bool:
    """A non-domestic sale is e-reported (transactions) through the firm's platform."""
    return account is not None and account.connector == PLATFORM and bool(account.base_url) and not is_domestic(client)
