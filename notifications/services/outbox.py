"""The email outbox (DESIGN: outbox pattern): the row is written in the caller's transaction and a
Celery task is dispatched after commit. If the broker is down the dispatch is logged and dropped;
`tasks.outbox_sweep` re-dispatches every due row a minute later, so nothing is lost, and delivery
is idempotent, so nothing is sent twice."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id, tenant_context
from adv.tenancy.models import Membership, Tenant
from adv.tenancy.tasks import jittered

from ..errors import Conflict, DomainError, NotFound, NotificationErrorCode
from ..models import (
    Notification,
    OutboxEmail,
    OutboxStatus,
)
from ..rendering import Rendered
from .common import current_tenant, email_domain, language_code, require_admin
from .templates import message_render

logger = logging.getLogger(__name__)

logger = logging.getLogger(__name__)
# Delivery attempts before an email is marked failed, and the backoff between them
# (1, 2, 4, 8 minutes… with jitter, capped at one hour).
MAX_ATTEMPTS = getattr(settings, "NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 5)
RETRY_BASE_SECONDS = getattr(settings, "NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS", 60)
RETRY_MAX_SECONDS = 3600
# A claim older than this was left by a worker that died mid-send (an SMTP exchange takes seconds).
STUCK_SENDING_AFTER = timedelta(minutes=15)


def _clean_addresses(addresses: Iterable[str] | None, *, field: str) -> list[str]:
    cleaned = []
    for address in addresses or []:
        address = (address or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError(
                _("Adresse e-mail invalide : %(address)s") % {"address": address},
                code=NotificationErrorCode.INVALID_EMAIL,
                field=field,
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
    from ..tasks import deliver_email

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


def outbox_create(
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
    tenant = current_tenant()
    language = language_code(language or tenant.language)
    rendered = message_render(key=template_key, language=language, context={"tenant_name": tenant.name, **context})
    return outbox_create(
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
        headers={"Message-ID": f"<{email.id}@{email_domain()}>"},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        with default_storage.open(attachment["path"], "rb") as handle:
            message.attach(
                attachment["name"], handle.read(), attachment.get("content_type") or "application/octet-stream"
            )
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
    require_admin(actor)
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
        last_error=_(
            "Envoi interrompu : le message est peut-être parti. Vérifiez avec le destinataire avant de le renvoyer."
        ),
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
