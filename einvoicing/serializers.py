"""Serializers of the e-invoicing API (read-only): an invoice's submission to its platform with its
ordered lifecycle history, and the e-reports (payments, non-domestic sales) with their state."""

from __future__ import annotations

from rest_framework import serializers

from . import statuses
from .models import EReport, StatusEvent, Submission, SupplierInvoice


class StatusEventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField(help_text="The status's French label (XP Z12-012).")

    class Meta:
        model = StatusEvent
        fields = ["code", "label", "occurred_at", "reason_code", "reason", "source"]
        read_only_fields = fields

    def get_label(self, event) -> str:
        return statuses.label(event.code)


class SubmissionSerializer(serializers.ModelSerializer):
    invoice = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    status_label = serializers.SerializerMethodField()
    history = StatusEventSerializer(source="events", many=True, read_only=True,
                                    help_text="Every status received, oldest first.")

    class Meta:
        model = Submission
        fields = [
            "id", "invoice", "invoice_number", "channel", "state", "platform_id", "attempts", "last_error",
            "next_attempt_at", "submitted_at", "status", "status_label", "status_at", "status_reason", "errors",
            "history", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status_label(self, submission) -> str:
        return statuses.label(submission.status) if submission.status else ""


class EReportSerializer(serializers.ModelSerializer):
    invoice = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField())
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    payload = serializers.JSONField(read_only=True, help_text="What is reported: date, currency, amounts per VAT rate.")

    class Meta:
        model = EReport
        fields = [
            "id", "kind", "invoice", "invoice_number", "state", "attempts", "last_error", "next_attempt_at",
            "platform_id", "sent_at", "payload", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SupplierInvoiceSerializer(serializers.ModelSerializer):
    supplier = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField(), allow_null=True)
    contractor = serializers.UUIDField(source="supplier.membership_id", read_only=True, allow_null=True,
                                       help_text="The contractor's membership.")
    difference = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True,
                                          help_text="Net received minus net expected.")

    class Meta:
        model = SupplierInvoice
        fields = [
            "id", "supplier", "contractor", "source", "platform_id", "seller_siren", "seller_name", "number",
            "issue_date", "month", "currency", "total_net", "total_vat", "total_gross", "received_at",
            "expected_days", "expected_net", "difference", "match", "state", "reason", "decided_at", "status",
            "status_sent_at", "status_error",
        ]  # fmt: skip
        read_only_fields = fields
