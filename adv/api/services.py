"""API token lifecycle: created and revoked by the member who owns it (or a tenant admin)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.errors import DomainError, PermissionDenied
from adv.tenancy.models import Membership, Role

from .errors import ApiErrorCode
from .models import ApiToken
from .tokens import generate_token


@transaction.atomic
def api_token_create(
    *, actor: Membership, name: str, expires_at: datetime | None = None, second_factor_verified: bool = False
) -> tuple[ApiToken, str]:
    """Create a token for the actor's own membership. The raw token is returned once.

    `second_factor_verified`: the creating session passed the second factor. A firm that requires
    one for the actor's role refuses tokens created without it (at creation and at each use)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Donnez un nom au jeton (par exemple « Intégration comptable »)."), code=ApiErrorCode.NAME_REQUIRED, field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("La date d'expiration doit être dans le futur."), code=ApiErrorCode.EXPIRY_IN_PAST, field="expires_at")
    if actor.must_use_second_factor and not second_factor_verified:
        raise PermissionDenied(
            _("Validez d'abord la double authentification : votre cabinet l'exige pour créer un jeton."),
            code=ApiErrorCode.SECOND_FACTOR_REQUIRED,
        )
    raw, prefix, key_hash = generate_token()
    token = ApiToken.objects.create(
        membership=actor, name=name[:100], prefix=prefix, key_hash=key_hash, expires_at=expires_at,
        second_factor_verified=second_factor_verified,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Membership, token: ApiToken) -> ApiToken:
    if token.membership_id != actor.id and actor.role != Role.ADMIN:
        raise PermissionDenied(_("Vous ne pouvez révoquer que vos propres jetons."))
    token = ApiToken.objects.select_for_update(of=("self",)).get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
