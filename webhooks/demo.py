"""Demo data of webhooks: one endpoint of an imaginary ERP with a short delivery log (a success,
then a failure to replay), so that the settings page shows what the log looks like.

The endpoint is disabled (its address does not exist): the demo's own actions send nothing.
Rows are written directly (no DNS lookup, no task). Idempotent: nothing is added when the firm has
an endpoint already.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from clients import crypto

from .models import Delivery, DeliveryStatus, DisabledReason, Endpoint, Event
from .signing import generate_secret

URL = "https://erp.demo.example/hooks/adv"


def seed(tenant) -> None:
    if Endpoint.objects.exists():
        return
    now = timezone.now()
    endpoint = Endpoint.objects.create(
        url=URL,
        description="ERP du groupe (démo)",
        event_types=["invoice.issued", "invoice.paid", "payment.recorded"],
        secret_encrypted=crypto.encrypt(generate_secret()),
        is_enabled=False,
        disabled_reason=DisabledReason.MANUAL,
        disabled_at=now,
        last_success_at=now - timedelta(days=2),
    )
    sample = {"id": "00000000-0000-0000-0000-000000000000", "number": "F2026-0001", "status": "issued"}
    issued = Event.objects.create(type="invoice.issued", payload=sample, created_at=now - timedelta(days=2))
    paid = Event.objects.create(type="invoice.paid", payload={**sample, "status": "paid"}, created_at=now - timedelta(days=1))
    Delivery.objects.create(
        endpoint=endpoint, event=issued, status=DeliveryStatus.SUCCEEDED, attempts=1,
        first_attempt_at=issued.created_at, last_attempt_at=issued.created_at, response_status=200,
        response_body='{"received": true}', duration_ms=182, created_at=issued.created_at,
    )  # fmt: skip
    Delivery.objects.create(
        endpoint=endpoint, event=paid, status=DeliveryStatus.FAILED, attempts=8,
        first_attempt_at=paid.created_at, last_attempt_at=paid.created_at + timedelta(hours=24),
        response_status=503, response_body="Service Unavailable", duration_ms=95,
        error="Réponse HTTP 503 (attendu : 2xx).", created_at=paid.created_at,
    )  # fmt: skip
