"""Chat pages: the chat (conversation list with unread counts, channels, direct messages, search,
do-not-disturb), the side panel of a business object's page (htmx partial), the top bar's badge,
attachment downloads. Thin: the services write, the selectors read; the panel's messages are read
and posted through the session API by static/js/chat.js (one path with the REST API)."""

from __future__ import annotations

import datetime

from django.contrib import messages as flash
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from adv.tenancy.errors import DomainError
from adv.ui.pages import raise_http
from adv.ui.permissions import require_member
from documents.downloads import content_disposition

from . import access, markup, presence, selectors, services
from .models import Attachment, ConversationKind, ObjectType


def _config(request) -> dict:
    """What chat.js needs, as data attributes."""
    slug = request.tenant.slug
    return {
        "api": f"/t/{slug}/api/v1/",
        "ws": f"/ws/t/{slug}/chat/",
        "me": str(request.membership.pk),
        "handle": markup.handle_of(request.user.email),
        "members_url": reverse("chat:members", args=[slug]),
    }


def _dnd_context(membership) -> dict:
    dnd = presence.dnd_map([membership.pk])[membership.pk]
    from .models import ChatStatus

    status = ChatStatus.objects.filter(membership=membership).first()
    return {"dnd": dnd, "dnd_status": status}


@require_member
@require_GET
def index(request, tenant_slug, selected=None):
    membership = request.membership
    q = request.GET.get("q", "").strip()
    # The list, a page at a time (`?page=`): count, page, the page's direct messages' members.
    page = Paginator(selectors.conversation_queryset(actor=membership), selectors.LIST_SIZE).get_page(request.GET.get("page"))
    rows = selectors.decorate_rows(list(page.object_list), actor=membership)
    members = selectors.members_for_picker(limit=200)
    states = presence.states(membership.tenant_id, [m["id"] for m in members])
    for m in members:
        m["presence"] = states.get(m["id"], presence.OFFLINE)
    context = {
        "rows": rows,
        "page": page,
        "channels": [r for r in rows if r["kind"] == ConversationKind.CHANNEL],
        "directs": [r for r in rows if r["kind"] in (ConversationKind.DIRECT, ConversationKind.GROUP)],
        "threads": [r for r in rows if r["kind"] == ConversationKind.OBJECT],
        "to_join": selectors.channels_to_join(actor=membership),
        "members": [m for m in members if m["id"] != str(membership.pk)],
        "selected": selected,
        "selected_title": services.conversation_title(selected, membership) if selected else "",
        "q": q,
        "results": selectors.search(actor=membership, q=q, slug=tenant_slug) if q else None,
        "can_create_channel": access.may_create_channel(membership),
        "totals": selectors.unread_total(actor=membership),
        "chat": _config(request),
        **_dnd_context(membership),
    }
    return render(request, "chat/index.html", context)


@require_member
@require_GET
def conversation(request, tenant_slug, pk):
    try:
        selected = services.conversation_get(actor=request.membership, pk=pk)
    except DomainError as error:
        raise_http(error)
        raise
    return index(request, tenant_slug, selected=selected)


@require_member
@require_GET
def panel(request, tenant_slug, object_type, object_id):
    """The side panel of a business object's page (loaded by htmx); 404 when the reader may not
    see the object. The thread itself is created at its first message."""
    if object_type not in ObjectType.values:
        raise Http404
    try:
        conversation = services.thread_for_object(actor=request.membership, object_type=object_type, object_id=object_id, create=False)
    except DomainError as error:
        raise_http(error)
        raise
    from . import objects

    if conversation is None and objects.resolve(object_type, object_id, slug=tenant_slug) is None:
        raise Http404
    return render(request, "chat/_panel.html", {
        "conversation": conversation, "object_type": object_type, "object_id": object_id, "chat": _config(request),
    })


@require_member
@require_POST
def open_conversation(request, tenant_slug):
    try:
        conversation = services.conversation_open(
            actor=request.membership, members=request.POST.getlist("members"), title=request.POST.get("title", "")
        )
    except DomainError as error:
        raise_http(error)
        flash.error(request, error.message)
        return redirect("chat:index", tenant_slug=tenant_slug)
    return redirect("chat:conversation", tenant_slug=tenant_slug, pk=conversation.pk)


@require_member
@require_POST
def channel_new(request, tenant_slug):
    try:
        conversation = services.channel_create(actor=request.membership, name=request.POST.get("name", ""),
                                               members=request.POST.getlist("members"))
    except DomainError as error:
        raise_http(error)
        flash.error(request, error.message)
        return redirect("chat:index", tenant_slug=tenant_slug)
    return redirect("chat:conversation", tenant_slug=tenant_slug, pk=conversation.pk)


@require_member
@require_POST
def channel_join(request, tenant_slug, pk):
    try:
        services.channel_join(actor=request.membership, conversation_id=pk)
    except DomainError as error:
        raise_http(error)
        raise
    return redirect("chat:conversation", tenant_slug=tenant_slug, pk=pk)


@require_member
@require_POST
def read_all(request, tenant_slug):
    count = services.mark_all_read(actor=request.membership)
    flash.success(request, _("Toutes les conversations sont lues (%(n)d).") % {"n": count})
    return redirect("chat:index", tenant_slug=tenant_slug)


@require_member
@require_GET
def badge(request, tenant_slug):
    """The top bar's unread badge (polled, and refreshed live by chat.js)."""
    return render(request, "chat/_badge_content.html", {"totals": selectors.unread_total(actor=request.membership)})


def _parse_time(value: str) -> datetime.time | None:
    try:
        return datetime.time.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_member
@require_POST
def dnd(request, tenant_slug):
    """Set do-not-disturb: for a duration ("60" minutes, "tomorrow"), until a moment, with a daily
    schedule; or off."""
    choice = request.POST.get("duration", "")
    now = timezone.now()
    until = None
    if choice.isdigit():
        until = now + datetime.timedelta(minutes=min(int(choice), 7 * 24 * 60))
    elif choice == "tomorrow":
        local = timezone.localtime(now)
        until = (local + datetime.timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    start, end = _parse_time(request.POST.get("daily_start", "")), _parse_time(request.POST.get("daily_end", ""))
    try:
        services.dnd_set(actor=request.membership, until=until, daily_start=start, daily_end=end)
    except DomainError as error:
        raise_http(error)
        flash.error(request, error.message)
    else:
        flash.success(request, _("« Ne pas déranger » est enregistré."))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/t/") else reverse("chat:index", args=[tenant_slug]))


@require_member
@require_GET
def members(request, tenant_slug):
    """Members for the @mention autocomplete and the pickers, with their presence and DND."""
    rows = selectors.members_for_picker(q=request.GET.get("q", ""), limit=20)
    ids = [r["id"] for r in rows]
    states = presence.states(request.membership.tenant_id, ids)
    dnd = presence.dnd_map(ids)
    for r in rows:
        r["presence"] = states.get(r["id"], presence.OFFLINE)
        d = dnd.get(r["id"])
        r["dnd"] = bool(d and d.active)
        r["dnd_until"] = d.until.isoformat() if d and d.until else None
    return JsonResponse({"results": rows})


@require_member
@require_GET
def attachment(request, tenant_slug, pk):
    """A file posted in a conversation the member may read (404 otherwise)."""
    item = Attachment.objects.select_related("message__conversation").filter(pk=pk).first()
    if item is None or item.message.deleted_at or not access.may_read(request.membership, item.message.conversation):
        raise Http404
    try:
        handle = default_storage.open(item.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition("attachment", item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
