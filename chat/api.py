"""REST API of the chat (`/api/v1/`), thin: serializers parse, services write, selectors read.

- `conversations/`: GET a page of the caller's conversations (unread counts, last message;
  `?page=`/`?page_size=` like every list; filter `?object_type=deal&object_id=…` for an object's
  thread, `?kind=`), POST a direct message, a group,
  a channel or an object's thread; `conversations/<id>/` one; `conversations/<id>/messages/` GET a
  page newest first (`?before=<seq>` older, `?after=<seq>` catching up, `?limit=`), POST a message
  (JSON or multipart with `files`); `conversations/<id>/read/` POST the read marker (`seq`, default
  everything); `conversations/read-all/` POST; `conversations/search/?q=` French full-text search.
- `messages/<id>/`: PATCH (edit within 15 minutes, author), DELETE (tombstone).
- `presence/`: GET the members' presence and do-not-disturb (`?members=id,id`, default everyone),
  PUT the caller's do-not-disturb (`until`, `daily_start`, `daily_end`; all empty: off).
"""

from __future__ import annotations

import uuid

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from adv.api.viewsets import TenantAPIView, TenantGenericViewSet
from adv.tenancy.models import Membership, Role

from . import access, presence, selectors, services
from .models import Conversation, ConversationKind, Message
from .serializers import (
    ConversationCreateSerializer,
    ConversationSerializer,
    DndSerializer,
    MessageEditSerializer,
    MessagePageSerializer,
    MessagePostSerializer,
    MessageSerializer,
    PresenceSerializer,
    ReadSerializer,
)

EVERY_ROLE = tuple(Role.values)  # everyone talks, the accountant too


def _int(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        from rest_framework.exceptions import ValidationError

        raise ValidationError({name: ["Un entier est attendu."]}) from None


def _slug(request) -> str:
    return request.tenant.slug


def _conversation_row(actor, conversation: Conversation) -> dict:
    rows = selectors.decorate_rows(
        list(selectors.conversation_queryset(actor=actor).filter(conversation_id=conversation.pk)), actor=actor
    )
    if rows:
        return rows[0]
    return {
        "id": conversation.pk, "kind": conversation.kind, "title": services.conversation_title(conversation, actor),
        "object_type": conversation.object_type or None, "object_id": conversation.object_id, "unread": 0, "mentions": 0,
        "last_read_seq": 0, "last_message_at": conversation.last_message_at, "last_message": "", "last_author": "",
        "presence": None,
    }


class ConversationViewSet(mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = ConversationSerializer
    model = Conversation
    write_roles = EVERY_ROLE
    filter_backends: list = []
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def safely_get_queryset(self):
        return Conversation.objects.filter(access.readable_q(self.request.membership))

    @extend_schema(
        parameters=[
            OpenApiParameter("object_type", str), OpenApiParameter("object_id", uuid.UUID),
            OpenApiParameter("kind", str, enum=ConversationKind.values),
        ],
        responses=ConversationSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        """A page of the caller's conversations (`?page=`, `?page_size=`, at most 200): three
        queries whatever the number of conversations (count, page, the page's direct messages'
        members)."""
        actor = request.membership
        object_type, object_id = request.query_params.get("object_type"), request.query_params.get("object_id")
        if object_type and object_id:
            conversation = services.thread_for_object(actor=actor, object_type=object_type, object_id=object_id, create=False)
            rows = [] if conversation is None else [_conversation_row(actor, conversation)]
            return Response({"count": len(rows), "next": None, "previous": None,
                             "results": ConversationSerializer(rows, many=True).data})
        page = self.paginate_queryset(selectors.conversation_queryset(actor=actor, kind=request.query_params.get("kind", "")))
        rows = selectors.decorate_rows(list(page), actor=actor)
        return self.get_paginated_response(ConversationSerializer(rows, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        conversation = self.get_object()
        return Response(ConversationSerializer(_conversation_row(request.membership, conversation)).data)

    @extend_schema(request=ConversationCreateSerializer, responses={201: ConversationSerializer})
    def create(self, request, *args, **kwargs):
        data = ConversationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        actor = request.membership
        if values.get("object_type") and values.get("object_id"):
            conversation = services.thread_for_object(actor=actor, object_type=values["object_type"], object_id=values["object_id"])
        elif values["channel"]:
            conversation = services.channel_create(actor=actor, name=values["channel"], members=values["members"])
        else:
            conversation = services.conversation_open(actor=actor, members=values["members"], title=values["title"])
        return Response(ConversationSerializer(_conversation_row(actor, conversation)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("before", int), OpenApiParameter("after", int), OpenApiParameter("limit", int)],
        responses=MessagePageSerializer,
    )
    @extend_schema(methods=["POST"], request=MessagePostSerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None, **kwargs):
        conversation = self.get_object()
        actor = request.membership
        if request.method == "GET":
            page = selectors.messages_page(
                actor=actor, conversation=conversation, before=_int(request.query_params.get("before"), "before"),
                after=_int(request.query_params.get("after"), "after"), limit=_int(request.query_params.get("limit"), "limit") or 50,
                slug=_slug(request),
            )
            return Response(MessagePageSerializer(page).data)
        data = MessagePostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        uploads = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        message = services.message_post(actor=actor, conversation_id=conversation.pk, body=data.validated_data["body"], uploads=uploads)
        row = selectors.message_row(actor=actor, message_id=message.pk, slug=_slug(request))
        return Response(MessageSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReadSerializer, responses=ConversationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None, **kwargs):
        conversation = self.get_object()
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.mark_read(actor=request.membership, conversation_id=conversation.pk, seq=data.validated_data.get("seq"))
        return Response(ConversationSerializer(_conversation_row(request.membership, conversation)).data)

    @extend_schema(request=None, responses={200: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, **kwargs):
        return Response({"conversations": services.mark_all_read(actor=request.membership)})

    @extend_schema(parameters=[OpenApiParameter("q", str)], responses=MessageSerializer(many=True))
    @action(detail=False, methods=["get"])
    def search(self, request, **kwargs):
        rows = selectors.search(actor=request.membership, q=request.query_params.get("q", ""), slug=_slug(request))
        return Response(MessageSerializer(rows, many=True).data)


class MessageViewSet(TenantGenericViewSet):
    serializer_class = MessageSerializer
    model = Message
    write_roles = EVERY_ROLE
    filter_backends: list = []

    def safely_get_queryset(self):
        return Message.objects.filter(access.readable_q(self.request.membership, "conversation__"))

    @extend_schema(request=MessageEditSerializer, responses=MessageSerializer)
    def partial_update(self, request, pk=None, **kwargs):
        message = self.get_object()
        data = MessageEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.message_edit(actor=request.membership, message_id=message.pk, body=data.validated_data["body"])
        return Response(MessageSerializer(selectors.message_row(actor=request.membership, message_id=message.pk, slug=_slug(request))).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None, **kwargs):
        message = self.get_object()
        services.message_delete(actor=request.membership, message_id=message.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


def presence_rows(actor, member_ids=None) -> list[dict]:
    queryset = Membership.objects.filter(is_active=True)
    if member_ids is not None:
        queryset = queryset.filter(pk__in=member_ids)
    ids = list(queryset.order_by("user__email").values_list("id", flat=True)[:500])
    states = presence.states(actor.tenant_id, ids)
    dnd = presence.dnd_map(ids)
    return [
        {"membership": i, "state": states[i], "dnd": dnd[i].active, "dnd_until": dnd[i].until} for i in ids
    ]


class PresenceView(TenantAPIView):
    write_roles = EVERY_ROLE

    @extend_schema(parameters=[OpenApiParameter("members", str, description="ids, comma separated")],
                   responses=PresenceSerializer(many=True))
    def get(self, request, *args, **kwargs):
        raw = request.query_params.get("members", "")
        member_ids = None
        if raw:
            try:
                member_ids = [uuid.UUID(part) for part in raw.split(",") if part.strip()]
            except ValueError:
                raise Http404 from None
        return Response(PresenceSerializer(presence_rows(request.membership, member_ids), many=True).data)

    @extend_schema(request=DndSerializer, responses=PresenceSerializer)
    def put(self, request, *args, **kwargs):
        data = DndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dnd_set(actor=request.membership, **data.validated_data)
        return Response(PresenceSerializer(presence_rows(request.membership, [request.membership.pk])[0]).data)
