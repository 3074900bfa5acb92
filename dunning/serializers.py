"""Serializers of the dunning API: outputs are read-only model serializers; inputs are plain
serializers handed to one service."""

from __future__ import annotations

from rest_framework import serializers

from adv.api.serializers import TenantPrimaryKeyRelatedField
from adv.tenancy.models import Membership

from .messages import TEMPLATE_KEYS
from .models import DunningPause, DunningPlan, DunningStep, PaymentPromise, Reminder, Tone


def _ref(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(read_only=True, pk_field=serializers.UUIDField(), **kwargs)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, coerce_to_string=True, **kwargs)


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = DunningStep
        fields = ["id", "days_after_due", "tone", "template_key"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(read_only=True, allow_null=True)
    steps = serializers.SerializerMethodField()
    signatory = _ref(allow_null=True)
    is_default = serializers.SerializerMethodField(help_text="True: the firm never saved its plan (the defaults apply).")

    class Meta:
        model = DunningPlan
        fields = ["id", "is_active", "penalty_rate", "signatory", "steps", "is_default"]
        read_only_fields = fields

    def get_steps(self, plan) -> list[dict]:
        from .selectors import plan_steps

        return [
            {"id": s.id, "days_after_due": s.days_after_due, "tone": s.tone, "template_key": s.template_key}
            for s in plan_steps(plan)
        ]

    def get_is_default(self, plan) -> bool:
        return plan._state.adding

    def to_representation(self, plan):
        data = super().to_representation(plan)
        if plan._state.adding:
            data["id"] = None
        return data


class PlanUpdateSerializer(serializers.Serializer):
    is_active = serializers.BooleanField()
    penalty_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    signatory = TenantPrimaryKeyRelatedField(Membership, required=False, allow_null=True, default=None)


class StepWriteSerializer(serializers.Serializer):
    days_after_due = serializers.IntegerField(help_text="At least 1: a step at or before the due date is refused.")
    tone = serializers.ChoiceField(choices=Tone.choices)
    template_key = serializers.ChoiceField(choices=[("", "")] + [(k, k) for k in TEMPLATE_KEYS], required=False, default="")


class ReminderSerializer(serializers.ModelSerializer):
    invoice = _ref()
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    client = serializers.UUIDField(source="invoice.client_id", read_only=True)
    step = _ref(allow_null=True)
    sent_by = _ref(allow_null=True)
    email = _ref(allow_null=True)
    balance = _money()
    penalties = _money()
    indemnity = _money()

    class Meta:
        model = Reminder
        fields = [
            "id", "invoice", "invoice_number", "client", "step", "tone", "step_days", "days_late", "sent_at", "to",
            "cc", "sent_by", "is_automatic", "email", "balance", "penalties", "indemnity",
        ]
        read_only_fields = fields


class PauseSerializer(serializers.ModelSerializer):
    class Meta:
        model = DunningPause
        fields = ["id", "kind", "reason", "source", "since", "until", "ended_at"]
        read_only_fields = fields


class PromiseSerializer(serializers.ModelSerializer):
    amount = _money()

    class Meta:
        model = PaymentPromise
        fields = ["id", "promised_on", "amount", "note", "status", "checked_at", "noted_by"]
        read_only_fields = fields


class InvoiceDunningSerializer(serializers.Serializer):
    """An invoice's dunning state (the invoice page's "Relances" block)."""

    invoice = serializers.UUIDField()
    overdue = serializers.BooleanField()
    days_late = serializers.IntegerField()
    paused = serializers.BooleanField()
    next_step = serializers.DictField(allow_null=True)
    reminders = ReminderSerializer(many=True)
    pauses = PauseSerializer(many=True)
    promises = PromiseSerializer(many=True)


class PauseCreateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    until = serializers.DateField(required=False, allow_null=True, default=None)
    dispute = serializers.BooleanField(required=False, default=False)


class PromiseCreateSerializer(serializers.Serializer):
    promised_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
