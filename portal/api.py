"""Staff API of the portal: /api/v1/portal-contacts/ (list, invite, resend, revoke). The portal
itself is pages, not an API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adv.api.permissions import HasRole, IsTenantMember, RoleCanWrite
from adv.api.viewsets import TenantGenericViewSet

from . import access, services
from .models import PortalContact
from .serializers import PortalContactInviteSerializer, PortalContactSerializer


class PortalContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The client contacts who may sign in to the client portal. Filter with `?client=<uuid>`."""

    serializer_class = PortalContactSerializer
    permission_classes = [IsTenantMember, HasRole.of(*sorted(access.VIEW_ROLES)), RoleCanWrite]
    write_roles = tuple(sorted(access.INVITE_ROLES))
    ordering_fields = {"email": "email", "last_login_at": "last_login_at", "created_at": "created_at"}
    ordering = ["email"]
    search_fields = ["email"]

    def safely_get_queryset(self):
        queryset = PortalContact.objects.select_related("contact")
        client = self.request.query_params.get("client")
        if client:
            try:
                import uuid

                queryset = queryset.filter(client_id=uuid.UUID(client))
            except ValueError:
                return queryset.none()
        return queryset

    def _render(self, portal_contact, status_code=status.HTTP_200_OK) -> Response:
        return Response(PortalContactSerializer(self.get_queryset().get(pk=portal_contact.pk)).data, status=status_code)

    @extend_schema(request=PortalContactInviteSerializer, responses={201: PortalContactSerializer})
    def create(self, request, *args, **kwargs):
        """Invite a client's contact: an email with their first sign-in link is sent."""
        serializer = PortalContactInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invited = services.contact_invite(actor=request.membership, **serializer.validated_data)
        return self._render(invited, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=PortalContactSerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        """Send the invitation again (a new first sign-in link)."""
        return self._render(services.contact_resend(actor=request.membership, portal_contact=self.get_object()))

    @extend_schema(request=None, responses=PortalContactSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """End the access at once: sessions and unused links stop working."""
        return self._render(services.contact_revoke(actor=request.membership, portal_contact=self.get_object()))
