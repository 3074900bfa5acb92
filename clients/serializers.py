"""Serializers of the clients API. Output serializers show rows; input serializers only parse
the body, then the view calls a service (the only write path), which validates the identity
(SIREN, SIRET, VAT), the payment terms' legal maxima and the rest.

The e-invoicing platform password is write-only: it is never returned (`has_platform_password`).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from adv.api.serializers import ProblemSerializer, TenantPrimaryKeyRelatedField
from adv.tenancy.models import Membership

from .models import (
    BillingProfile,
    Client,
    ClientName,
    ClientStatus,
    Contact,
    EInvoicingPlatform,
    InvoiceDelivery,
    InvoiceGrouping,
)

EARLIEST_NAME_DATE = datetime.date(1900, 1, 1)

# --- Billing profile -------------------------------------------------------------------------------


class BillingProfileSerializer(serializers.ModelSerializer):
    has_platform_password = serializers.BooleanField(
        read_only=True, help_text="Whether a platform password is stored. The password itself is never returned."
    )

    class Meta:
        model = BillingProfile
        fields = [
            "payment_terms_days", "payment_terms_end_of_month", "invoice_language", "einvoicing_platform",
            "platform_name", "platform_url", "platform_instructions", "platform_username", "has_platform_password",
            "chorus_service_code", "chorus_engagement_required", "purchase_order_required",
            "reception_number_required", "signed_timesheet_required", "grouping", "billing_process",
            "pre_invoice_notes", "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "billing_process": {"help_text": "Simple HTML (p, strong, em, ul/ol/li, a…), sanitised when saved."},
        }


class BillingProfileUpdateSerializer(serializers.Serializer):
    """PATCH body: only the fields sent change. Legal maxima: 60 days, or 45 days end of month."""

    payment_terms_days = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    payment_terms_end_of_month = serializers.BooleanField(required=False)
    invoice_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    einvoicing_platform = serializers.ChoiceField(choices=EInvoicingPlatform.choices, required=False)
    platform_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    platform_url = serializers.CharField(required=False, allow_blank=True, max_length=200)
    platform_instructions = serializers.CharField(required=False, allow_blank=True)
    platform_username = serializers.CharField(required=False, allow_blank=True, max_length=200)
    platform_password = serializers.CharField(
        required=False, allow_blank=True, write_only=True, trim_whitespace=False, max_length=500,
        help_text="Stored encrypted; adv and admin roles only. An empty string clears it; absent keeps it.",
    )
    chorus_service_code = serializers.CharField(required=False, allow_blank=True, max_length=100)
    chorus_engagement_required = serializers.BooleanField(required=False)
    purchase_order_required = serializers.BooleanField(required=False)
    reception_number_required = serializers.BooleanField(required=False)
    signed_timesheet_required = serializers.BooleanField(required=False)
    grouping = serializers.ChoiceField(choices=InvoiceGrouping.choices, required=False)
    billing_process = serializers.CharField(required=False, allow_blank=True)
    pre_invoice_notes = serializers.CharField(required=False, allow_blank=True)


# --- Clients ------------------------------------------------------------------------------------------


class ClientNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientName
        fields = ["legal_name", "trade_name", "valid_from"]
        read_only_fields = fields


class ClientSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_archived = serializers.BooleanField(read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    owner = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    adv_owner = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    names = ClientNameSerializer(many=True, read_only=True, help_text="Dated name history, newest first.")
    billing_profile = BillingProfileSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Client
        fields = [
            "id", "status", "status_display", "legal_name", "trade_name", "display_name", "legal_form",
            "siren", "siret", "vat_number", "country", "sector", "parent", "is_public_sector", "owner",
            "adv_owner", "notes", "is_archived", "archived_at",
            "head_office_line1", "head_office_line2", "head_office_postal_code", "head_office_city",
            "head_office_country", "billing_line1", "billing_line2", "billing_postal_code", "billing_city",
            "billing_country", "names", "billing_profile", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ClientWriteSerializer(serializers.Serializer):
    """Create (legal_name required) or PATCH (only the fields sent change). A change of
    `legal_name` / `trade_name` goes through the `rename` action (dated history)."""

    status = serializers.ChoiceField(choices=ClientStatus.choices, required=False)
    legal_name = serializers.CharField(max_length=200)
    trade_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    legal_form = serializers.CharField(required=False, allow_blank=True, max_length=50)
    siren = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="9 digits, checksum verified.")
    siret = serializers.CharField(required=False, allow_blank=True, max_length=25, help_text="14 digits, checksum verified.")
    vat_number = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text="EU VAT number, format and key verified."
    )
    country = serializers.CharField(required=False, max_length=2)
    sector = serializers.CharField(required=False, allow_blank=True, max_length=100)
    parent = TenantPrimaryKeyRelatedField(Client, required=False, allow_null=True)
    is_public_sector = serializers.BooleanField(required=False, help_text="Public clients are billed through Chorus Pro.")
    owner = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True)
    adv_owner = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    head_office_line1 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    head_office_line2 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    head_office_postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    head_office_city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    head_office_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    billing_line1 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    billing_line2 = serializers.CharField(required=False, allow_blank=True, max_length=200)
    billing_postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    billing_city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    billing_country = serializers.CharField(
        required=False, allow_blank=True, max_length=2,
        help_text="ISO code of the billing address's country; blank (the default) means the client's country.",
    )


class ClientRenameSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    trade_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    valid_from = serializers.DateField(help_text="The date the new name applies from (not in the future, not before 1900).")

    def validate_valid_from(self, value):
        if value < EARLIEST_NAME_DATE:
            raise serializers.ValidationError(_("Choisissez une date postérieure au 1er janvier 1900."))
        return value


class ExistingClientSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    display_name = serializers.CharField()


class SirenTakenProblemSerializer(ProblemSerializer):
    """409 `siren_taken`: the problem document names the client that already has this SIREN."""

    existing_client = ExistingClientSerializer()


# --- Contacts ------------------------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    receives_invoices = serializers.BooleanField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id", "client", "first_name", "last_name", "job_title", "email", "phone", "invoice_delivery",
            "receives_invoices", "signs_timesheets", "signs_acceptance_reports", "is_active", "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactWriteSerializer(serializers.Serializer):
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(max_length=100)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=150)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    invoice_delivery = serializers.ChoiceField(
        choices=InvoiceDelivery.choices, required=False, allow_blank=True,
        help_text="`to`: the invoice is addressed to this contact; `cc`: a copy; empty: none. Needs an email.",
    )
    signs_timesheets = serializers.BooleanField(required=False)
    signs_acceptance_reports = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class ContactCreateSerializer(ContactWriteSerializer):
    client = TenantPrimaryKeyRelatedField(Client)

