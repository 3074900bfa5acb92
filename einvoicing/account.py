"""The firm's platform settings: read, and changed after a successful test call."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.errors import DomainError
from adv.tenancy.firm_settings import settings_for_update, settings_read
from adv.tenancy.models import Membership
from clients import crypto

from . import access, connectors
from .errors import EinvoicingErrorCode
from .models import ConnectorKind, PlatformAccount

logger = logging.getLogger(__name__)
FIELDS = {
    "connector", "base_url", "token_url", "client_id", "chorus_enabled", "chorus_api_url", "chorus_token_url",
    "chorus_client_id", "chorus_login", "chorus_structure_id",
}
SECRETS = {
    "client_secret": "client_secret_encrypted",
    "webhook_secret": "webhook_secret_encrypted",
    "chorus_client_secret": "chorus_client_secret_encrypted",
    "chorus_password": "chorus_password_encrypted",
}


def account() -> PlatformAccount:
    """The firm's settings, never written (an unsaved row with the defaults when never saved)."""
    return settings_read(PlatformAccount)


def account_update(*, actor: Membership, secrets: dict | None = None, **fields) -> PlatformAccount:
    """Change the firm's platform settings. Secrets: None or absent keeps one, "" clears it.
    The new credentials are tried first (a test call to each configured platform): a refusal is a
    clear error on the form and nothing is saved."""
    access.require_manage(actor)
    unknown = (set(fields) - FIELDS) | (set(secrets or {}) - set(SECRETS))
    if unknown:
        raise DomainError(_("Champs inconnus : %(f)s.") % {"f": ", ".join(sorted(unknown))},
                          code=EinvoicingErrorCode.UNKNOWN_FIELDS)
    candidate = account()
    for name, value in fields.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    for name, value in (secrets or {}).items():
        if value is not None:
            setattr(candidate, SECRETS[name], crypto.encrypt(value))
    if candidate.connector == ConnectorKind.XP_Z12_013 and not candidate.base_url:
        raise DomainError(_("Indiquez l'adresse de l'API de la plateforme."),
                          code=EinvoicingErrorCode.PLATFORM_URL_REQUIRED, field="base_url")
    _try(connectors.platform_for(candidate), "base_url")
    chorus = connectors.chorus_for(candidate)
    if chorus is not None:
        _try(chorus, "chorus_client_id")
    with transaction.atomic():
        current = settings_for_update(PlatformAccount)
        for name in FIELDS:
            setattr(current, name, getattr(candidate, name))
        for column in SECRETS.values():
            setattr(current, column, getattr(candidate, column))
        current.last_check_at, current.last_check_ok, current.last_check_error = timezone.now(), True, ""
        current.full_clean(exclude=["tenant"])
        current.save()
    return current


def _try(connector, field: str) -> None:
    try:
        connector.check()
    except connectors.PlatformError as exc:
        raise DomainError(
            _("Test de connexion refusé : %(error)s") % {"error": exc.message},
            code=EinvoicingErrorCode.PLATFORM_CHECK_FAILED,
            field=field,
        ) from exc
