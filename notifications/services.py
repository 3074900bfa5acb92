"""Every write of the notifications core. One function per business action.

Emails follow the outbox pattern (DESIGN.md section 6): the row is written in the caller's
transaction and a Celery task is dispatched after commit. If the broker is down the dispatch
is logged and dropped; `tasks.outbox_sweep` re-dispatches every due row a minute later, so
nothing is lost, and delivery is idempotent, so nothing is sent twice.
"""

from __future__ import annotations

import logging
import time
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id, tenant_context
from adv.tenancy.models import Membership, Role, Tenant
from adv.tenancy.tasks import jittered

from . import defaults
from .errors import Conflict, DomainError, InvalidTemplate, NotFound, NotificationErrorCode, PermissionDenied
from .models import (
    DailyDigest,
    MessageTemplate,
    Notification,
    NotificationPreference,
    OutboxEmail,
    OutboxStatus,
)
from .rendering import Rendered, TemplateSyntaxError, render_message, template_errors

logger = logging.getLogger(__name__)
User = get_user_model()

# Delivery attempts before an email is marked failed, and the backoff between them
# (1, 2, 4, 8 minutes… with jitter, capped at one hour).
MAX_ATTEMPTS = getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 5)
RETRY_BASE_SECONDS = getattr(settings, "NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS", 60)
RETRY_MAX_SECONDS = 3600
# A claim older than this was left by a worker that died mid-send (an SMTP exchange takes seconds).
STUCK_SENDING_AFTER = timedelta(minutes=15)
# Local hour (tenant time zone) from which the day's digest goes out.
DIGEST_HOUR = getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 7)


# --- Permissions and small helpers -------------------------------------------------------------


def _require_admin(actor: Membership | None) -> None:
    if actor is None or not actor.is_active or actor.role != Role.ADMIN or actor.tenant_id != require_tenant_id():
        raise PermissionDenied(_("Réservé aux administrateurs de la société."))


def _current_tenant() -> Tenant:
    return Tenant.objects.get(pk=require_tenant_id())


def _language(language: str | None, fallback: str = defaults.FALLBACK_LANGUAGE) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else fallback


def absolute_url(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def _as_user(person) -> User | None:
    if person is None:
        return None
    if isinstance(person, Membership):
        return person.user
    return person


def _email_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "adv.localhost"


# --- Message templates: resolution and rendering -------------------------------------------------


class _Overrides:
    """The tenant's overrides of one message key, loaded once per language."""

    def __init__(self, key: str):
        self.key = key
        self._by_language: dict[str, MessageTemplate | None] = {}

    def get(self, language: str) -> MessageTemplate | None:
        if language not in self._by_language:
            self._by_language[language] = MessageTemplate.objects.filter(key=self.key, language=language).first()
        return self._by_language[language]


def message_render(
    *, key: str, language: str, context: Mapping[str, object], overrides: _Overrides | None = None
) -> Rendered:
    """Render message `key` in `language` with the tenant's override, else the default.

    Only the placeholders the message declares are given to the template; a declared one the
    caller did not supply renders empty (and is logged). An override that no longer validates
    (its message's placeholders changed since) falls back to the default.
    """
    template = defaults.get(key)
    missing = [name for name in template.placeholders if name not in context]
    if missing:
        logger.warning("Message %s rendered without %s", key, ", ".join(missing))
    values = {name: "" if context.get(name) is None else str(context.get(name)) for name in template.placeholders}
    override = (overrides or _Overrides(key)).get(language)
    if override is not None:
        try:
            return render_message(override.subject, override.body, values, language=language)
        except TemplateSyntaxError:
            logger.error("Tenant template %s/%s is invalid; the default is used", key, language)
    return render_message(template.subject(language), template.body(language), values, language=language)


def _template_field_errors(key: str, subject: str, body: str) -> dict[str, list[str]]:
    allowed = defaults.get(key).placeholders
    errors = {}
    if not subject.strip():
        errors["subject"] = [_("L'objet est obligatoire.")]
    elif "\n" in subject or "\r" in subject:
        errors["subject"] = [_("L'objet tient sur une seule ligne.")]
    else:
        errors["subject"] = template_errors(subject, allowed)
    errors["body"] = [_("Le texte est obligatoire.")] if not body.strip() else template_errors(body, allowed)
    return {name: messages for name, messages in errors.items() if messages}


def message_template_preview(*, key: str, language: str, subject: str, body: str) -> Rendered:
    """Render a draft with the message's sample values; raises InvalidTemplate."""
    errors = _template_field_errors(key, subject, body)
    if errors:
        raise InvalidTemplate(errors)
    return render_message(subject, body, defaults.get(key).sample_values(), language=language)


@transaction.atomic
def message_template_save(
    *, actor: Membership, key: str, language: str, subject: str, body: str
) -> MessageTemplate:
    """Create or replace the tenant's wording of a message in one language."""
    _require_admin(actor)
    defaults.get(key)
    if language not in defaults.LANGUAGES:
        raise NotFound(_("Langue inconnue."))
    subject = subject.strip()
    body = body.replace("\r\n", "\n").strip()
    errors = _template_field_errors(key, subject, body)
    if errors:
        raise InvalidTemplate(errors)
    template, _created = MessageTemplate.objects.update_or_create(
        key=key, language=language, defaults={"subject": subject, "body": body, "updated_by": actor.user}
    )
    return template


@transaction.atomic
def message_template_reset(*, actor: Membership, key: str, language: str) -> None:
    """Go back to the default wording."""
    _require_admin(actor)
    defaults.get(key)
    MessageTemplate.objects.filter(key=key, language=language).delete()


# --- Email outbox ------------------------------------------------------------------------------


def _clean_addresses(addresses: Iterable[str] | None, *, field: str) -> list[str]:
    cleaned = []
    for address in addresses or []:
        address = (address or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError(
                _("Adresse e-mail invalide : %(address)s") % {"address": address}, code=NotificationErrorCode.INVALID_EMAIL, field=field
            )
        if address not in cleaned:
            cleaned.append(address)
    return cleaned


class _BrokerBreaker:
    """After a failed dispatch, skip dispatching for a while: with Redis down each attempt
    stalls for seconds (kombu's connect timeout), and the sweep will dispatch anyway."""

    pause_seconds = 30.0

    def __init__(self):
        self.closed_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.closed_until

    def trip(self) -> None:
        self.closed_until = time.monotonic() + self.pause_seconds

    def reset(self) -> None:
        self.closed_until = 0.0


broker_breaker = _BrokerBreaker()


def _dispatch(tenant_id, email_id) -> None:
    """Hand an email to Celery. A broker outage is logged, never raised: the sweep retries."""
    from .tasks import deliver_email

    if broker_breaker.is_open():
        logger.info("Broker recently unreachable: outbox email %s is left to the sweep", email_id)
        return
    try:
        deliver_email.apply_async(args=[str(tenant_id), str(email_id)], retry=False)
    except Exception:  # the row is safe in the database; outbox_sweep re-dispatches it
        broker_breaker.trip()
        logger.warning("Could not dispatch outbox email %s; the sweep will retry it", email_id, exc_info=True)


def _dispatch_on_commit(email: OutboxEmail) -> None:
    transaction.on_commit(partial(_dispatch, email.tenant_id, email.id))


def _outbox_create(
    *,
    to: list[str],
    cc: list[str],
    rendered: Rendered,
    template_key: str,
    language: str,
    tenant: Tenant,
    idempotency_key: str | None,
    notification: Notification | None = None,
    attachments: list[dict] | None = None,
) -> OutboxEmail:
    body_html = render_to_string(
        "notifications/email/message.html",
        {"subject": rendered.subject, "body_html": rendered.html, "tenant_name": tenant.name, "language": language},
    )
    try:
        with transaction.atomic():
            email = OutboxEmail.objects.create(
                to=to,
                cc=cc,
                subject=rendered.subject[:255],
                body=rendered.text,
                body_html=body_html,
                template_key=template_key,
                language=language,
                idempotency_key=idempotency_key,
                notification=notification,
                attachments=attachments or [],
            )
    except IntegrityError:
        if idempotency_key is None:
            raise
        # A concurrent transaction used the same key first: its row is the email.
        return OutboxEmail.objects.get(idempotency_key=idempotency_key)
    _dispatch_on_commit(email)
    return email


@transaction.atomic
def email_enqueue(
    *,
    to: list[str],
    template_key: str,
    context: dict[str, str],
    idempotency_key: str | None = None,
    cc: list[str] | None = None,
    language: str | None = None,
    attachments: list[dict] | None = None,
) -> OutboxEmail:
    """Write an email to the outbox of the active tenant; it is sent after commit.

    `attachments`: files of the default storage, `{"name", "path", "content_type"}` each.

    `idempotency_key`: an email already enqueued with this key in the tenant is returned as is
    (no second email). `language` defaults to the tenant's.
    """
    if idempotency_key is not None:
        existing = OutboxEmail.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    to = _clean_addresses(to, field="to")
    if not to:
        raise DomainError(_("Aucun destinataire."), code=NotificationErrorCode.NO_RECIPIENT, field="to")
    cc = _clean_addresses(cc, field="cc")
    tenant = _current_tenant()
    language = _language(language or tenant.language)
    rendered = message_render(key=template_key, language=language, context={"tenant_name": tenant.name, **context})
    return _outbox_create(
        to=to,
        cc=cc,
        rendered=rendered,
        template_key=template_key,
        language=language,
        tenant=tenant,
        idempotency_key=idempotency_key,
        attachments=attachments,
    )


def _retry_delay(attempts: int) -> timedelta:
    seconds = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=jittered(seconds))


def sender_for(tenant) -> tuple[str, list[str]]:
    """The From and Reply-To of a firm's emails: the firm's name on the platform's sending address
    ("Alpha Conseil <no-reply@…>", never the product's name), replies to the firm's billing contact."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@adv.localhost"
    if tenant is None or not tenant.name:
        return settings.DEFAULT_FROM_EMAIL, []
    from_email = str(Address(display_name=tenant.name, addr_spec=address))
    return from_email, ([tenant.billing_email] if tenant.billing_email else [])


def _send(email: OutboxEmail) -> None:
    from_email, reply_to = sender_for(email.tenant)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=from_email,
        reply_to=reply_to,
        to=email.to,
        cc=email.cc,
        # A stable Message-ID lets receiving servers drop a duplicate of the same outbox row.
        headers={"Message-ID": f"<{email.id}@{_email_domain()}>"},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        with default_storage.open(attachment["path"], "rb") as handle:
            message.attach(attachment["name"], handle.read(), attachment.get("content_type") or "application/octet-stream")
    if message.send(fail_silently=False) != 1:
        raise RuntimeError("The email backend accepted no message.")


def outbox_email_deliver(*, email_id, tenant_id=None, now: datetime | None = None) -> str:
    """Send one outbox email if it is pending and due; returns its status afterwards.

    At most once: the row is claimed (`sending`, one more attempt) and that claim is committed
    before the message leaves, then the outcome is recorded in a second transaction. A second
    worker finds the row locked or already `sending` and does nothing; a worker that dies between
    the two leaves the row `sending`, which the sweep turns into a visible failure after
    STUCK_SENDING_AFTER, for a person to check with the recipient and retry (never an automatic
    duplicate; the stable Message-ID also lets receiving servers drop a retried copy). A failed
    attempt is recorded (error, attempt count) and scheduled again with exponential backoff and
    jitter; after MAX_ATTEMPTS the email is `failed` until an admin retries it.

    Called by the task with the firm's id, outside any transaction (in a test, inside the firm's
    context, where the three steps are savepoints of the test's transaction).
    """
    tenant_id = tenant_id or require_tenant_id()
    now = now or timezone.now()
    with tenant_context(tenant_id):
        email = OutboxEmail.objects.select_for_update(skip_locked=True, of=("self",)).filter(pk=email_id).first()
        if email is None:
            return "locked"  # another worker holds it, or it does not exist in this tenant
        if email.status != OutboxStatus.PENDING:
            return email.status
        if email.next_attempt_at is not None and email.next_attempt_at > now:
            return "not_due"
        email.status = OutboxStatus.SENDING
        email.attempts += 1
        email.save(update_fields=["status", "attempts", "updated_at"])
    error = ""
    try:
        with tenant_context(tenant_id):
            _send(email)
    except Exception as exc:  # noqa: BLE001 - any transport error is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
    with tenant_context(tenant_id):
        email = OutboxEmail.objects.select_for_update(of=("self",)).get(pk=email_id)
        if error:
            email.last_error = error
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboxStatus.FAILED
                email.next_attempt_at = None
                logger.error("Outbox email %s failed after %s attempts: %s", email.id, email.attempts, error)
            else:
                email.status = OutboxStatus.PENDING
                email.next_attempt_at = now + _retry_delay(email.attempts)
                logger.warning("Outbox email %s attempt %s failed: %s", email.id, email.attempts, error)
        else:
            email.status = OutboxStatus.SENT
            email.sent_at = timezone.now()
            email.next_attempt_at = None
            email.last_error = ""
        email.save(update_fields=["status", "sent_at", "next_attempt_at", "last_error", "updated_at"])
        return email.status


@transaction.atomic
def outbox_email_retry(*, actor: Membership, email_id) -> OutboxEmail:
    """An admin sends a failed (or stuck pending) email again, with a fresh set of attempts."""
    _require_admin(actor)
    email = OutboxEmail.objects.select_for_update(of=("self",)).filter(pk=email_id).first()
    if email is None:
        raise NotFound(_("Cet e-mail n'existe pas."))
    if email.status == OutboxStatus.SENT:
        raise Conflict(_("Cet e-mail a déjà été envoyé."), code=NotificationErrorCode.EMAIL_ALREADY_SENT)
    email.status = OutboxStatus.PENDING
    email.attempts = 0
    email.next_attempt_at = timezone.now()
    email.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    _dispatch_on_commit(email)
    return email


def outbox_redispatch_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Dispatch again every pending email of the active tenant whose attempt is due, and turn the
    emails left `sending` by a worker that died into failures a person can see and retry."""
    now = now or timezone.now()
    OutboxEmail.objects.filter(status=OutboxStatus.SENDING, updated_at__lt=now - STUCK_SENDING_AFTER).update(
        status=OutboxStatus.FAILED,
        next_attempt_at=None,
        last_error=_("Envoi interrompu : le message est peut-être parti. Vérifiez avec le destinataire avant de le renvoyer."),
        updated_at=now,
    )
    ids = list(
        OutboxEmail.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    tenant_id = require_tenant_id()
    for email_id in ids:
        _dispatch(tenant_id, email_id)
    return len(ids)


# --- Preferences ---------------------------------------------------------------------------------


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
    NotificationPreference.objects.update_or_create(
        user=actor.user, event="", defaults=general.__dict__
    )
    for event, channels in (events or {}).items():
        if not event:
            continue
        defaults.get(event)
        if channels is None:
            NotificationPreference.objects.filter(user=actor.user, event=event).delete()
        else:
            NotificationPreference.objects.update_or_create(user=actor.user, event=event, defaults=channels.__dict__)


# --- In-app notifications --------------------------------------------------------------------


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
    actor_user = _as_user(actor)
    memberships = _recipient_memberships(recipients, exclude_user_id=actor_user.pk if actor_user else None)
    if not memberships:
        return []
    held = set(held)
    tenant = _current_tenant()
    channels = preferences_effective(user_ids=[m.user_id for m in memberships], event=event)
    target_type, target_id = None, ""
    if target is not None:
        target_type = ContentType.objects.get_for_model(target)
        target_id = str(target.pk)
    overrides = _Overrides(event)
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
        language = _language(user.language)
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
            _outbox_create(
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
        from .live import push_unread_counts_on_commit

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
    from .live import push_unread_counts_on_commit

    push_unread_counts_on_commit([user.pk])


# --- Daily digest ------------------------------------------------------------------------------


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
    tenant = _current_tenant()
    language = _language(user.language)
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
    tenant = _current_tenant()
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
