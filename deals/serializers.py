"""Serializers of the deals API. Output serializers show rows; input serializers only parse the
body, then the view calls a service (the only write path).

Sale rates (`daily_rate`, `margin_per_day`, `amount_at_stake`) are omitted entirely, keys and
all, for consultants and external contractors (`selectors.rates_visible`).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adv.api.serializers import ProblemSerializer, TenantPrimaryKeyRelatedField
from adv.tenancy.models import Membership
from clients.models import Client, Contact
from documents.models import Document, DocumentType

from .models import (
    Assignment,
    BillingTiming,
    Deal,
    DealType,
    Milestone,
    PurchaseOrder,
    Subscription,
    SubscriptionPeriod,
)


def _ref(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField(), **kwargs)


# --- Deals ----------------------------------------------------------------------------------------


class SignatureProofSerializer(serializers.Serializer):
    """A document recorded as proof of the order when the signature was recorded."""

    document = serializers.UUIDField(source="document_id", read_only=True)
    title = serializers.CharField(source="document.title", read_only=True)
    document_type = serializers.CharField(source="document.document_type.name", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True, help_text="The version the document had at signature.")
    sha256 = serializers.CharField(source="version.sha256", read_only=True)


class DealSerializer(serializers.ModelSerializer):
    client = _ref()
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    sales_owner = _ref()
    project_manager = _ref(allow_null=True)
    adv_owner = _ref(allow_null=True)
    signed_by_contact = _ref(allow_null=True)
    invoice_recipients = _ref(many=True, help_text="Contacts receiving this deal's invoices instead of the client's usual recipients.")
    is_provisional = serializers.BooleanField(read_only=True, help_text="Validated provisionally, not signed yet.")
    is_signed = serializers.BooleanField(read_only=True)
    is_commissionable = serializers.BooleanField(read_only=True, help_text="Only signed deals are commissionable.")
    provisional_days = serializers.SerializerMethodField(help_text="Days since the provisional validation (null unless provisional).")
    signature_documents = SignatureProofSerializer(
        source="signature_proofs", many=True, read_only=True,
        help_text="The documents that proved the order when the signature was recorded, with their version then.",
    )
    missing_for_signature = serializers.SerializerMethodField(
        help_text="What the deal lacks to be signed: required document types, a purchase order number (empty once signed)."
    )

    class Meta:
        model = Deal
        fields = [
            "id", "reference", "title", "client", "client_name", "deal_type", "status", "status_display", "sales_owner",
            "project_manager", "adv_owner", "currency", "start_date", "end_date", "ordered_amount", "consultant_instructions",
            "pre_invoice_notes", "purchase_order_required", "reception_number_required", "signed_timesheet_required",
            "invoice_recipients", "is_provisional", "provisional_since", "provisional_days", "missing_for_signature",
            "is_signed", "is_commissionable", "signed_on", "signed_by_contact", "signature_documents", "signature_override_reason", "closed_at",
            "lost_at", "lost_reason", "created_at", "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "purchase_order_required": {"help_text": "Override of the client's billing profile; null: as the client's profile says."},
            "reception_number_required": {"help_text": "Override of the client's billing profile; null: as the client's profile says."},
            "signed_timesheet_required": {"help_text": "Override of the client's billing profile; null: as the client's profile says."},
        }

    @extend_schema_field(OpenApiTypes.INT)
    def get_provisional_days(self, deal: Deal) -> int | None:
        return getattr(deal, "provisional_age", None)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing_for_signature(self, deal: Deal) -> list[str]:
        return list(getattr(deal, "missing", []))


class DealWriteSerializer(serializers.Serializer):
    """Create (client, title, deal_type, start_date required) or PATCH (only the fields sent change)."""

    title = serializers.CharField(max_length=200)
    deal_type = serializers.ChoiceField(choices=DealType.choices, help_text="Locked once the deal leaves the draft status.")
    sales_owner = TenantPrimaryKeyRelatedField(Membership, required=False, help_text="Default: the client's sales owner.")
    project_manager = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True)
    adv_owner = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True, help_text="Default: the client's ADV.")
    currency = serializers.CharField(required=False, max_length=3)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    ordered_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    consultant_instructions = serializers.CharField(required=False, allow_blank=True)
    pre_invoice_notes = serializers.CharField(required=False, allow_blank=True)
    purchase_order_required = serializers.BooleanField(required=False, allow_null=True)
    reception_number_required = serializers.BooleanField(required=False, allow_null=True)
    signed_timesheet_required = serializers.BooleanField(required=False, allow_null=True)


class DealCreateSerializer(DealWriteSerializer):
    client = TenantPrimaryKeyRelatedField(Client)


class DealUpdateSerializer(DealWriteSerializer):
    invoice_recipients = TenantPrimaryKeyRelatedField(
        Contact, many=True, required=False, help_text="Contacts of the deal's client; an empty list: the client's usual recipients."
    )


class DealSignSerializer(serializers.Serializer):
    signed_on = serializers.DateField(help_text="The signature date (not in the future).")
    signed_by_contact = TenantPrimaryKeyRelatedField(Contact, required=False, allow_null=True, help_text="A contact of the client.")
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Required to sign while documents are missing; recorded in the deal's audit trail.",
    )


class DealLostSerializer(serializers.Serializer):
    reason = serializers.CharField()


class MissingDocumentsSerializer(serializers.Serializer):
    missing = serializers.ListField(child=serializers.CharField(), help_text="Empty: the deal may be signed.")


class MissingDocumentsProblemSerializer(ProblemSerializer):
    """409 `missing_documents`: the problem lists what is missing (`missing`); 409
    `invalid_transition` when the lifecycle forbids signing from the current status."""

    missing = serializers.ListField(child=serializers.CharField(), required=False)


# --- Staffing -----------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.ModelSerializer):
    """A consultant on a deal. For consultants and contractors the rate fields are not there at all."""

    deal = _ref()
    deal_reference = serializers.CharField(source="deal.reference", read_only=True)
    deal_title = serializers.CharField(source="deal.title", read_only=True)
    consultant = _ref()
    consultant_name = serializers.CharField(source="consultant.user.get_full_name", read_only=True)
    consultant_is_contractor = serializers.BooleanField(source="consultant.is_contractor", read_only=True)
    manager = serializers.PrimaryKeyRelatedField(
        source="consultant.reports_to", read_only=True, allow_null=True, pk_field=serializers.UUIDField(),
        help_text="The consultant's manager (membership), who validates their timesheets.",
    )
    consultant_instructions = serializers.CharField(source="deal.consultant_instructions", read_only=True)
    margin_per_day = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, allow_null=True,
        help_text="Sale minus purchase daily rate (contractors); absent for consultants and contractors.",
    )

    RATE_FIELDS = ("daily_rate", "purchase_daily_rate", "margin_per_day")

    class Meta:
        model = Assignment
        fields = [
            "id", "deal", "deal_reference", "deal_title", "consultant", "consultant_name", "consultant_is_contractor", "manager",
            "daily_rate", "purchase_daily_rate", "margin_per_day", "start_date", "end_date", "planned_days",
            "reception_number_required", "is_active", "consultant_instructions", "created_at", "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "daily_rate": {"help_text": "Sale daily rate (TJM); absent for consultants and contractors."},
            "purchase_daily_rate": {"help_text": "Purchase daily rate of a contractor; absent for consultants and contractors."},
        }

    def __init__(self, *args, show_rates: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_rates:
            for name in self.RATE_FIELDS:
                self.fields.pop(name, None)


class AssignmentWriteSerializer(serializers.Serializer):
    daily_rate = serializers.DecimalField(max_digits=10, decimal_places=2, help_text="Sale daily rate, strictly positive.")
    purchase_daily_rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True, help_text="Contractors only."
    )
    start_date = serializers.DateField(help_text="Within the deal's dates.")
    end_date = serializers.DateField(required=False, allow_null=True, help_text="Required when the deal has an end date.")
    planned_days = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True, min_value=0)
    reception_number_required = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class AssignmentCreateSerializer(AssignmentWriteSerializer):
    deal = TenantPrimaryKeyRelatedField(Deal)
    consultant = TenantPrimaryKeyRelatedField(Membership, help_text="An active membership with the consultant role.")


# --- Milestones -----------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    deal = _ref()
    deal_reference = serializers.CharField(source="deal.reference", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    required_document_type = _ref(allow_null=True)
    required_document_type_name = serializers.CharField(source="required_document_type.name", read_only=True, allow_null=True, default=None)
    document = _ref(allow_null=True)
    project_manager = _ref(allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "id", "deal", "deal_reference", "label", "due_date", "due_event", "event_occurred_on", "amount", "percentage",
            "required_document_type", "required_document_type_name", "document", "project_manager", "status", "status_display",
            "blocked_since", "invoiced_at", "created_at", "updated_at",
        ]
        read_only_fields = fields


class MilestoneItemSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True)
    due_event = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="When there is no due date.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, min_value=0, max_value=100,
        help_text="Of the ordered amount, when no amount is given.",
    )
    required_document_type = TenantPrimaryKeyRelatedField(DocumentType, required=False, allow_null=True)
    project_manager = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True, help_text="Default: the deal's.")


class MilestoneScheduleSerializer(serializers.Serializer):
    milestones = MilestoneItemSerializer(
        many=True, help_text="The whole schedule of the not-yet-invoiced milestones; must add up to the ordered amount."
    )


class MilestoneAttachSerializer(serializers.Serializer):
    document = TenantPrimaryKeyRelatedField(Document, help_text="A document of the deal's client, of the required type.")


class MilestoneEventSerializer(serializers.Serializer):
    occurred_on = serializers.DateField(help_text="When the triggering event happened (not in the future).")


# --- Subscriptions, purchase orders ---------------------------------------------------------------------


class SubscriptionSerializer(serializers.ModelSerializer):
    deal = _ref()

    class Meta:
        model = Subscription
        fields = [
            "id", "deal", "label", "amount", "period", "timing", "start_date", "end_date", "next_billing_date", "is_active",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


class SubscriptionWriteSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    period = serializers.ChoiceField(choices=SubscriptionPeriod.choices, required=False)
    timing = serializers.ChoiceField(choices=BillingTiming.choices, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class SubscriptionCreateSerializer(SubscriptionWriteSerializer):
    deal = TenantPrimaryKeyRelatedField(Deal, help_text="A deal of type subscription.")


class PurchaseOrderSerializer(serializers.ModelSerializer):
    deal = _ref()
    document = _ref(allow_null=True)

    class Meta:
        model = PurchaseOrder
        fields = ["id", "deal", "number", "amount", "valid_from", "valid_until", "document", "created_at", "updated_at"]
        read_only_fields = fields


class PurchaseOrderWriteSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    document = TenantPrimaryKeyRelatedField(Document, required=False, allow_null=True, help_text="A document of the deal's client.")


class PurchaseOrderCreateSerializer(PurchaseOrderWriteSerializer):
    deal = TenantPrimaryKeyRelatedField(Deal)
