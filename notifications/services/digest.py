"""The daily digest: the day's unread notifications in one email, sent once per member and day."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from adv.tenancy.models import Membership

from ..models import (
    DailyDigest,
    Notification,
)
from .common import absolute_url, current_tenant, language_code
from .outbox import email_enqueue

User = get_user_model()

User = get_user_model()
# Local hour (tenant time zone) from which the day's digest goes out.
DIGEST_HOUR = getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 7)


def _digest_items_text(notifications: list[Notification]) -> str:
    lines = []
    for notification in notifications:
        lines.append(f"- {notification.title}")
        if notification.url:
            lines.append(f"  {absolute_url(notification.url)}")
    return "\n".join(lines)


@transaction.atomic
def digest_send(*, user_id, day: date) -> DailyDigest | None:
    """Send `user_id` their digest of `day`, once: a second call for the same day does nothing."""
    try:
        with transaction.atomic():
            digest = DailyDigest.objects.create(recipient_id=user_id, day=day)
    except IntegrityError:
        return None  # already sent (or being sent by a concurrent run) for that day
    items = list(
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(recipient_id=user_id, in_digest=True, digest__isnull=True)
        .order_by("created_at")
    )
    if not items:
        digest.delete()
        return None
    Notification.objects.filter(pk__in=[n.pk for n in items]).update(digest=digest)
    user = User.objects.get(pk=user_id)
    tenant = current_tenant()
    language = language_code(user.language)
    email = email_enqueue(
        to=[user.email],
        template_key="daily_digest",
        context={
            "recipient_name": str(user),
            "date": day.strftime("%d/%m/%Y"),
            "count": str(len(items)),
            "items": _digest_items_text(items),
            "url": settings.SITE_URL + reverse("notifications:list", kwargs={"tenant_slug": tenant.slug}),
        },
        idempotency_key=f"digest:{user_id}:{day.isoformat()}",
        language=language,
    )
    digest.item_count = len(items)
    digest.email = email
    digest.save(update_fields=["item_count", "email", "updated_at"])
    return digest


def digest_send_due(*, now: datetime | None = None) -> int:
    """Send today's digest to every member of the active tenant who has digest items waiting,
    once the tenant's local clock has passed DIGEST_HOUR. Returns the number of digests sent."""
    tenant = current_tenant()
    local_now = timezone.localtime(now or timezone.now(), zoneinfo.ZoneInfo(tenant.time_zone))
    if local_now.hour < DIGEST_HOUR:
        return 0
    day = local_now.date()
    waiting = set(
        Notification.objects.filter(in_digest=True, digest__isnull=True).values_list("recipient_id", flat=True)
    )
    if not waiting:
        return 0
    already = set(DailyDigest.objects.filter(day=day, recipient_id__in=waiting).values_list("recipient_id", flat=True))
    members = set(
        Membership.objects.filter(user_id__in=waiting - already, is_active=True).values_list("user_id", flat=True)
    )
    sent = 0
    for user_id in sorted(members, key=str):
        if digest_send(user_id=user_id, day=day) is not None:
            sent += 1
    return sent
