"""Serializers of the billing API. Output serializers show rows (money as strings with two
decimals); input serializers only parse the body, then the view calls a service (the only write
path)."""

from __future__ import annotations

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adv.api.serializers import ProblemSerializer, TenantPrimaryKeyRelatedField
from adv.months import first_day

from .models import (
    BillingJob,
    BillingRun,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    Readiness,
    Unit,
)


def _ref(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField(), **kwargs)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, coerce_to_string=True, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"})
class MonthField(serializers.Field):
    """A month as `YYYY-MM` (stored as its first day)."""

    default_error_messages = {"invalid": "Mois invalide : attendu AAAA-MM."}

    def to_internal_value(self, data):
        month = first_day(data if isinstance(data, str) else "")
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return value.strftime("%Y-%m") if value else None


# --- Billing runs -----------------------------------------------------------------------------------


class BillingRunSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text="Percent of the chunks built.")
    started_by = _ref(allow_null=True)

    class Meta:
        model = BillingRun
        fields = [
            "id", "month", "status", "chunk_count", "chunks_done", "progress", "created_count", "updated_count",
            "removed_count", "error", "started_by", "finished_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class BillingRunCreateSerializer(serializers.Serializer):
    month = MonthField(help_text="The month to bill, `YYYY-MM`.")


# --- Pre-invoices -------------------------------------------------------------------------------------


class CheckSerializer(serializers.Serializer):
    """A readiness check of a pre-invoice, as stored (nothing resolved)."""

    code = serializers.CharField(help_text="e.g. MISSING_PO, MISSING_RECEPTION, PROVISIONAL_DEAL.")
    level = serializers.ChoiceField(choices=["blocked", "action", "info"])
    message = serializers.CharField()
    responsible = serializers.UUIDField(allow_null=True, required=False, help_text="Membership to chase, if any.")

    def to_representation(self, instance):
        return {
            "code": instance.get("code"),
            "level": instance.get("level"),
            "message": instance.get("message", ""),
            "responsible": instance.get("responsible") or None,
        }


class InvoiceLineSerializer(serializers.ModelSerializer):
    is_generated = serializers.BooleanField(
        read_only=True, help_text="Built from a timesheet, milestone or subscription: only reworded."
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "id", "position", "kind", "label", "detail", "quantity", "unit", "unit_price", "vat_rate", "net_amount",
            "is_generated", "is_edited", "is_extra", "period_start", "period_end",
        ]  # fmt: skip
        read_only_fields = fields


class PreInvoiceSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    client = _ref()
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    deal = _ref(allow_null=True)
    deal_reference = serializers.CharField(source="deal.reference", read_only=True, allow_null=True, default=None)
    purchase_order = _ref(allow_null=True)
    consultant = _ref(allow_null=True)
    total_net = _money()
    total_vat = _money()
    total_gross = _money()
    checks = CheckSerializer(many=True, read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "month", "status", "number", "readiness", "ease", "client", "client_name", "deal", "deal_reference",
            "purchase_order", "consultant", "period_start", "period_end", "currency", "po_number", "engagement_number",
            "buyer_reference", "service_code", "notes", "vat_regime", "total_net", "total_vat", "total_gross", "checks", "lines",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class PreInvoiceUpdateSerializer(serializers.Serializer):
    po_number = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Purchase order (BT-13); kept by rebuilds."
    )
    engagement_number = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Chorus Pro engagement number (BT-13 of a public client's invoice); kept by rebuilds. "
        "Blank: the deal's purchase order.",
    )
    buyer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="BT-10.")
    service_code = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="BT-10.")
    notes = serializers.CharField(required=False, allow_blank=True)


class LineWriteSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=300)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(max_digits=9, decimal_places=2)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, min_value=0)
    vat_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True,
        help_text="Percent; default: the firm's default rate.",
    )  # fmt: skip


class DiscountSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=300, required=False, allow_blank=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)

    def validate(self, attrs):
        if (attrs.get("amount") is None) == (attrs.get("percent") is None):
            raise serializers.ValidationError({"amount": ["Indiquez un montant ou un pourcentage de remise."]})
        return attrs


class IssueSerializer(serializers.Serializer):
    issue_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The invoice date (default: today, in the firm's time zone). Never in the future, never before "
        "an invoice already issued in the year's series (chronological numbering): 400 `issue_date_future` / "
        "`issue_date_before_last`.",
    )


class BulkIssueSerializer(IssueSerializer):
    ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=5000)


class BulkSendSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=5000)


class BillingJobSerializer(serializers.ModelSerializer):
    """A bulk issue or send run by the workers; `succeeded` and `refused` fill in as it goes."""

    month = MonthField(read_only=True)
    progress = serializers.IntegerField(read_only=True, help_text="Percent of the invoices handled.")
    created_by = _ref(allow_null=True)
    succeeded = serializers.ListField(
        child=serializers.UUIDField(), read_only=True, help_text="Ids issued (or sent), in numbering order."
    )
    refused = serializers.DictField(
        source="errors",
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="Per refused id, the reasons.",
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = BillingJob
        fields = [
            "id", "url", "kind", "status", "month", "issue_date", "total", "done_count", "failed_count", "progress",
            "succeeded", "refused", "error", "created_by", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, job) -> str:
        root = self.context.get("api_root") or "/api/v1/"
        return f"{root}billing-jobs/{job.pk}/"


class ChaseSerializer(serializers.Serializer):
    check = serializers.CharField(max_length=40, help_text="The code of the check to chase, e.g. MISSING_PO.")


class ChaseResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    check = serializers.CharField(source="check_code")
    membership = serializers.UUIDField(source="membership_id", help_text="The person chased.")


class BlockedProblemSerializer(ProblemSerializer):
    reasons = serializers.ListField(child=serializers.CharField(), required=False)


# --- Invoices and credit notes --------------------------------------------------------------------------


class InvoiceSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    client = _ref()
    client_name = serializers.CharField(source="client.display_name", read_only=True)
    deal = _ref(allow_null=True)
    total_net = _money()
    total_vat = _money()
    total_gross = _money()
    amount_paid = _money()
    amount_credited = _money()
    balance = _money(help_text="Total TTC minus payments and credit notes.")
    is_overdue = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField(help_text="Download link of the PDF (404 until rendered).")
    xml = serializers.SerializerMethodField(help_text="Download link of the Factur-X XML (404 until rendered).")
    lines = InvoiceLineSerializer(many=True, read_only=True)

    resource = "invoices"

    class Meta:
        model = Invoice
        fields = [
            "id", "kind", "number", "status", "month", "issue_date", "due_date", "period_start", "period_end", "client",
            "client_name", "deal", "currency", "po_number", "engagement_number", "buyer_reference", "service_code",
            "vat_regime",
            "total_net", "total_vat", "total_gross", "amount_paid", "amount_credited", "balance", "is_overdue",
            "render_status", "pdf_sha256", "xml_sha256", "pdf", "xml", "sent_at", "deposited_at",
            "deposit_reference", "lines", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_overdue(self, invoice: Invoice) -> bool:
        return invoice.is_overdue(self.context.get("today") or datetime.date.today())

    def _link(self, invoice: Invoice, what: str) -> str | None:
        root = self.context.get("api_root")
        return f"{root}{self.resource}/{invoice.pk}/{what}/" if root else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf(self, invoice: Invoice) -> str | None:
        return self._link(invoice, "pdf")

    @extend_schema_field(OpenApiTypes.URI)
    def get_xml(self, invoice: Invoice) -> str | None:
        return self._link(invoice, "xml")


class CreditNoteSerializer(InvoiceSerializer):
    credited_invoice = _ref()
    credited_invoice_number = serializers.CharField(source="credited_invoice.number", read_only=True)
    credited_invoice_date = serializers.DateField(source="credited_invoice.issue_date", read_only=True)

    resource = "credit-notes"

    class Meta(InvoiceSerializer.Meta):
        fields = [
            *[f for f in InvoiceSerializer.Meta.fields if f not in ("amount_paid", "is_overdue", "balance")],
            "credited_invoice", "credited_invoice_number", "credited_invoice_date", "credit_reason",
        ]  # fmt: skip
        read_only_fields = fields


class CreditNoteCreateSerializer(serializers.Serializer):
    invoice = TenantPrimaryKeyRelatedField(Invoice, help_text="The issued invoice to credit.")
    reason = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, help_text="HT; absent: the whole invoice."
    )
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class DepositSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, help_text="The reference the platform gave.")


# --- Payments --------------------------------------------------------------------------------------


class PaymentSerializer(serializers.ModelSerializer):
    invoice = _ref()
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    amount = _money()
    recorded_by = _ref(allow_null=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "paid_on",
            "amount",
            "method",
            "reference",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    invoice = TenantPrimaryKeyRelatedField(Invoice)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    paid_on = serializers.DateField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


READINESS_CHOICES = Readiness.choices
