"""In-app notifications: written with their email (outbox) per the recipients' preferences, read
marks, pushed live after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership

from .. import defaults
from ..errors import NotFound
from ..live import push_unread_counts_on_commit
from ..models import (
    Notification,
)
from .common import absolute_url, as_user, current_tenant, language_code
from .outbox import outbox_create
from .preferences import Channels, preferences_effective
from .templates import Overrides, message_render

User = get_user_model()

User = get_user_model()


def _recipient_memberships(recipients, exclude_user_id) -> list[Membership]:
    """Active members of the active tenant among `recipients` (Memberships or Users)."""
    membership_ids, user_ids = set(), set()
    for recipient in recipients:
        if isinstance(recipient, Membership):
            membership_ids.add(recipient.pk)
        elif isinstance(recipient, User):
            user_ids.add(recipient.pk)
        else:
            raise TypeError(f"notify() recipients are Memberships or Users, not {type(recipient).__name__}.")
    if not membership_ids and not user_ids:
        return []
    memberships = list(
        Membership.objects.select_related("user")
        .filter(models.Q(pk__in=membership_ids) | models.Q(user_id__in=user_ids), is_active=True, user__is_active=True)
        .exclude(user_id=exclude_user_id)
        .order_by("user__email")
    )
    unique = {m.user_id: m for m in memberships}
    return list(unique.values())


@transaction.atomic
def notify(
    *,
    recipients,
    event: str,
    context: dict[str, str],
    target=None,
    actor=None,
    url: str = "",
    held: Iterable = (),
) -> list[Notification]:
    """Tell `recipients` (Memberships or Users of the active tenant) that `event` happened.

    For each recipient, according to their preferences: an in-app notification, an email
    through the outbox (sent after commit), and/or an item of tomorrow's daily digest. Runs in
    the caller's transaction. The actor is not notified of their own action; inactive members
    and non-members are skipped. The template of `event` (see `notifications.defaults`) may
    use, besides the caller's context: recipient_name, actor_name, url, tenant_name.
    Returns the notifications written (one per recipient who wants any channel).
    `held`: ids of users in do-not-disturb (the chat): no in-app pop-up and no email for them, the
    item waits for their next digest.
    """
    defaults.get(event)  # an unregistered event is a programming error: fail before writing
    actor_user = as_user(actor)
    memberships = _recipient_memberships(recipients, exclude_user_id=actor_user.pk if actor_user else None)
    if not memberships:
        return []
    held = set(held)
    tenant = current_tenant()
    channels = preferences_effective(user_ids=[m.user_id for m in memberships], event=event)
    target_type, target_id = None, ""
    if target is not None:
        target_type = ContentType.objects.get_for_model(target)
        target_id = str(target.pk)
    overrides = Overrides(event)
    base_context = {
        "tenant_name": tenant.name,
        "actor_name": str(actor_user) if actor_user else "",
        "url": absolute_url(url),
        **context,
    }
    notifications, renders = [], {}
    for membership in memberships:
        chosen = channels[membership.user_id]
        if not chosen.any:
            continue
        if membership.user_id in held:
            chosen = Channels(in_app=False, email=False, daily_digest=True)
        user = membership.user
        language = language_code(user.language)
        rendered = message_render(
            key=event,
            language=language,
            context={**base_context, "recipient_name": str(user)},
            overrides=overrides,
        )
        notification = Notification(
            tenant_id=tenant.id,  # bulk_create bypasses TenantModel.save()
            recipient=user,
            event=event,
            title=rendered.subject[:255],
            body=rendered.text,
            url=url,
            target_content_type=target_type,
            target_object_id=target_id,
            actor=actor_user,
            in_app=chosen.in_app,
            in_digest=chosen.daily_digest,
        )
        notifications.append(notification)
        renders[notification.id] = (rendered, language, chosen)
    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        rendered, language, chosen = renders[notification.id]
        if chosen.email:
            outbox_create(
                to=[notification.recipient.email],
                cc=[],
                rendered=rendered,
                template_key=event,
                language=language,
                tenant=tenant,
                idempotency_key=f"notification:{notification.id}",
                notification=notification,
            )
    if any(n.in_app for n in notifications):
        push_unread_counts_on_commit([n.recipient_id for n in notifications if n.in_app])
    return notifications


def _inbox(user):
    return Notification.objects.filter(recipient=user, in_app=True)


@transaction.atomic
def notification_mark_read(*, user, notification_id) -> Notification:
    """Mark one of the user's own notifications read (another's answers NotFound)."""
    notification = _inbox(user).filter(pk=notification_id).first()
    if notification is None:
        raise NotFound(_("Cette notification n'existe pas."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
        _push_after(user)
    return notification


@transaction.atomic
def notification_mark_all_read(*, user) -> int:
    count = _inbox(user).filter(read_at__isnull=True).update(read_at=timezone.now(), updated_at=timezone.now())
    if count:
        _push_after(user)
    return count


def _push_after(user) -> None:
    push_unread_counts_on_commit([user.pk])
