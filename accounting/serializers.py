"""REST serializers of the accounting export."""

from __future__ import annotations

from rest_framework import serializers

from .models import AccountingExport, AccountMapping, VatAccount
from .services import MAPPING_FIELDS


class ExportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountingExport
        fields = [
            "id", "kind", "start", "end", "run_by_name", "filename", "sha256", "size", "entry_count", "line_count",
            "total_debit", "created_at",
        ]
        read_only_fields = fields


class VatAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = VatAccount
        fields = ["rate", "account", "label"]


class MappingSerializer(serializers.ModelSerializer):
    vat_accounts = VatAccountSerializer(many=True, required=False)

    class Meta:
        model = AccountMapping
        fields = sorted(MAPPING_FIELDS) + ["vat_accounts"]


class MappingUpdateSerializer(serializers.Serializer):
    """Any of the mapping's fields; `vat_accounts`, when given, replaces the VAT accounts."""

    vat_accounts = VatAccountSerializer(many=True, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in sorted(MAPPING_FIELDS):
            model_field = AccountMapping._meta.get_field(name)
            if name == "revenue_per_deal_type":
                self.fields[name] = serializers.BooleanField(required=False)
            else:
                self.fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=model_field.max_length)
