"""Serializers of documents, document types and expected documents. Output serializers show
rows; input serializers parse and validate the request, then the viewset calls a service."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adv.api.serializers import TenantPrimaryKeyRelatedField
from adv.tenancy.models import ClearanceLevel
from clients.models import Client

from .models import Document, DocumentRequirement, DocumentType, DocumentVersion, RequirementScope, Responsible


class ActiveDocumentTypeField(TenantPrimaryKeyRelatedField):
    """A document type of the tenant that is still offered for new documents."""

    def __init__(self, **kwargs):
        super().__init__(DocumentType, **kwargs)

    def get_queryset(self):
        return DocumentType.objects.filter(is_active=True)


@extend_schema_field({"type": "string", "nullable": True})
class MemberNameField(serializers.Field):
    """The display name of a membership's user (null when the member was removed)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, membership):
        user = membership.user
        return user.get_full_name() or user.email


class DocumentTypeSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["id", "code", "name", "is_contractual"]
        read_only_fields = fields


class DocumentVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.UUIDField(source="uploaded_by_id", read_only=True, allow_null=True, help_text="Membership id.")
    uploaded_by_name = MemberNameField(source="uploaded_by")
    is_current = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="GET it (bearer token) to download this version.")

    class Meta:
        model = DocumentVersion
        fields = [
            "id", "number", "original_name", "content_type", "size", "sha256", "comment", "uploaded_by",
            "uploaded_by_name", "created_at", "superseded_at", "is_current", "download_url",
        ]
        read_only_fields = fields

    def get_is_current(self, version) -> bool:
        return version.superseded_at is None

    def get_download_url(self, version) -> str:
        path = reverse("api:document-download", kwargs={"pk": version.document_id})
        return f"{path}?version={version.number}"


class DocumentSerializer(serializers.ModelSerializer):
    client = serializers.UUIDField(source="client_id", read_only=True)
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    client_name_at_date = serializers.CharField(read_only=True, help_text="The client's name on the document's date.")
    document_type = DocumentTypeSummarySerializer(read_only=True)
    security_level_display = serializers.CharField(source="get_security_level_display", read_only=True)
    is_expired = serializers.SerializerMethodField(help_text="`valid_until` is past (in the tenant's time zone).")
    uploaded_by = serializers.UUIDField(source="uploaded_by_id", read_only=True, allow_null=True, help_text="Membership id.")
    uploaded_by_name = MemberNameField(source="uploaded_by")
    current_version = DocumentVersionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = [
            "id", "client", "client_name", "client_name_at_date", "document_type", "title", "signed_on", "valid_until",
            "is_expired", "security_level", "security_level_display", "uploaded_by", "uploaded_by_name",
            "current_version", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_is_expired(self, document) -> bool:
        return document.is_expired(timezone.localdate())


def _file_help() -> str:
    return (
        f"The file (multipart). At most {settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB; its type is decided "
        "from its bytes, which must match its extension (PDF, images, Word, Excel, OpenDocument, e-mails). "
        "Refused files answer 400 `upload_refused` (or `too_large`, `type_not_allowed`, `type_mismatch`, "
        "`empty`, `infected`, `antivirus_unavailable`) and nothing is stored."
    )


class _DatesValidationMixin:
    def validate(self, attrs):
        attrs = super().validate(attrs)
        signed_on = attrs.get("signed_on", getattr(self.instance, "signed_on", None))
        valid_until = attrs.get("valid_until", getattr(self.instance, "valid_until", None))
        if signed_on and valid_until and valid_until < signed_on:
            raise serializers.ValidationError({"valid_until": ["La date de fin de validité doit suivre la date de signature."]})
        return attrs


class DocumentUploadSerializer(_DatesValidationMixin, serializers.Serializer):
    """A new document on a client: its first file and its metadata (multipart/form-data)."""

    file = serializers.FileField(help_text=_file_help(), use_url=False)
    client = TenantPrimaryKeyRelatedField(Client, help_text="The client's id.")
    document_type = ActiveDocumentTypeField(help_text="An active document type's id.")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="Default: the file name.")
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    security_level = serializers.ChoiceField(
        choices=ClearanceLevel.choices, required=False, allow_null=True,
        help_text="1 to 4; default: the document type's level. At most the caller's clearance (admins: any).",
    )
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DocumentVersionUploadSerializer(serializers.Serializer):
    """A new file for an existing document (multipart/form-data): it becomes the current version."""

    file = serializers.FileField(help_text=_file_help(), use_url=False)
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DocumentUpdateSerializer(_DatesValidationMixin, serializers.Serializer):
    """The metadata of a document (JSON). The file changes only through a new version."""

    title = serializers.CharField(max_length=200, required=False)
    document_type = ActiveDocumentTypeField(required=False)
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    security_level = serializers.ChoiceField(choices=ClearanceLevel.choices, required=False)


class DocumentTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentType
        fields = ["id", "code", "name", "is_contractual", "default_security_level", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class DocumentTypeWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=50, help_text="A stable identifier (letters, digits, dashes); fixed once created.")
    name = serializers.CharField(max_length=100)
    is_contractual = serializers.BooleanField(required=False, default=False)
    default_security_level = serializers.ChoiceField(choices=ClearanceLevel.choices, required=False, default=ClearanceLevel.INTERNAL)
    is_active = serializers.BooleanField(required=False, default=True)


class DocumentTypeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    is_contractual = serializers.BooleanField(required=False)
    default_security_level = serializers.ChoiceField(choices=ClearanceLevel.choices, required=False)
    is_active = serializers.BooleanField(required=False)


class DocumentRequirementSerializer(serializers.ModelSerializer):
    document_type = DocumentTypeSummarySerializer(read_only=True)

    class Meta:
        model = DocumentRequirement
        fields = [
            "id", "document_type", "applies_to", "max_age_days", "must_be_unexpired", "responsible", "is_active",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class DocumentRequirementWriteSerializer(serializers.Serializer):
    document_type = TenantPrimaryKeyRelatedField(DocumentType)
    applies_to = serializers.ChoiceField(choices=RequirementScope.choices)
    max_age_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=3650,
        help_text="Maximum age in days, counted from the signature / issue date (e.g. 90 for a K-bis).",
    )
    must_be_unexpired = serializers.BooleanField(required=False, default=True)
    responsible = serializers.ChoiceField(choices=Responsible.choices, required=False, default=Responsible.OWNER)
    is_active = serializers.BooleanField(required=False, default=True)


class DocumentRequirementUpdateSerializer(serializers.Serializer):
    document_type = TenantPrimaryKeyRelatedField(DocumentType, required=False)
    applies_to = serializers.ChoiceField(choices=RequirementScope.choices, required=False)
    max_age_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    must_be_unexpired = serializers.BooleanField(required=False)
    responsible = serializers.ChoiceField(choices=Responsible.choices, required=False)
    is_active = serializers.BooleanField(required=False)
