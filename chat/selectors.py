"""Reads of the chat: scoped, with the columns shown, a constant number of queries per page
whatever the number of conversations or messages (tests assert it at two sizes)."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, JSONObject
from django.urls import reverse
from django.utils.translation import gettext as _

from adv.tenancy.models import Membership

from . import access, markup, presence
from .models import EDIT_WINDOW, Attachment, Conversation, ConversationKind, Message, MessageKind, Participant

PAGE_SIZE = 50
MAX_PAGE = 200
LIST_SIZE = 100

MESSAGE_FIELDS = (
    "id", "seq", "kind", "body", "mentions", "links", "chase_code", "resolved_at", "edited_at", "deleted_at", "created_at",
    "conversation_id", "author_id", "author__user__first_name", "author__user__last_name", "author__user__email",
)


def _person(first: str | None, last: str | None, email: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (email or "")


def followed_q(m: Membership) -> Q:
    """Over Participant rows of `m`: the conversations they follow and may (still) read."""
    return access.object_q(m, "conversation__") | Q(
        conversation__kind__in=[ConversationKind.CHANNEL, ConversationKind.DIRECT, ConversationKind.GROUP]
    )


def unread_total(*, actor: Membership) -> dict:
    """The top bar's badge: unread messages and mentions over what the member may read (one query)."""
    if actor is None or not actor.is_active:
        return {"unread": 0, "mentions": 0}
    totals = Participant.objects.filter(membership=actor).filter(followed_q(actor)).aggregate(
        unread=Coalesce(Sum("unread_count"), 0), mentions=Coalesce(Sum("mention_count"), 0)
    )
    return {"unread": totals["unread"], "mentions": totals["mentions"]}


ROW_FIELDS = (
    "conversation_id", "unread_count", "mention_count", "last_read_seq", "conversation__kind", "conversation__title",
    "conversation__object_type", "conversation__object_id", "conversation__last_message_at",
    "conversation__last_message__body", "conversation__last_message__kind", "conversation__last_message__deleted_at",
    "conversation__last_message__author__user__first_name", "conversation__last_message__author__user__last_name",
    "conversation__last_message__author__user__email",
)


def conversation_queryset(*, actor: Membership, kind: str = ""):
    """The member's conversations (their Participant rows, as values), latest first: what a page
    of the list slices (the page's count is one more query)."""
    return (
        Participant.objects.filter(membership=actor)
        .filter(followed_q(actor))
        .filter(**({"conversation__kind": kind} if kind else {}))
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "conversation_id")
        .values(*ROW_FIELDS)
    )


def conversation_rows(*, actor: Membership, kind: str = "", limit: int = LIST_SIZE) -> list[dict]:
    """The member's conversations, latest first, with unread counts and the last message: two
    queries (plus one Redis round trip for the direct messages' presence)."""
    return decorate_rows(list(conversation_queryset(actor=actor, kind=kind)[:limit]), actor=actor)


def decorate_rows(rows: list[dict], *, actor: Membership) -> list[dict]:
    """A page of `conversation_queryset` as the list shows it: titles (a direct message's is the
    other member's name), last message preview, presence of the peer. One query for the page's
    direct messages' and groups' members (none when the page has none)."""
    direct_ids = [r["conversation_id"] for r in rows if r["conversation__kind"] in (ConversationKind.DIRECT, ConversationKind.GROUP)]
    others: dict = {}
    if direct_ids:
        for p in (
            Participant.objects.filter(conversation_id__in=direct_ids).exclude(membership=actor)
            .order_by("membership__user__first_name", "membership__user__last_name")
            .values("conversation_id", "membership_id", "membership__user__first_name", "membership__user__last_name",
                    "membership__user__email")
        ):
            others.setdefault(p["conversation_id"], []).append(p)
    peer_ids = {people[0]["membership_id"] for cid, people in others.items() if len(people) == 1}
    states = presence.states(actor.tenant_id, peer_ids) if peer_ids else {}
    result = []
    for r in rows:
        kind_ = r["conversation__kind"]
        people = others.get(r["conversation_id"], [])
        if kind_ == ConversationKind.CHANNEL:
            title = f"#{r['conversation__title']}"
        elif kind_ == ConversationKind.DIRECT:
            title = ", ".join(_person(p["membership__user__first_name"], p["membership__user__last_name"], p["membership__user__email"])
                              for p in people) or _("Message direct")
        else:
            title = r["conversation__title"]
        last_body = r["conversation__last_message__body"] or ""
        if r["conversation__last_message__deleted_at"]:
            last_body = _("Message supprimé")
        result.append({
            "id": r["conversation_id"],
            "kind": kind_,
            "title": title,
            "object_type": r["conversation__object_type"] or None,
            "object_id": r["conversation__object_id"],
            "unread": r["unread_count"],
            "mentions": r["mention_count"],
            "last_read_seq": r["last_read_seq"],
            "last_message_at": r["conversation__last_message_at"],
            "last_message": markup.preview(last_body),
            "last_author": _person(
                r["conversation__last_message__author__user__first_name"], r["conversation__last_message__author__user__last_name"],
                r["conversation__last_message__author__user__email"],
            ),
            "peer": people[0]["membership_id"] if kind_ == ConversationKind.DIRECT and len(people) == 1 else None,
            "presence": states.get(people[0]["membership_id"]) if kind_ == ConversationKind.DIRECT and len(people) == 1 else None,
        })
    return result


def channels_to_join(*, actor: Membership) -> list[dict]:
    """The firm's channels the member does not follow yet (one query)."""
    return list(
        Conversation.objects.filter(kind=ConversationKind.CHANNEL)
        .exclude(participants__membership=actor)
        .order_by("title")
        .values("id", "title")
    )


def message_values(queryset, *extra: str):
    """Messages as the rows `message_rows` reads, each with its attachments in the same query (an
    array of JSON objects, deleted messages' included: `message_rows` leaves them out)."""
    files = (
        Attachment.objects.filter(message_id=OuterRef("pk")).order_by("created_at", "id")
        .values(json=JSONObject(id="id", name="original_name", content_type="content_type", size="size"))
    )
    return queryset.annotate(attachment_rows=ArraySubquery(files)).values(*MESSAGE_FIELDS, "attachment_rows", *extra)


def _attachments(row: dict, slug: str) -> list[dict]:
    if row["deleted_at"]:
        return []
    return [
        {"id": str(a["id"]), "name": a["name"], "content_type": a["content_type"], "size": a["size"],
         "url": reverse("chat:attachment", args=[slug, a["id"]])}
        for a in row.get("attachment_rows") or []
    ]


def message_rows(rows: list[dict], *, actor: Membership, slug: str, now=None) -> list[dict]:
    """Messages (`message_values` rows) as one reader sees them: the markup rendered for them
    (object links only where they may see the object; `markup.render_for`, cached per process),
    their rights to edit or delete. No query."""
    from django.utils import timezone

    now = now or timezone.now()
    me = markup.handle_of(actor.user.email)
    moderator = access.may_create_channel(actor)

    def visible(link):
        return access.link_visible(actor, link)

    result = []
    for r in rows:
        deleted = r["deleted_at"] is not None
        mine = r["author_id"] == actor.pk
        result.append({
            "id": str(r["id"]),
            "seq": r["seq"],
            "conversation": str(r["conversation_id"]),
            "kind": r["kind"],
            "author": None if r["author_id"] is None else {
                "id": str(r["author_id"]),
                "name": _person(r["author__user__first_name"], r["author__user__last_name"], r["author__user__email"]),
            },
            "html": "" if deleted else markup.render_for(r["body"], links=r["links"], visible=visible, me=me),
            "body": "" if deleted or not mine else r["body"],
            "mentions_me": actor.pk in (r["mentions"] or []),
            "created_at": r["created_at"],
            "edited_at": r["edited_at"],
            "deleted": deleted,
            "chase": None if r["kind"] != MessageKind.CHASE else {"code": r["chase_code"], "resolved": r["resolved_at"] is not None},
            "attachments": _attachments(r, slug),
            "can_edit": mine and not deleted and r["kind"] != MessageKind.SYSTEM and now - r["created_at"] <= EDIT_WINDOW,
            "can_delete": not deleted and r["kind"] != MessageKind.SYSTEM and (mine or moderator),
        })
    return result


def messages_page(*, actor: Membership, conversation: Conversation, before: int | None = None, after: int | None = None,
                  limit: int = PAGE_SIZE, slug: str) -> dict:
    """One page of a thread, newest first. `before`: older than that seq (scrolling back);
    `after`: the messages right after that seq (catching up, oldest of them first in the slice so
    that none is skipped). One query (the attachments come with the messages)."""
    limit = max(1, min(int(limit or PAGE_SIZE), MAX_PAGE))
    queryset = message_values(Message.objects.filter(conversation=conversation))
    if after is not None:
        rows = list(queryset.filter(seq__gt=after).order_by("seq")[: limit + 1])
        more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
    else:
        if before is not None:
            queryset = queryset.filter(seq__lt=before)
        rows = list(queryset.order_by("-seq")[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
    return {"results": message_rows(rows, actor=actor, slug=slug), "has_more": more}


def message_row(*, actor: Membership, message_id, slug: str) -> dict | None:
    row = message_values(Message.objects.filter(pk=message_id)).first()
    return message_rows([row], actor=actor, slug=slug)[0] if row else None


def search(*, actor: Membership, q: str, slug: str, limit: int = 50) -> list[dict]:
    """French full-text search over the messages the member may read (stemmed: "factures" finds
    "facture"), newest first. One query."""
    q = (q or "").strip()
    if not q or actor is None or not actor.is_active:
        return []
    query = SearchQuery(q, config="french", search_type="websearch")
    rows = list(message_values(
        Message.objects.annotate(document=SearchVector("body", config="french"))
        .filter(document=query, deleted_at__isnull=True)
        .filter(access.readable_q(actor, "conversation__"))
        .order_by("-seq"),
        "conversation__kind", "conversation__title",
    )[:limit])
    result = message_rows(rows, actor=actor, slug=slug)
    for row, raw in zip(result, rows, strict=True):
        title = raw["conversation__title"]
        row["conversation_title"] = f"#{title}" if raw["conversation__kind"] == ConversationKind.CHANNEL else (title or _("Message direct"))
    return result


def thread_summaries(*, actor: Membership, object_type: str, object_ids) -> dict:
    """For a report's page of rows: each object's thread's last message and the reader's unread
    count, in one query ({} when the reader may not read such threads)."""
    ids = [i for i in object_ids if i]
    if not ids or actor is None or access.role_reads(actor, object_type) is False:
        return {}
    unread = Participant.objects.filter(conversation_id=OuterRef("pk"), membership=actor).values("unread_count")[:1]
    queryset = Conversation.objects.filter(kind=ConversationKind.OBJECT, object_type=object_type, object_id__in=ids)
    if access.role_reads(actor, object_type) is None:
        queryset = queryset.filter(access.object_q(actor))
    result = {}
    for r in queryset.annotate(unread=Coalesce(Subquery(unread), 0)).values(
        "id", "object_id", "unread", "last_message__body", "last_message__deleted_at", "last_message__kind",
        "last_message__author__user__first_name", "last_message__author__user__last_name", "last_message__author__user__email",
    ):
        body = _("Message supprimé") if r["last_message__deleted_at"] else (r["last_message__body"] or "")
        result[r["object_id"]] = {
            "conversation": r["id"],
            "unread": r["unread"],
            "last_message": markup.preview(body, 80),
            "last_author": _person(r["last_message__author__user__first_name"], r["last_message__author__user__last_name"],
                                   r["last_message__author__user__email"]),
        }
    return result


def members_for_picker(*, q: str = "", limit: int = 20) -> list[dict]:
    """Active members for the @mention autocomplete and the member pickers, with their handle."""
    queryset = Membership.objects.filter(is_active=True, user__is_active=True).select_related("user")
    for word in (q or "").split():
        queryset = queryset.filter(
            Q(user__first_name__icontains=word) | Q(user__last_name__icontains=word) | Q(user__email__icontains=word)
        )
    rows = list(queryset.order_by("user__first_name", "user__last_name").values(
        "id", "user__first_name", "user__last_name", "user__email", "role")[:limit])
    return [
        {"id": str(r["id"]), "name": _person(r["user__first_name"], r["user__last_name"], r["user__email"]),
         "handle": markup.handle_of(r["user__email"]), "role": r["role"]}
        for r in rows
    ]
