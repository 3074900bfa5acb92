"""REST API of documents, document types and expected documents.

- `/api/v1/documents/`: the documents the caller may see (role + clearance, or a grant), with
  filters (`client`, `document_type`, `expired`), search and ordering; multipart upload
  (`POST`, file + metadata); `PATCH` of the metadata; `versions` (GET the history, POST a new
  file); `download` (the current file, or `?version=N`), recorded like every download.
- `/api/v1/document-types/` and `/api/v1/document-requirements/`: read by the roles that see
  clients, written by admins.

Thin: input serializers parse, services write (`clients.services`), selectors read.
"""

from __future__ import annotations

import json

import django_filters
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from adv.api.permissions import IsTenantMember
from adv.api.viewsets import TenantGenericViewSet
from adv.tenancy.models import Role

from . import access, selectors, services
from .downloads import serve_version
from .models import Document, DocumentRequirement, DocumentType, DocumentVersion, RequirementScope
from .serializers import (
    DocumentRequirementSerializer,
    DocumentRequirementUpdateSerializer,
    DocumentRequirementWriteSerializer,
    DocumentSerializer,
    DocumentTypeSerializer,
    DocumentTypeUpdateSerializer,
    DocumentTypeWriteSerializer,
    DocumentUpdateSerializer,
    DocumentUploadSerializer,
    DocumentVersionSerializer,
    DocumentVersionUploadSerializer,
)

MULTIPART = "multipart/form-data"


class ClientViewersReadAdminsWrite(BasePermission):
    """Reads: the roles that see clients. Writes: admins."""

    message = _("Votre rôle ne donne pas accès à cette ressource.")

    def has_permission(self, request, view) -> bool:
        membership = getattr(request, "membership", None)
        if membership is None:
            return False
        if request.method in SAFE_METHODS:
            return access.can_view_clients(membership)
        return membership.role == Role.ADMIN


class FileRenderer(BaseRenderer):
    """Lets a download be asked with any Accept header (`application/pdf`, `*/*`): the view
    answers the file itself; errors are still JSON problems."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, default=str).encode()


# --- Documents --------------------------------------------------------------------------------------


class DocumentFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id", help_text="Documents of one client.")
    document_type = django_filters.UUIDFilter(field_name="document_type_id", help_text="Documents of one type (its id).")
    expired = django_filters.BooleanFilter(
        method="filter_expired", help_text="true: `valid_until` is past; false: no end date or not yet past."
    )

    class Meta:
        model = Document
        fields = ["client", "document_type", "expired"]

    def filter_expired(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.filter(valid_until__lt=today)
        return queryset.exclude(valid_until__lt=today)


VERSION_PARAMETER = OpenApiParameter(
    "version", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
    description="A version number (default: the current version).",
)


@extend_schema_view(
    list=extend_schema(description="The documents you may see: your role's clearance covers their level, or one was opened to you."),
    create=extend_schema(
        request={MULTIPART: DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        description="Upload a new document on a client (multipart/form-data: `file` and the metadata). The file "
        "is checked (size, type from its bytes, antivirus when configured) before anything is stored. A "
        "contractual document notifies the client's sales owner and ADV in charge.",
    ),
    partial_update=extend_schema(
        request={"application/json": DocumentUpdateSerializer}, responses=DocumentSerializer,
        description="Change the metadata (title, type, dates, security level). The file changes only through a new version.",
    ),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """Documents kept on client records, their versions and their files."""

    serializer_class = DocumentSerializer
    write_roles = tuple(sorted(access.UPLOAD_ROLES))
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = DocumentFilter
    search_fields = ["title", "current_version__original_name"]
    ordering_fields = {
        "created_at": "created_at",
        "title": "title",
        "signed_on": "signed_on",
        "valid_until": "valid_until",
    }
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def safely_get_queryset(self):
        return selectors.document_list(actor=self.request.membership)

    def _render(self, document: Document, status_code=status.HTTP_200_OK) -> Response:
        document = selectors.document_list(actor=self.request.membership).get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        document = services.document_upload(
            actor=request.membership,
            client=data["client"],
            document_type=data["document_type"],
            title=data.get("title", ""),
            upload=data["file"],
            signed_on=data.get("signed_on"),
            valid_until=data.get("valid_until"),
            security_level=data.get("security_level"),
            comment=data.get("comment", ""),
        )
        return self._render(document, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        document = self.get_object()
        serializer = DocumentUpdateSerializer(data=request.data, partial=True, instance=document)
        serializer.is_valid(raise_exception=True)
        document = services.document_update(actor=request.membership, document=document, **serializer.validated_data)
        return self._render(document)

    @extend_schema(
        methods=["GET"], request=None, responses=DocumentVersionSerializer(many=True),
        description="Every version of the document, newest first (the current one has `is_current`).",
    )
    @extend_schema(
        methods=["POST"], request={MULTIPART: DocumentVersionUploadSerializer}, responses={201: DocumentVersionSerializer},
        description="Upload a new file for the document: it becomes the current version, the previous one is "
        "superseded and stays downloadable.",
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser])
    def versions(self, request, *args, **kwargs):
        document = self.get_object()
        if request.method == "GET":
            versions = selectors.document_versions(document=document)
            return Response(DocumentVersionSerializer(versions, many=True).data)
        serializer = DocumentVersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.document_add_version(
            actor=request.membership, document=document, upload=serializer.validated_data["file"],
            comment=serializer.validated_data.get("comment", ""),
        )
        version = selectors.document_versions(document=document).get(pk=version.pk)
        return Response(DocumentVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[VERSION_PARAMETER],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as an attachment named after the original file (`Content-Disposition`, "
                "RFC 5987), with its content type. Every download is recorded (who, when, from where).",
            ),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def download(self, request, *args, **kwargs):
        document = self.get_object()
        number = request.query_params.get("version")
        try:
            number = int(number) if number else None
        except ValueError:
            raise Http404(_("Cette version n'existe pas."))
        try:
            version = selectors.document_version_get(document=document, number=number)
        except DocumentVersion.DoesNotExist:
            raise Http404(_("Cette version n'existe pas."))
        return serve_version(request, membership=request.membership, version=version, via_api=True)


# --- Document types ---------------------------------------------------------------------------------


class DocumentTypeFilter(django_filters.FilterSet):
    is_active = django_filters.BooleanFilter()
    is_contractual = django_filters.BooleanFilter()

    class Meta:
        model = DocumentType
        fields = ["is_active", "is_contractual"]


@extend_schema_view(
    create=extend_schema(request=DocumentTypeWriteSerializer, responses={201: DocumentTypeSerializer}),
    partial_update=extend_schema(
        request=DocumentTypeUpdateSerializer, responses=DocumentTypeSerializer,
        description="Rename, change the default level or the contractual flag, deactivate (`is_active: false`). "
        "The code is fixed once created.",
    ),
)
class DocumentTypeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The kinds of documents the firm keeps (read: roles that see clients; write: admins)."""

    serializer_class = DocumentTypeSerializer
    permission_classes = [IsTenantMember, ClientViewersReadAdminsWrite]
    filterset_class = DocumentTypeFilter
    search_fields = ["name", "code"]
    ordering_fields = {"name": "name", "code": "code", "created_at": "created_at"}
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def safely_get_queryset(self):
        return selectors.document_type_list()

    def create(self, request, *args, **kwargs):
        serializer = DocumentTypeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document_type = services.document_type_save(actor=request.membership, **serializer.validated_data)
        return Response(DocumentTypeSerializer(document_type).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        document_type = self.get_object()
        serializer = DocumentTypeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        document_type = services.document_type_save(
            actor=request.membership, document_type=document_type, **serializer.validated_data
        )
        return Response(DocumentTypeSerializer(document_type).data)


# --- Expected documents -------------------------------------------------------------------------------


class DocumentRequirementFilter(django_filters.FilterSet):
    applies_to = django_filters.ChoiceFilter(choices=RequirementScope.choices)
    document_type = django_filters.UUIDFilter(field_name="document_type_id")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = DocumentRequirement
        fields = ["applies_to", "document_type", "is_active"]


@extend_schema_view(
    create=extend_schema(request=DocumentRequirementWriteSerializer, responses={201: DocumentRequirementSerializer}),
    partial_update=extend_schema(request=DocumentRequirementUpdateSerializer, responses=DocumentRequirementSerializer),
    destroy=extend_schema(responses={204: None}),
)
class DocumentRequirementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantGenericViewSet):
    """The document types expected on every prospect or client, with their validity rule."""

    serializer_class = DocumentRequirementSerializer
    permission_classes = [IsTenantMember, ClientViewersReadAdminsWrite]
    filterset_class = DocumentRequirementFilter
    ordering_fields = {"applies_to": "applies_to", "document_type": "document_type__name", "created_at": "created_at"}
    ordering = ["applies_to", "document_type__name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def safely_get_queryset(self):
        return selectors.requirement_list()

    def _render(self, requirement, status_code=status.HTTP_200_OK) -> Response:
        requirement = selectors.requirement_list().get(pk=requirement.pk)
        return Response(DocumentRequirementSerializer(requirement).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = DocumentRequirementWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        requirement = services.requirement_save(actor=request.membership, **serializer.validated_data)
        return self._render(requirement, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        requirement = self.get_object()
        serializer = DocumentRequirementUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        requirement = services.requirement_save(actor=request.membership, requirement=requirement, **serializer.validated_data)
        return self._render(requirement)

    def destroy(self, request, *args, **kwargs):
        services.requirement_delete(actor=request.membership, requirement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
