"""Every write of webhooks: endpoints (create, edit, rotate the secret, test, delete), the events
recorded by the domain signals (the outbox), and their delivery.

Outbox: an event and its deliveries are rows written in the transaction that changed the data
(`events_record`, called by the receivers); the delivery task is queued after commit
(`adv.broker`), and the beat sweep (`deliveries_redispatch_due`) queues again what is due and what
a broker outage or a dead worker left. A rolled-back action leaves no event and sends nothing.

Delivery (`delivery_attempt`) is at least once: the attempt is claimed (`sending`) and committed,
the request leaves outside any transaction, its outcome is recorded in a second one. A worker that
dies in between leaves the row `sending`; the sweep sets it pending again and the retry carries the
same `webhook-id` (the event's id), which receivers use to drop a duplicate.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.broker import send_task_on_commit
from adv.tenancy.context import require_tenant_id, tenant_context
from adv.tenancy.models import Membership, Role
from clients import crypto

from . import access, signing, targets, transport
from .errors import Conflict, DomainError, NotFound, TargetRefused, WebhookErrorCode
from .event_types import EVENT_TYPES, TEST_EVENT_TYPE
from .models import Delivery, DeliveryStatus, DisabledReason, Endpoint, Event

logger = logging.getLogger(__name__)

# Delays after each failed attempt (exponential backoff); every attempt happens within
# RETRY_WINDOW of the first, the last one exactly at its end: 8 attempts over 24 hours.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
)
RETRY_WINDOW = timedelta(hours=24)
# An endpoint that answered nothing good for this long, when a delivery runs out of attempts, is
# disabled and the admins are told.
DISABLE_AFTER = timedelta(hours=24)
# A claim older than this was left by a worker that died mid-request (a request lasts TIMEOUT at most).
STALE_SENDING_AFTER = timedelta(minutes=2)
# A retry due within this delay is queued with a countdown; later ones are left to the sweep.
QUEUE_RETRY_WITHIN = timedelta(minutes=10)


def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))


def secret_grace() -> timedelta:
    return timedelta(hours=float(getattr(settings, "WEBHOOKS_SECRET_GRACE_HOURS", 24)))


# --- Endpoints -------------------------------------------------------------------------------------


def _clean_event_types(event_types) -> list[str]:
    chosen = list(dict.fromkeys(str(t) for t in (event_types or [])))
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise DomainError(
            _("Événements inconnus : %(types)s.") % {"types": ", ".join(unknown)},
            code=WebhookErrorCode.UNKNOWN_EVENT_TYPE,
            field="event_types",
        )
    if not chosen:
        raise DomainError(
            _("Choisissez au moins un événement."), code=WebhookErrorCode.NO_EVENT_TYPE, field="event_types"
        )
    return [t for t in EVENT_TYPES if t in chosen]  # the documented order


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise DomainError(_("L'adresse est obligatoire."), code=WebhookErrorCode.INVALID_URL, field="url")
    if len(url) > 2000:
        raise DomainError(_("Adresse trop longue."), code=WebhookErrorCode.INVALID_URL, field="url")
    targets.resolve(url)  # TargetRefused (field "url") for a scheme, a name or an address refused
    return url


def _endpoint(endpoint_id, *, lock: bool = False) -> Endpoint:
    queryset = Endpoint.objects.select_for_update() if lock else Endpoint.objects
    endpoint = queryset.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("Ce webhook n'existe pas."))
    return endpoint


@transaction.atomic
def endpoint_create(*, actor: Membership, url: str, event_types, description: str = "") -> tuple[Endpoint, str]:
    """A new endpoint, enabled, with a new secret: returned in clear this once (shown once)."""
    access.require_manage(actor)
    secret = signing.generate_secret()
    endpoint = Endpoint.objects.create(
        url=_clean_url(url),
        description=(description or "").strip()[:200],
        event_types=_clean_event_types(event_types),
        secret_encrypted=crypto.encrypt(secret),
        created_by=actor,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, actor: Membership, endpoint_id, **fields) -> Endpoint:
    """Edit `url`, `description`, `event_types`, `is_enabled` (re-enabling clears the reason and
    the failure streak: the next failure starts a new 24 hours)."""
    access.require_manage(actor)
    endpoint = _endpoint(endpoint_id, lock=True)
    unknown = set(fields) - {"url", "description", "event_types", "is_enabled"}
    if unknown:
        raise DomainError(_("Champs non modifiables : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    changed = []
    if "url" in fields:
        endpoint.url = _clean_url(fields["url"])
        changed.append("url")
    if "description" in fields:
        endpoint.description = (fields["description"] or "").strip()[:200]
        changed.append("description")
    if "event_types" in fields:
        endpoint.event_types = _clean_event_types(fields["event_types"])
        changed.append("event_types")
    if "is_enabled" in fields and bool(fields["is_enabled"]) != endpoint.is_enabled:
        endpoint.is_enabled = bool(fields["is_enabled"])
        if endpoint.is_enabled:
            endpoint.disabled_reason, endpoint.disabled_at, endpoint.failing_since = "", None, None
        else:
            endpoint.disabled_reason, endpoint.disabled_at = DisabledReason.MANUAL, timezone.now()
        changed += ["is_enabled", "disabled_reason", "disabled_at", "failing_since"]
    if changed:
        endpoint.save(update_fields=[*changed, "updated_at"])
    return endpoint


@transaction.atomic
def endpoint_delete(*, actor: Membership, endpoint_id) -> None:
    access.require_manage(actor)
    endpoint = _endpoint(endpoint_id, lock=True)
    endpoint.delete()  # its deliveries go with it (the events stay: other endpoints may carry them)


@transaction.atomic
def endpoint_rotate_secret(*, actor: Membership, endpoint_id, now: datetime | None = None) -> tuple[Endpoint, str]:
    """A new secret (returned in clear this once); the current one keeps signing beside it for
    the grace period (WEBHOOKS_SECRET_GRACE_HOURS), so that the receiver can switch without losing
    a message. A second rotation within the grace period drops the oldest secret."""
    access.require_manage(actor)
    now = now or timezone.now()
    endpoint = _endpoint(endpoint_id, lock=True)
    secret = signing.generate_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = now + secret_grace()
    endpoint.secret_encrypted = crypto.encrypt(secret)
    endpoint.secret_rotated_at = now
    endpoint.save(
        update_fields=[
            "previous_secret_encrypted", "previous_secret_expires_at", "secret_encrypted", "secret_rotated_at", "updated_at",
        ]
    )  # fmt: skip
    return endpoint, secret


def secrets_in_force(endpoint: Endpoint, now: datetime) -> list[str]:
    """The secrets that sign a message sent at `now`: the current one, and the previous one during
    its grace period."""
    secrets = [crypto.decrypt(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at and now < endpoint.previous_secret_expires_at:
        secrets.append(crypto.decrypt(endpoint.previous_secret_encrypted))
    return secrets


@transaction.atomic
def endpoint_send_test(*, actor: Membership, endpoint_id) -> Delivery:
    """A `webhook.test` event sent to this endpoint only (enabled or not), now."""
    access.require_manage(actor)
    endpoint = _endpoint(endpoint_id)
    event = Event.objects.create(
        type=TEST_EVENT_TYPE,
        payload={"endpoint": str(endpoint.pk), "message": "Test event sent from adv.", "requested_by": str(actor.pk)},
    )
    delivery = Delivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=timezone.now(), requested_by=actor)
    _dispatch_on_commit(delivery)
    return delivery


@transaction.atomic
def delivery_replay(*, actor: Membership, delivery_id) -> Delivery:
    """Send a delivery's event again to its endpoint: a new delivery with fresh attempts, same
    `webhook-id` (the event's id), so a receiver that processed it already can drop it."""
    access.require_manage(actor)
    original = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if original is None:
        raise NotFound(_("Cet envoi n'existe pas."))
    if original.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
        raise Conflict(
            _("Cet envoi est encore en cours : attendez son résultat avant de le rejouer."),
            code=WebhookErrorCode.DELIVERY_IN_PROGRESS,
        )
    delivery = Delivery.objects.create(
        endpoint_id=original.endpoint_id,
        event_id=original.event_id,
        next_attempt_at=timezone.now(),
        replay_of=original,
        requested_by=actor,
    )
    _dispatch_on_commit(delivery)
    return delivery


# --- Events (the outbox) ---------------------------------------------------------------------------


def events_record(event_type: str, payloads: list[dict]) -> list[Event]:
    """Record one event per payload and its delivery to every enabled endpoint subscribed to the
    type, in the caller's transaction; the deliveries are queued after commit. Nothing is written
    when no endpoint listens (most firms): the event would have nobody to go to."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {event_type!r}: add it to webhooks.event_types.")
    payloads = [p for p in payloads if p is not None]
    if not payloads:
        return []
    endpoint_ids = list(
        Endpoint.objects.filter(is_enabled=True, event_types__contains=[event_type]).order_by("id").values_list("id", flat=True)
    )
    if not endpoint_ids:
        return []
    tenant_id = require_tenant_id()
    now = timezone.now()
    events = Event.objects.bulk_create(
        [Event(tenant_id=tenant_id, type=event_type, payload=payload, created_at=now) for payload in payloads]
    )
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(tenant_id=tenant_id, endpoint_id=endpoint_id, event=event, next_attempt_at=now, created_at=now)
            for event in events
            for endpoint_id in endpoint_ids
        ]
    )
    for delivery in deliveries:
        _dispatch_on_commit(delivery)
    return events


def envelope(event: Event) -> bytes:
    """The body of every message: the same bytes for an event on every attempt."""
    document = {
        "id": str(event.pk),
        "type": event.type,
        "timestamp": event.created_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


# --- Delivery ----------------------------------------------------------------------------------------


def _dispatch_on_commit(delivery: Delivery) -> None:
    from .tasks import deliver

    send_task_on_commit(deliver, str(delivery.tenant_id), str(delivery.pk), recovery="the webhooks sweep queues it again")


def _dispatch_later(tenant_id, delivery_id, countdown: float) -> None:
    from .tasks import deliver

    try:
        deliver.apply_async(args=[str(tenant_id), str(delivery_id)], countdown=max(countdown, 0), retry=False)
    except Exception:  # the broker is away: the sweep picks the delivery up when it is due
        logger.warning("Broker unreachable: webhook delivery %s left to the sweep", delivery_id, exc_info=True)


def next_attempt_at(*, first: datetime, last: datetime, attempts: int) -> datetime | None:
    """When to try again after `attempts` failed attempts, the last at `last`, the first at
    `first`; None once the window is over."""
    end = first + RETRY_WINDOW
    if last >= end:
        return None
    delay = RETRY_DELAYS[attempts - 1] if 0 < attempts <= len(RETRY_DELAYS) else RETRY_WINDOW
    return min(last + delay, end)


def delivery_attempt(*, delivery_id, tenant_id=None, now: datetime | None = None) -> str:
    """Try one delivery if it is pending and due; returns its status afterwards (or "locked",
    "not_due"). Called by the task outside any transaction (three short ones: claim, request
    outside any, outcome)."""
    tenant_id = tenant_id or require_tenant_id()
    now = now or timezone.now()
    with tenant_context(tenant_id):
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "locked"  # another worker holds it, or it was deleted with its endpoint
        if delivery.status != DeliveryStatus.PENDING:
            return delivery.status
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return "not_due"
        endpoint, event = delivery.endpoint, delivery.event
        if not endpoint.is_enabled and event.type != TEST_EVENT_TYPE:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.error = _("Webhook désactivé : non envoyé.")
            delivery.save(update_fields=["status", "next_attempt_at", "error", "updated_at"])
            return delivery.status
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.last_attempt_at = now
        delivery.save(update_fields=["status", "attempts", "first_attempt_at", "last_attempt_at", "updated_at"])
        url = endpoint.url
        secrets = secrets_in_force(endpoint, now)
        body = envelope(event)
        msg_id = str(event.pk)
    response, error = None, ""
    try:
        target = targets.resolve(url)  # again now: the name may resolve elsewhere than at save time
        headers = {
            **signing.headers(secrets, msg_id, int(now.timestamp()), body),
            "Content-Type": "application/json",
            "User-Agent": "adv-webhooks/1",
        }
        response = transport.post(target, body, headers, timeout=timeout_seconds())
    except TargetRefused as refused:
        error = refused.message
    except Exception as exc:  # noqa: BLE001 - any transport failure is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
    return _record(tenant_id, delivery_id, now, response, error)


def _record(tenant_id, delivery_id, now: datetime, response: transport.Response | None, error: str) -> str:
    with tenant_context(tenant_id):
        delivery = Delivery.objects.select_for_update(of=("self",)).filter(pk=delivery_id).first()
        if delivery is None:
            return "deleted"
        endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        delivery.response_status = response.status if response else None
        delivery.response_body = response.body if response else ""
        delivery.duration_ms = response.duration_ms if response else None
        endpoint_fields = []
        if response is not None and 200 <= response.status < 300:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.next_attempt_at = None
            delivery.error = ""
            endpoint.failing_since = None
            endpoint.last_success_at = now
            endpoint_fields = ["failing_since", "last_success_at"]
        else:
            delivery.error = error or _("Réponse HTTP %(status)s (attendu : 2xx).") % {"status": response.status}
            if endpoint.failing_since is None:
                endpoint.failing_since = now
                endpoint_fields = ["failing_since"]
            following = next_attempt_at(first=delivery.first_attempt_at, last=now, attempts=delivery.attempts)
            if following is not None:
                delivery.status = DeliveryStatus.PENDING
                delivery.next_attempt_at = following
                if following - now <= QUEUE_RETRY_WITHIN:
                    transaction.on_commit(
                        lambda: _dispatch_later(tenant_id, delivery_id, (following - timezone.now()).total_seconds())
                    )
            else:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                if endpoint.is_enabled and endpoint.failing_since <= now - DISABLE_AFTER:
                    _disable_failing(endpoint, now)
                    endpoint_fields += ["is_enabled", "disabled_reason", "disabled_at"]
        delivery.save(
            update_fields=["status", "next_attempt_at", "error", "response_status", "response_body", "duration_ms", "updated_at"]
        )
        if endpoint_fields:
            endpoint.save(update_fields=[*dict.fromkeys(endpoint_fields), "updated_at"])
        return delivery.status


def _disable_failing(endpoint: Endpoint, now: datetime) -> None:
    """Disable an endpoint that failed for DISABLE_AFTER and tell the firm's admins."""
    from notifications.services import notify

    endpoint.is_enabled = False
    endpoint.disabled_reason = DisabledReason.FAILING
    endpoint.disabled_at = now
    logger.warning("Webhook endpoint %s disabled after failing since %s", endpoint.pk, endpoint.failing_since)
    admins = list(Membership.objects.filter(role=Role.ADMIN, is_active=True))
    tenant_slug = endpoint.tenant.slug
    notify(
        recipients=admins,
        event="webhooks.endpoint_disabled",
        context={"endpoint_url": endpoint.url, "failing_since": timezone.localtime(endpoint.failing_since).strftime("%d/%m/%Y %H:%M")},
        target=endpoint,
        url=reverse("webhooks:detail", kwargs={"tenant_slug": tenant_slug, "pk": endpoint.pk}),
    )


def deliveries_redispatch_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The sweep, in the active firm: a delivery left `sending` by a dead worker is pending again
    (its attempt counted: the request may have left; the retry has the same webhook-id), and every
    pending delivery due is queued again. Returns how many were queued."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, last_attempt_at__lt=now - STALE_SENDING_AFTER).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        error=_("Tentative interrompue (le message est peut-être parti) : renvoyé avec le même webhook-id."),
        updated_at=now,
    )
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    tenant_id = require_tenant_id()
    for delivery_id in ids:
        _dispatch_later(tenant_id, delivery_id, 0)
    return len(ids)

