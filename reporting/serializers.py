"""API shapes of the reports (read-only; amounts as decimal strings, like the rest of the API)."""

from rest_framework import serializers

MONEY = {"max_digits": 16, "decimal_places": 2}


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class RevenueMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the billed month.")
    by_type = serializers.DictField(child=serializers.DecimalField(**MONEY), help_text="Net revenue per deal type (t_and_m, fixed_price, subscription, other).")
    total = serializers.DecimalField(**MONEY)
    previous_year = serializers.DecimalField(**MONEY)
    expected = serializers.DecimalField(**MONEY, allow_null=True, help_text="Null when narrowed to a client, an owner or a scope, or not computed yet.")


class RevenueSerializer(serializers.Serializer):
    period = PeriodSerializer()
    total = serializers.DecimalField(**MONEY)
    previous_total = serializers.DecimalField(**MONEY)
    months = RevenueMonthSerializer(many=True)


class AccrualRowSerializer(serializers.Serializer):
    invoice = serializers.UUIDField(source="invoice_id", allow_null=True)
    milestone = serializers.UUIDField(source="milestone_id", allow_null=True)
    number = serializers.CharField()
    client = serializers.UUIDField(source="client_id")
    client_name = serializers.CharField(source="client")
    deal_reference = serializers.CharField()
    deal_type = serializers.CharField()
    month = serializers.DateField(allow_null=True)
    amount = serializers.DecimalField(**MONEY)
    reason = serializers.CharField()
    age_days = serializers.IntegerField()
    responsible = serializers.CharField()


class AccrualPointSerializer(serializers.Serializer):
    month_end = serializers.DateField()
    amount = serializers.DecimalField(**MONEY)


class AccrualSerializer(serializers.Serializer):
    at = serializers.DateField(help_text="The month end the rows are measured at.")
    total = serializers.DecimalField(**MONEY)
    rows = AccrualRowSerializer(many=True, help_text="At most 500 rows; the total covers them all.")
    evolution = AccrualPointSerializer(many=True)


class ClientBalanceSerializer(serializers.Serializer):
    client = serializers.UUIDField(source="client_id")
    client_name = serializers.CharField(source="client")
    buckets = serializers.DictField(child=serializers.DecimalField(**MONEY))
    total = serializers.DecimalField(**MONEY)
    invoices = serializers.IntegerField()


class ClientDelaySerializer(serializers.Serializer):
    client = serializers.UUIDField(source="client_id")
    client_name = serializers.CharField(source="client")
    invoices = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=8, decimal_places=1)
    median = serializers.DecimalField(max_digits=8, decimal_places=1)


class DsoSerializer(serializers.Serializer):
    month_end = serializers.DateField()
    dso = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class WeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="Monday of the week.")
    amount = serializers.DecimalField(**MONEY)


class ReceivablesSerializer(serializers.Serializer):
    at = serializers.DateField()
    total = serializers.DecimalField(**MONEY)
    buckets = serializers.DictField(child=serializers.DecimalField(**MONEY), help_text="not_due, late_1_30, late_31_60, late_61_90, late_over_90 (amounts including VAT).")
    clients = ClientBalanceSerializer(many=True)
    dso_method = serializers.CharField()
    dso = DsoSerializer(many=True)
    payment_delays = ClientDelaySerializer(many=True)
    forecast = WeekSerializer(many=True)
    forecast_later = serializers.DecimalField(**MONEY)


class CloseMonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    issued = serializers.IntegerField()
    median_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    issued_by_working_day_3 = serializers.IntegerField(source="by_target")
    on_time_percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    deadline = serializers.DateField()


class CloseSerializer(serializers.Serializer):
    median_days = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    on_time_percent = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    months = CloseMonthSerializer(many=True)
    blocked = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()), help_text="Reason code → month → pre-invoices still blocked.")
