"""Each member's notification preferences: in-app, email, digest, per event."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from adv.tenancy.context import require_tenant_id
from adv.tenancy.models import Membership

from .. import defaults
from ..errors import PermissionDenied
from ..models import (
    NotificationPreference,
)


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    daily_digest: bool

    @property
    def any(self) -> bool:
        return self.in_app or self.email or self.daily_digest


def _template_channels(template: defaults.DefaultTemplate) -> Channels:
    return Channels(in_app=template.in_app, email=template.email, daily_digest=template.daily_digest)


def _row_channels(row: NotificationPreference) -> Channels:
    return Channels(in_app=row.in_app, email=row.email, daily_digest=row.daily_digest)


def preferences_effective(*, user_ids: Iterable, event: str) -> dict:
    """Each user's channels for `event`: their row for the event, else their general row,
    else the event's registered default. One query."""
    template = defaults.get(event)
    user_ids = list(user_ids)
    rows: dict = {}
    for row in NotificationPreference.objects.filter(user_id__in=user_ids, event__in=["", event]):
        rows.setdefault(row.user_id, {})[row.event] = row
    result = {}
    for user_id in user_ids:
        own = rows.get(user_id, {})
        row = own.get(event) or own.get("")
        result[user_id] = _row_channels(row) if row else _template_channels(template)
    return result


@transaction.atomic
def preferences_update(
    *, actor: Membership, general: Channels, events: Mapping[str, Channels | None] | None = None
) -> None:
    """Save a user's general choice and their per-event choices (None: follow the general one)."""
    if actor is None or actor.tenant_id != require_tenant_id():
        raise PermissionDenied()
    NotificationPreference.objects.update_or_create(user=actor.user, event="", defaults=general.__dict__)
    for event, channels in (events or {}).items():
        if not event:
            continue
        defaults.get(event)
        if channels is None:
            NotificationPreference.objects.filter(user=actor.user, event=event).delete()
        else:
            NotificationPreference.objects.update_or_create(user=actor.user, event=event, defaults=channels.__dict__)
