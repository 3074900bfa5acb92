"""Platform connectors behind one interface (base.Connector); `for_firm` and `chorus_for_firm`
build the firm's from its settings (einvoicing.models.PlatformAccount)."""

from __future__ import annotations

from clients import crypto

from .base import (
    Connector,
    DirectoryAnswer,
    IncomingInvoice,
    NotSupported,
    OutgoingFlow,
    PaymentReportData,
    PlatformError,
    StatusUpdate,
    TransactionReportData,
)
from .chorus_pro import ChorusProConnector
from .manual import ManualConnector
from .xp_z12_013 import XpZ12013Connector

__all__ = [
    "ChorusProConnector",
    "Connector",
    "DirectoryAnswer",
    "IncomingInvoice",
    "ManualConnector",
    "NotSupported",
    "OutgoingFlow",
    "PaymentReportData",
    "PlatformError",
    "StatusUpdate",
    "TransactionReportData",
    "XpZ12013Connector",
    "chorus_for",
    "platform_for",
]


def platform_for(account) -> Connector:
    """The firm's platform connector (manual when none is configured)."""
    if account is None or account.connector != "xp_z12_013" or not account.base_url:
        return ManualConnector()
    return XpZ12013Connector(
        base_url=account.base_url,
        token_url=account.token_url,
        client_id=account.client_id,
        client_secret=crypto.decrypt(account.client_secret_encrypted),
    )


def chorus_for(account) -> Connector | None:
    """The firm's Chorus Pro connector, or None when Chorus Pro is not configured."""
    if account is None or not account.chorus_enabled or not account.chorus_api_url:
        return None
    return ChorusProConnector(
        api_url=account.chorus_api_url,
        token_url=account.chorus_token_url,
        client_id=account.chorus_client_id,
        client_secret=crypto.decrypt(account.chorus_client_secret_encrypted),
        login=account.chorus_login,
        password=crypto.decrypt(account.chorus_password_encrypted),
        structure_id=account.chorus_structure_id,
    )
