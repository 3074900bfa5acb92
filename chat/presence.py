"""Presence (online / away / offline) and do-not-disturb.

Presence lives in Redis, one hash per member and firm: a field per open WebSocket (one per tab),
whose value is "<last heartbeat>:<last activity>" (epoch seconds). Every tab's socket beats every
`HEARTBEAT` seconds and the key expires `TTL` seconds after the last beat, so a crashed worker
never leaves anyone "online": its tabs' fields stop being refreshed and are ignored once older
than `TTL`. A member is online when a live tab saw activity in the last `AWAY_AFTER` seconds, away
when tabs are open but idle, offline otherwise. With Redis down everyone reads "offline".

Do-not-disturb is stored in the database (`ChatStatus`): until a moment, and/or every day between
two times in the firm's time zone (overnight allowed: 19:00 → 08:00).
"""

from __future__ import annotations

import datetime
import logging
import time
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import redis
from django.conf import settings
from django.utils import timezone

from .models import ChatStatus

logger = logging.getLogger(__name__)

HEARTBEAT = 30
TTL = 90
AWAY_AFTER = 300
ONLINE, AWAY, OFFLINE = "online", "away", "offline"


@lru_cache(maxsize=1)
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def _key(tenant_id, membership_id) -> str:
    return f"chat:presence:{tenant_id}:{membership_id}"


def touch(tenant_id, membership_id, connection: str, *, active: bool, now: float | None = None) -> None:
    """A tab's heartbeat (`active`: the member did something since the last one)."""
    now = now if now is not None else time.time()
    key = _key(tenant_id, membership_id)
    try:
        client = _client()
        previous = client.hget(key, connection)
        last_active = now
        if not active and previous:
            try:
                last_active = float(previous.decode().split(":", 1)[1])
            except (IndexError, ValueError):
                last_active = now
        pipe = client.pipeline()
        pipe.hset(key, connection, f"{now}:{last_active}")
        pipe.expire(key, TTL)
        pipe.execute()
    except redis.RedisError:
        logger.info("Presence heartbeat dropped (Redis unreachable)", exc_info=True)


def leave(tenant_id, membership_id, connection: str) -> None:
    try:
        _client().hdel(_key(tenant_id, membership_id), connection)
    except redis.RedisError:
        logger.info("Presence leave dropped (Redis unreachable)", exc_info=True)


def _state(fields: dict, now: float) -> str:
    best = OFFLINE
    for value in fields.values():
        try:
            seen, active = (float(part) for part in value.decode().split(":", 1))
        except ValueError:
            continue
        if now - seen > TTL:
            continue  # a tab whose worker died
        if now - active <= AWAY_AFTER:
            return ONLINE
        best = AWAY
    return best


def states(tenant_id, membership_ids, *, now: float | None = None) -> dict:
    """Each member's presence, one round trip to Redis."""
    now = now if now is not None else time.time()
    ids = list(membership_ids)
    if not ids:
        return {}
    try:
        pipe = _client().pipeline()
        for membership_id in ids:
            pipe.hgetall(_key(tenant_id, membership_id))
        replies = pipe.execute()
    except redis.RedisError:
        logger.info("Presence read failed (Redis unreachable)", exc_info=True)
        return {membership_id: OFFLINE for membership_id in ids}
    return {membership_id: _state(reply or {}, now) for membership_id, reply in zip(ids, replies, strict=True)}


# --- Do-not-disturb -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dnd:
    active: bool
    until: datetime.datetime | None = None


def dnd_of(status: ChatStatus | None, *, now: datetime.datetime | None = None, time_zone: str = "Europe/Paris") -> Dnd:
    """Whether do-not-disturb is on at `now`, and until when."""
    if status is None:
        return Dnd(False)
    now = now or timezone.now()
    if status.dnd_until and status.dnd_until > now:
        return Dnd(True, status.dnd_until)
    if status.daily_start is not None and status.daily_end is not None and status.daily_start != status.daily_end:
        zone = zoneinfo.ZoneInfo(time_zone)
        local = now.astimezone(zone)
        start, end, clock = status.daily_start, status.daily_end, local.time()
        overnight = start > end
        inside = (start <= clock or clock < end) if overnight else (start <= clock < end)
        if inside:
            day = local.date() + datetime.timedelta(days=1) if overnight and clock >= start else local.date()
            return Dnd(True, datetime.datetime.combine(day, end, tzinfo=zone))
    return Dnd(False)


def dnd_map(membership_ids, *, now: datetime.datetime | None = None) -> dict:
    """{membership id: Dnd} for the active firm, one query."""
    from adv.tenancy.context import require_tenant_id
    from adv.tenancy.models import Tenant

    ids = list(membership_ids)
    zone = Tenant.objects.filter(pk=require_tenant_id()).values_list("time_zone", flat=True).first() or "Europe/Paris"
    rows = {row.membership_id: row for row in ChatStatus.objects.filter(membership_id__in=ids)}
    return {i: dnd_of(rows.get(i), now=now, time_zone=zone) for i in ids}
