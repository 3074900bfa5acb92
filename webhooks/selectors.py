"""Reads of webhooks: scoped to the active firm, with the columns shown."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Delivery, DeliveryStatus, Endpoint

DELIVERY_FIELDS = (
    "id", "endpoint", "event__id", "event__type", "event__created_at", "status", "attempts", "next_attempt_at",
    "last_attempt_at", "response_status", "response_body", "duration_ms", "error", "replay_of", "created_at",
    "tenant_id",
)  # fmt: skip


def endpoint_list() -> QuerySet[Endpoint]:
    """Every endpoint of the firm, with its count of failed deliveries."""
    return (
        Endpoint.objects.defer("secret_encrypted", "previous_secret_encrypted")
        .annotate(failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)))
        .order_by("created_at", "id")
    )


def delivery_list(*, endpoint_id=None, status: str | None = None) -> QuerySet[Delivery]:
    queryset = Delivery.objects.select_related("event").only(*DELIVERY_FIELDS)
    if endpoint_id is not None:
        queryset = queryset.filter(endpoint_id=endpoint_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")



def delivery_counts(*, endpoint_id) -> dict[str, int]:
    rows = Delivery.objects.filter(endpoint_id=endpoint_id).values("status").annotate(n=Count("id")).order_by()
    counts = {status: 0 for status in DeliveryStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts
