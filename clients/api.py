"""REST API of client records: `/api/v1/clients/` and `/api/v1/contacts/`.

Thin, like every viewset (see adv/api/viewsets.py): parse with an input serializer, call one
service with `actor=request.membership`, render with an output serializer. Roles
(clients/access.py): consultants get 403; accountants, project managers and managers read;
admin, ADV and sales write; the billing profile is changed by admin and ADV only. The
e-invoicing platform password is never returned (`has_platform_password`).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet

from . import access, selectors, services
from .filters import ClientFilter, ContactFilter
from .models import BillingProfile, Client
from .serializers import (
    BillingProfileSerializer,
    BillingProfileUpdateSerializer,
    ClientRenameSerializer,
    ClientSerializer,
    ClientWriteSerializer,
    ContactCreateSerializer,
    ContactSerializer,
    ContactWriteSerializer,
    SirenTakenProblemSerializer,
)

PROBLEM = "application/problem+json"
CanViewClients = HasRole.of(*sorted(access.VIEW_CLIENT_ROLES))
SIREN_TAKEN_RESPONSE = OpenApiResponse(
    SirenTakenProblemSerializer,
    description="`siren_taken`: another client of the tenant has this SIREN (`existing_client` names it); "
    "or another conflict with the client's state.",
)


class _ClientsApiMixin:
    """Role gate of the clients API (its problems' details, every invalid field and the client
    holding a SIREN, come from the errors themselves: adv/api/exceptions.py)."""

    permission_classes = [IsTenantMember, CanViewClients, RoleCanWrite]
    write_roles = tuple(sorted(access.EDIT_CLIENT_ROLES))


@extend_schema_view(
    list=extend_schema(description="Clients and prospects. Archived clients are included unless `archived=false`."),
    create=extend_schema(
        request=ClientWriteSerializer,
        responses={201: ClientSerializer, (409, PROBLEM): SIREN_TAKEN_RESPONSE},
        description="Create a client (its billing profile is created with the firm's defaults; a public-sector "
        "client is set to Chorus Pro). SIREN, SIRET and VAT numbers are verified.",
    ),
    partial_update=extend_schema(
        request=ClientWriteSerializer,
        responses={200: ClientSerializer, (409, PROBLEM): SIREN_TAKEN_RESPONSE},
        description="Change the fields sent. A new name goes through `rename` (400 `use_rename` otherwise).",
    ),
    destroy=extend_schema(
        responses={204: None},
        description="Delete a client nothing depends on; otherwise 409 `client_in_use`: archive it instead.",
    ),
    archive=extend_schema(request=None, responses=ClientSerializer, description="Hide the client from lists; history kept."),
    unarchive=extend_schema(request=None, responses=ClientSerializer),
    rename=extend_schema(
        request=ClientRenameSerializer, responses=ClientSerializer,
        description="Record a change of name (changement de dénomination) from a date; documents and invoices "
        "dated before keep the former name.",
    ),
)
class ClientViewSet(_ClientsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Client records: identity, group, owner and ADV in charge, dated names, billing profile."""

    serializer_class = ClientSerializer
    filterset_class = ClientFilter
    search_fields = ["legal_name", "trade_name", "siren"]
    ordering_fields = {
        "legal_name": "legal_name",
        "trade_name": "trade_name",
        "siren": "siren",
        "status": "status",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    ordering = ["legal_name"]

    def safely_get_queryset(self):
        return selectors.client_queryset(actor=self.request.membership)

    def _render(self, client: Client, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ClientSerializer(self.get_queryset().get(pk=client.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = ClientWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.client_create(actor=request.membership, **serializer.validated_data)
        return self._render(client, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        client = self.get_object()
        serializer = ClientWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        client = services.client_update(actor=request.membership, client=client, **serializer.validated_data)
        return self._render(client)

    def destroy(self, request, *args, **kwargs):
        services.client_delete(actor=request.membership, client=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def archive(self, request, *args, **kwargs):
        return self._render(services.client_archive(actor=request.membership, client=self.get_object()))

    @action(detail=True, methods=["post"])
    def unarchive(self, request, *args, **kwargs):
        return self._render(services.client_unarchive(actor=request.membership, client=self.get_object()))

    @action(detail=True, methods=["post"])
    def rename(self, request, *args, **kwargs):
        client = self.get_object()
        serializer = ClientRenameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._render(services.client_rename(actor=request.membership, client=client, **serializer.validated_data))

    @extend_schema(methods=["GET"], request=None, responses=BillingProfileSerializer, description="How this client is billed.")
    @extend_schema(
        methods=["PATCH"], request=BillingProfileUpdateSerializer, responses=BillingProfileSerializer,
        description="Change how this client is billed (admin and ADV roles). Payment terms: 60 days at most, or "
        "45 days end of month (400 `payment_terms_over_legal_max`); a public-sector client stays on Chorus Pro "
        "(400 `public_sector_chorus`).",
    )
    @action(detail=True, methods=["get", "patch"], url_path="billing-profile", url_name="billing-profile")
    def billing_profile(self, request, *args, **kwargs):
        client = self.get_object()
        if request.method == "PATCH":
            serializer = BillingProfileUpdateSerializer(data=request.data, partial=True)
            serializer.is_valid(raise_exception=True)
            fields = dict(serializer.validated_data)
            password = fields.pop("platform_password", None)
            profile = BillingProfile.objects.get(tenant_id=client.tenant_id, client=client)
            if password is not None or any(getattr(profile, name) != value for name, value in fields.items()):
                # (An unchanged body writes nothing: the history shows no empty change.)
                services.billing_profile_update(
                    actor=request.membership, client=client, platform_password=password, **fields
                )
        profile = BillingProfile.objects.get(tenant_id=client.tenant_id, client=client)
        return Response(BillingProfileSerializer(profile).data)


@extend_schema_view(
    create=extend_schema(request=ContactCreateSerializer, responses={201: ContactSerializer}),
    partial_update=extend_schema(request=ContactWriteSerializer, responses=ContactSerializer),
    destroy=extend_schema(responses={204: None}),
)
class ContactViewSet(_ClientsApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """People at the clients: who receives the invoices (to / cc), who signs the timesheets and
    the acceptance reports. Filter with `?client=<uuid>`."""

    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    search_fields = ["last_name", "first_name", "email"]
    ordering_fields = {
        "last_name": "last_name",
        "first_name": "first_name",
        "email": "email",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    ordering = ["last_name", "first_name"]

    def safely_get_queryset(self):
        return selectors.contact_queryset(actor=self.request.membership)

    def _render(self, contact, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(ContactSerializer(self.get_queryset().get(pk=contact.pk)).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = ContactCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        client = fields.pop("client")
        return self._render(services.contact_create(actor=request.membership, client=client, **fields), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        contact = self.get_object()
        serializer = ContactWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._render(services.contact_update(actor=request.membership, contact=contact, **serializer.validated_data))

    def destroy(self, request, *args, **kwargs):
        services.contact_delete(actor=request.membership, contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
