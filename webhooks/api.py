"""The webhooks API, for the firm's admins: `/api/v1/webhooks/` (endpoints: CRUD, rotate-secret,
test, their deliveries) and `/api/v1/webhook-deliveries/` (the log, replay). Writes go through the
services, which check the SSRF rules and the rights."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.permissions import IsTenantAdmin, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet

from . import selectors, services
from .filters import DeliveryFilter
from .models import Delivery, Endpoint
from .serializers import (
    DeliverySerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    EndpointWithSecretSerializer,
    EndpointWriteSerializer,
)


class _AdminOnly:
    permission_classes = [IsTenantMember, IsTenantAdmin, RoleCanWrite]


@extend_schema(tags=["webhooks"])
@extend_schema_view(
    list=extend_schema(description="The firm's webhook endpoints."),
    retrieve=extend_schema(description="One endpoint (never its secret)."),
    create=extend_schema(
        request=EndpointWriteSerializer, responses={201: EndpointWithSecretSerializer},
        description="A new endpoint; the answer carries its signing secret, shown this once.",
    ),
    partial_update=extend_schema(request=EndpointUpdateSerializer, responses={200: EndpointSerializer}),
    rotate_secret=extend_schema(
        request=None, responses={200: EndpointWithSecretSerializer},
        description="A new secret (in this answer only); the previous one keeps signing beside it for the grace period.",
    ),
    test=extend_schema(request=None, responses={202: DeliverySerializer}, description="Send a `webhook.test` event now."),
    deliveries=extend_schema(responses={200: DeliverySerializer(many=True)}, description="This endpoint's delivery log."),
)  # fmt: skip
class EndpointViewSet(
    _AdminOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, TenantGenericViewSet
):
    serializer_class = EndpointSerializer
    ordering_fields = {"created_at": "created_at", "url": "url"}
    ordering = ["created_at"]
    search_fields = ["url", "description"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def safely_get_queryset(self):
        return Endpoint.objects.defer("secret_encrypted", "previous_secret_encrypted")

    def _with_secret(self, endpoint, secret, code):
        context = {**self.get_serializer_context(), "secret": secret}
        # The secret is in this answer only: no cache may keep it.
        return Response(EndpointWithSecretSerializer(endpoint, context=context).data, status=code, headers={"Cache-Control": "no-store"})

    def create(self, request, *args, **kwargs):
        serializer = EndpointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        enabled = fields.pop("is_enabled", True)
        endpoint, secret = services.endpoint_create(actor=request.membership, **fields)
        if not enabled:
            endpoint = services.endpoint_update(actor=request.membership, endpoint_id=endpoint.pk, is_enabled=False)
        return self._with_secret(endpoint, secret, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        serializer = EndpointUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(actor=request.membership, endpoint_id=endpoint.pk, **serializer.validated_data)
        return Response(EndpointSerializer(endpoint, context=self.get_serializer_context()).data)

    def destroy(self, request, *args, **kwargs):
        services.endpoint_delete(actor=request.membership, endpoint_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        endpoint, secret = services.endpoint_rotate_secret(actor=request.membership, endpoint_id=self.get_object().pk)
        return self._with_secret(endpoint, secret, status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        delivery = services.endpoint_send_test(actor=request.membership, endpoint_id=self.get_object().pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"])
    def deliveries(self, request, *args, **kwargs):
        endpoint = self.get_object()
        page = self.paginate_queryset(selectors.delivery_list(endpoint_id=endpoint.pk))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


@extend_schema(tags=["webhooks"])
@extend_schema_view(
    list=extend_schema(description="Every delivery of the firm's webhooks, latest first."),
    retrieve=extend_schema(description="One delivery: its attempts, the last response (an excerpt) and error."),
    replay=extend_schema(
        request=None, responses={202: DeliverySerializer},
        description="Send the delivery's event again to its endpoint (a new delivery, the same webhook-id).",
    ),
)  # fmt: skip
class DeliveryViewSet(_AdminOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilter
    ordering_fields = {"created_at": "created_at"}
    ordering = ["-created_at"]
    model = Delivery

    def safely_get_queryset(self):
        return selectors.delivery_list()

    @action(detail=True, methods=["post"])
    def replay(self, request, *args, **kwargs):
        delivery = services.delivery_replay(actor=request.membership, delivery_id=self.get_object().pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
