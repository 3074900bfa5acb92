"""Every write of the chat, one function per action, in one transaction, rights checked here.

Posting a message: the reader's rights on the conversation (`access`), the rate limit (30 messages
in 10 seconds per member), the length (10,000 characters), the mentions (members of the firm who
may read the conversation), the object references, the attachments (checked and stored like every
document by `documents.files.store_upload`). Then the followers' unread counts, the mention
notifications (through the member's preferences and the outbox, held for the digest during
do-not-disturb) and, after commit, the live events.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from adv.tenancy.context import require_tenant_id
from adv.tenancy.errors import NotFound, PermissionDenied
from adv.tenancy.models import Membership
from documents import files

from . import access, live, markup, objects, presence
from .errors import ChatError, ChatErrorCode, RateLimited
from .models import (
    EDIT_WINDOW,
    MAX_LENGTH,
    Attachment,
    ChatStatus,
    Conversation,
    ConversationKind,
    Message,
    MessageKind,
    ObjectType,
    Participant,
)

RATE_LIMIT = 30
RATE_WINDOW = datetime.timedelta(seconds=10)
MAX_GROUP = 20


def _active(actor: Membership | None) -> Membership:
    if actor is None or not actor.is_active or actor.tenant_id != require_tenant_id():
        raise PermissionDenied(_("Vous n'avez pas accès au chat."))
    return actor


def _not_found() -> NotFound:
    return NotFound(_("Cette conversation n'existe pas."))


def conversation_get(*, actor: Membership, pk) -> Conversation:
    """A conversation the actor may read; NotFound otherwise (missing, another firm's, or closed to them)."""
    _active(actor)
    try:
        conversation = Conversation.objects.get(pk=pk)
    except (Conversation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise _not_found() from None
    if not access.may_read(actor, conversation):
        raise _not_found()
    return conversation


# --- Conversations -------------------------------------------------------------------------------


@transaction.atomic
def thread_for_object(*, actor: Membership | None, object_type: str, object_id, create: bool = True) -> Conversation | None:
    """The thread of a business object (created on first use). NotFound when the object is not the
    firm's or the actor may not see it (`actor` None: the system, for its own messages)."""
    if object_type not in ObjectType.values:
        raise NotFound(_("Type d'objet inconnu."))
    try:
        object_id = uuid.UUID(str(object_id))
    except ValueError:
        raise NotFound(_("Cet objet n'existe pas.")) from None
    if actor is not None:
        _active(actor)
        if not access.may_read_object(actor, object_type, object_id):
            raise NotFound(_("Cet objet n'existe pas."))
    existing = Conversation.objects.filter(kind=ConversationKind.OBJECT, object_type=object_type, object_id=object_id).first()
    if existing is not None or not create:
        return existing
    target = objects.resolve(object_type, object_id)
    if target is None:
        raise NotFound(_("Cet objet n'existe pas."))
    try:
        with transaction.atomic():
            return Conversation.objects.create(
                kind=ConversationKind.OBJECT, object_type=object_type, object_id=target.id, title=target.title[:200],
                created_by=actor,
            )
    except IntegrityError:  # created meanwhile by another request
        return Conversation.objects.get(kind=ConversationKind.OBJECT, object_type=object_type, object_id=object_id)


def _members(ids: Iterable, *, exclude=None) -> list[Membership]:
    wanted = set()
    for value in ids:
        try:
            wanted.add(uuid.UUID(str(value)))
        except ValueError:
            raise ChatError(_("Membre inconnu."), code=ChatErrorCode.INVALID_MEMBERS, field="members") from None
    wanted.discard(exclude)
    found = list(Membership.objects.select_related("user").filter(pk__in=wanted, is_active=True))
    if len(found) != len(wanted):
        raise ChatError(_("Ces personnes ne sont pas toutes membres actifs de la société."), code=ChatErrorCode.INVALID_MEMBERS,
                        field="members")
    return found


def _name(m: Membership) -> str:
    return m.user.get_full_name() or m.user.email


@transaction.atomic
def conversation_open(*, actor: Membership, members: Iterable, title: str = "") -> Conversation:
    """A direct message with one member (the existing one if any), or a small group with several."""
    actor = _active(actor)
    others = _members(members, exclude=actor.pk)
    if not others:
        raise ChatError(_("Choisissez au moins une personne."), code=ChatErrorCode.INVALID_MEMBERS, field="members")
    if len(others) + 1 > MAX_GROUP:
        raise ChatError(_("Un groupe compte au plus %(n)d personnes.") % {"n": MAX_GROUP}, code=ChatErrorCode.INVALID_MEMBERS,
                        field="members")
    if len(others) == 1:
        key = ":".join(sorted([str(actor.pk), str(others[0].pk)]))
        conversation = Conversation.objects.filter(kind=ConversationKind.DIRECT, direct_key=key).first()
        if conversation is None:
            conversation = Conversation.objects.create(kind=ConversationKind.DIRECT, direct_key=key, created_by=actor)
    else:
        names = ", ".join(sorted(_name(m) for m in others))
        conversation = Conversation.objects.create(
            kind=ConversationKind.GROUP, title=(title.strip() or names)[:200], created_by=actor,
        )
    _join(conversation, [actor, *others])
    return conversation


@transaction.atomic
def channel_create(*, actor: Membership, name: str, members: Iterable = ()) -> Conversation:
    """A named channel of the firm (`#adv`, `#facturation`): ADV and admins create them."""
    actor = _active(actor)
    if not access.may_create_channel(actor):
        raise PermissionDenied(_("Seuls l'ADV et les administrateurs créent des canaux."))
    name = name.strip().lstrip("#").strip().lower().replace(" ", "-")
    if not name or len(name) > 60:
        raise ChatError(_("Donnez un nom au canal (60 caractères au plus)."), field="name")
    if Conversation.objects.filter(kind=ConversationKind.CHANNEL, title=name).exists():
        raise ChatError(_("Le canal #%(name)s existe déjà.") % {"name": name}, code=ChatErrorCode.CHANNEL_NAME_TAKEN, field="name")
    conversation = Conversation.objects.create(kind=ConversationKind.CHANNEL, title=name, created_by=actor)
    _join(conversation, [actor, *_members(members, exclude=actor.pk)])
    return conversation


@transaction.atomic
def channel_join(*, actor: Membership, conversation_id) -> Conversation:
    conversation = conversation_get(actor=actor, pk=conversation_id)
    if conversation.kind != ConversationKind.CHANNEL:
        raise _not_found()
    _join(conversation, [actor])
    return conversation


def _join(conversation: Conversation, members: Iterable[Membership], *, read_to: int | None = None) -> None:
    """Make `members` followers (existing followers keep their marker): one query."""
    last = read_to if read_to is not None else _last_seq(conversation)
    Participant.objects.bulk_create(
        [Participant(tenant_id=conversation.tenant_id, conversation=conversation, membership=m, last_read_seq=last) for m in members],
        ignore_conflicts=True,
    )


def _last_seq(conversation: Conversation) -> int:
    return Message.objects.filter(conversation=conversation).order_by("-seq").values_list("seq", flat=True).first() or 0


# --- Messages -----------------------------------------------------------------------------------


def _check_body(body: str, *, has_files: bool) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > MAX_LENGTH:
        raise ChatError(
            _("Message trop long : %(n)s caractères au plus.") % {"n": f"{MAX_LENGTH:,}".replace(",", "\u202f")},
            code=ChatErrorCode.MESSAGE_TOO_LONG, field="body",
        )
    if not body and not has_files:
        raise ChatError(_("Le message est vide."), code=ChatErrorCode.EMPTY_MESSAGE, field="body")
    return body


def _check_rate(actor: Membership) -> None:
    since = timezone.now() - RATE_WINDOW
    if Message.objects.filter(author=actor, created_at__gte=since).count() >= RATE_LIMIT:
        raise RateLimited(
            _("Vous envoyez trop de messages : %(n)d au plus en %(s)d secondes. Patientez un instant.")
            % {"n": RATE_LIMIT, "s": RATE_WINDOW.seconds}
        )


def _resolve_mentions(body: str, conversation: Conversation, extra: Iterable[Membership] = ()) -> list[Membership]:
    """The members named by @handle in `body` (one query), each able to read the conversation."""
    handles = markup.mention_handles(body)
    found: dict = {m.pk: m for m in extra}
    if handles:
        q = Q()
        for handle in handles:
            q |= Q(user__email__istartswith=f"{handle}@")
        by_handle: dict[str, Membership] = {}
        for m in Membership.objects.select_related("user").filter(q, is_active=True, user__is_active=True):
            by_handle.setdefault(markup.handle_of(m.user.email), m)
        unknown = [h for h in handles if h not in by_handle]
        if unknown:
            raise ChatError(
                _("@%(handle)s n'est pas membre de la société.") % {"handle": unknown[0]}, code=ChatErrorCode.UNKNOWN_MENTION,
                field="body",
            )
        for m in by_handle.values():
            found[m.pk] = m
    for m in found.values():
        if conversation.kind in (ConversationKind.DIRECT, ConversationKind.GROUP):
            allowed = Participant.objects.filter(conversation=conversation, membership=m).exists()
        else:
            allowed = access.may_read(m, conversation)
        if not allowed:
            raise ChatError(
                _("@%(handle)s n'a pas accès à cette conversation.") % {"handle": markup.handle_of(m.user.email)},
                code=ChatErrorCode.UNKNOWN_MENTION, field="body",
            )
    return list(found.values())


def _store_files(uploads, tenant_id) -> list[files.StoredUpload]:
    stored = []
    try:
        for upload in uploads:
            stored.append(files.store_upload(upload, tenant_id=tenant_id))
    except Exception:
        for item in stored:
            files.delete_blob(item)
        raise
    return stored


def _deliver(
    conversation: Conversation, message: Message, *, author: Membership | None, mentioned: list[Membership], notify_mentions: bool = True
) -> None:
    """Followers' counters, the conversation's last message, notifications, live events. A chase's
    message notifies nobody again (`notify_mentions=False`): the chase itself already did."""
    tenant_id = conversation.tenant_id
    others = Participant.objects.filter(conversation=conversation)
    if author is not None:
        others = others.exclude(membership=author)
        Participant.objects.filter(conversation=conversation, membership=author).update(last_read_seq=message.seq, unread_count=0)
    others.update(unread_count=F("unread_count") + 1)
    if mentioned:
        Participant.objects.filter(conversation=conversation, membership__in=[m.pk for m in mentioned]).exclude(
            membership=author
        ).update(mention_count=F("mention_count") + 1)
    Conversation.objects.filter(pk=conversation.pk).update(last_message=message, last_message_at=message.created_at)
    follower_ids = list(Participant.objects.filter(conversation=conversation).values_list("membership_id", flat=True))
    sends = [live.message_event(tenant_id, conversation.pk, message.pk, "new")]
    sends += [live.unread_event(tenant_id, member_id) for member_id in follower_ids if author is None or member_id != author.pk]
    targets = [m for m in mentioned if author is None or m.pk != author.pk]
    if targets:
        if notify_mentions:
            _notify_mentions(conversation, message, author, targets)
        sends += [live.mention_event(tenant_id, m.pk, conversation.pk, message.pk) for m in targets]
    live.on_commit(sends)


def _notify_mentions(conversation: Conversation, message: Message, author: Membership | None, targets: list[Membership]) -> None:
    from notifications.services import notify

    dnd = presence.dnd_map([m.pk for m in targets])
    held = [m.user_id for m in targets if dnd[m.pk].active]
    target = objects.resolve(conversation.object_type, conversation.object_id) if conversation.kind == ConversationKind.OBJECT else None
    url = target.url if target else ""
    if not url:
        from django.urls import reverse

        from adv.tenancy.models import Tenant

        slug = Tenant.objects.filter(pk=conversation.tenant_id).values_list("slug", flat=True).get()
        url = reverse("chat:conversation", args=[slug, conversation.pk])
    notify(
        recipients=targets, event="chat.mention", actor=author.user if author else None, url=url, held=held,
        context={"conversation_title": conversation_title(conversation, author), "excerpt": markup.preview(message.body, 500)},
    )


def conversation_title(conversation: Conversation, viewer: Membership | None = None) -> str:
    if conversation.kind == ConversationKind.CHANNEL:
        return f"#{conversation.title}"
    if conversation.title:
        return conversation.title
    names = [
        _name(p.membership)
        for p in conversation.participants.select_related("membership__user")
        if viewer is None or p.membership_id != viewer.pk
    ]
    return ", ".join(sorted(names)) or _("Message direct")


@transaction.atomic
def message_post(
    *, actor: Membership, conversation_id, body: str, uploads=(), kind: str = MessageKind.TEXT, chase_code: str = "",
    mention: Iterable[Membership] = (),
) -> Message:
    """Post a message (and its attachments) in a conversation the actor may read."""
    actor = _active(actor)
    conversation = conversation_get(actor=actor, pk=conversation_id)
    uploads = list(uploads or [])
    body = _check_body(body, has_files=bool(uploads))
    _check_rate(actor)
    mentioned = _resolve_mentions(body, conversation, mention)
    links = objects.references(markup.references(body))
    stored = _store_files(uploads, conversation.tenant_id)
    try:
        _join(conversation, [actor, *mentioned], read_to=0)
        message = Message.objects.create(
            conversation=conversation, kind=kind, author=actor, body=body, mentions=[m.pk for m in mentioned], links=links,
            chase_code=chase_code,
        )
        Attachment.objects.bulk_create([
            Attachment(
                tenant_id=conversation.tenant_id, message=message, file=item.name, original_name=item.original_name,
                content_type=item.content_type, size=item.size, sha256=item.sha256,
            )
            for item in stored
        ])
        _deliver(conversation, message, author=actor, mentioned=mentioned)
    except Exception:
        for item in stored:
            files.delete_blob(item)
        raise
    return message


@transaction.atomic
def system_post(*, object_type: str, object_id, body: str, resolves: str | None = None) -> Message | None:
    """A system message in an object's thread ("document déposé", "affaire signée"…), written by the
    domain signals' receivers; `resolves` marks the thread's open chases on that blocker resolved
    ("" for every chase). Nothing is written for an object that has no thread yet and nothing to say
    to its followers but the event (the thread starts at the first message anyway)."""
    conversation = thread_for_object(actor=None, object_type=object_type, object_id=object_id, create=False)
    if conversation is None:
        return None
    message = Message.objects.create(conversation=conversation, kind=MessageKind.SYSTEM, body=body[:MAX_LENGTH])
    if resolves is not None:
        chases = Message.objects.filter(conversation=conversation, kind=MessageKind.CHASE, resolved_at__isnull=True)
        if resolves:
            chases = chases.filter(chase_code=resolves)
        chases.update(resolved_at=timezone.now())
    _deliver(conversation, message, author=None, mentioned=[])
    return message


@transaction.atomic
def chase_post(*, actor: Membership | None, object_type: str, object_id, responsible: Iterable[Membership], body: str,
               chase_code: str = "") -> Message | None:
    """The chat side of a "Relancer" button: a message in the object's thread that mentions the
    people responsible, besides the notification the chase already sends. Responsible people who
    may not read the thread are left out of the mention; nothing is posted if none remains.
    `actor` None: a scheduled chase, posted by the system."""
    if actor is not None:
        actor = _active(actor)
    conversation = thread_for_object(actor=actor, object_type=object_type, object_id=object_id)
    people = [m for m in responsible if m is not None and m.is_active and access.may_read(m, conversation)]
    if not people:
        return None
    handles = " ".join(f"@{markup.handle_of(m.user.email)}" for m in people)
    text = f"{handles} {body}".strip()[:MAX_LENGTH]
    conversation = Conversation.objects.get(pk=conversation.pk)
    mentioned = _resolve_mentions("", conversation, people)
    _join(conversation, [m for m in (actor, *mentioned) if m is not None], read_to=0)
    message = Message.objects.create(
        conversation=conversation, kind=MessageKind.CHASE, author=actor, body=text, mentions=[m.pk for m in mentioned],
        chase_code=chase_code,
    )
    _deliver(conversation, message, author=actor, mentioned=mentioned, notify_mentions=False)
    return message


def _own_message(actor: Membership, message_id) -> Message:
    try:
        message = Message.objects.select_related("conversation").select_for_update(of=("self",)).get(pk=message_id)
    except (Message.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound(_("Ce message n'existe pas.")) from None
    if not access.may_read(actor, message.conversation):
        raise NotFound(_("Ce message n'existe pas."))
    return message


@transaction.atomic
def message_edit(*, actor: Membership, message_id, body: str, now: datetime.datetime | None = None) -> Message:
    """The author corrects their message within 15 minutes; the message shows it was edited."""
    actor = _active(actor)
    message = _own_message(actor, message_id)
    if message.kind == MessageKind.SYSTEM or message.author_id != actor.pk:
        raise PermissionDenied(_("Seul l'auteur peut modifier son message."), code=ChatErrorCode.NOT_AUTHOR)
    if message.deleted_at:
        raise ChatError(_("Ce message a été supprimé."), code=ChatErrorCode.MESSAGE_DELETED)
    now = now or timezone.now()
    if now - message.created_at > EDIT_WINDOW:
        raise ChatError(_("Un message se modifie dans les 15 minutes qui suivent son envoi."), code=ChatErrorCode.EDIT_WINDOW_CLOSED)
    body = _check_body(body, has_files=message.attachments.exists())
    mentioned = _resolve_mentions(body, message.conversation)
    message.body = body
    message.mentions = [m.pk for m in mentioned]
    message.links = objects.references(markup.references(body))
    message.edited_at = now
    message.save(update_fields=["body", "mentions", "links", "edited_at", "updated_at"])
    _join(message.conversation, mentioned, read_to=0)
    live.on_commit([live.message_event(message.tenant_id, message.conversation_id, message.pk, "edit")])
    return message


@transaction.atomic
def message_delete(*, actor: Membership, message_id) -> Message:
    """Delete a message: a tombstone stays in its place ("message supprimé"), its text, mentions,
    links and attachments are gone. The author, or ADV and admins (moderation)."""
    actor = _active(actor)
    message = _own_message(actor, message_id)
    if message.kind == MessageKind.SYSTEM:
        raise PermissionDenied(_("Un événement ne se supprime pas."), code=ChatErrorCode.SYSTEM_MESSAGE)
    if message.author_id != actor.pk and not access.may_create_channel(actor):
        raise PermissionDenied(_("Seul l'auteur peut supprimer son message."), code=ChatErrorCode.NOT_AUTHOR)
    if message.deleted_at:
        return message
    blobs = list(message.attachments.values_list("file", flat=True))
    message.attachments.all().delete()
    message.body, message.mentions, message.links = "", [], []
    message.deleted_at = timezone.now()
    message.save(update_fields=["body", "mentions", "links", "deleted_at", "updated_at"])

    def remove_blobs():
        from django.core.files.storage import default_storage

        for name in blobs:
            default_storage.delete(name)

    transaction.on_commit(remove_blobs)
    live.on_commit([live.message_event(message.tenant_id, message.conversation_id, message.pk, "delete")])
    return message


# --- Read markers -------------------------------------------------------------------------------


@transaction.atomic
def mark_read(*, actor: Membership, conversation_id, seq: int | None = None) -> Participant:
    """The actor has read the conversation up to `seq` (everything by default); opening an object
    thread makes its reader a follower."""
    actor = _active(actor)
    conversation = conversation_get(actor=actor, pk=conversation_id)
    last = _last_seq(conversation)
    target = last if seq is None else max(0, min(int(seq), last))
    participant, _created = Participant.objects.select_for_update().get_or_create(
        conversation=conversation, membership=actor, defaults={"last_read_seq": 0}
    )
    if target <= participant.last_read_seq and not _created:
        return participant
    participant.last_read_seq = max(participant.last_read_seq, target)
    unread = Message.objects.filter(conversation=conversation, seq__gt=participant.last_read_seq, deleted_at__isnull=True)
    if actor is not None:
        unread = unread.exclude(author=actor)
    participant.unread_count = unread.count() if participant.last_read_seq < last else 0
    if participant.unread_count == 0:
        participant.mention_count = 0
    participant.save(update_fields=["last_read_seq", "unread_count", "mention_count", "updated_at"])
    live.on_commit([
        live.read_event(actor.tenant_id, conversation.pk, actor.pk, participant.last_read_seq),
        live.unread_event(actor.tenant_id, actor.pk),
    ])
    return participant


@transaction.atomic
def mark_all_read(*, actor: Membership) -> int:
    """Every conversation the actor follows is read: one update."""
    actor = _active(actor)
    from django.db.models import OuterRef, Subquery

    latest = Message.objects.filter(conversation_id=OuterRef("conversation_id")).order_by("-seq").values("seq")[:1]
    count = Participant.objects.filter(membership=actor).filter(Q(unread_count__gt=0) | Q(mention_count__gt=0)).update(
        unread_count=0, mention_count=0, last_read_seq=Subquery(latest), updated_at=timezone.now()
    )
    live.on_commit([live.unread_event(actor.tenant_id, actor.pk)])
    return count


# --- Do-not-disturb -----------------------------------------------------------------------------


@transaction.atomic
def dnd_set(*, actor: Membership, until: datetime.datetime | None = None, daily_start: datetime.time | None = None,
            daily_end: datetime.time | None = None, now: datetime.datetime | None = None) -> ChatStatus:
    """Set (or clear, with nothing) the actor's do-not-disturb."""
    actor = _active(actor)
    now = now or timezone.now()
    if until is not None and until <= now:
        raise ChatError(_("La fin du « Ne pas déranger » doit être dans le futur."), code=ChatErrorCode.INVALID_DND, field="until")
    if (daily_start is None) != (daily_end is None) or (daily_start is not None and daily_start == daily_end):
        raise ChatError(_("Donnez l'heure de début et l'heure de fin, différentes."), code=ChatErrorCode.INVALID_DND,
                        field="daily_start")
    status, _created = ChatStatus.objects.select_for_update().get_or_create(membership=actor)
    status.dnd_until, status.daily_start, status.daily_end = until, daily_start, daily_end
    status.save(update_fields=["dnd_until", "daily_start", "daily_end", "updated_at"])
    return status
