"""E-invoicing rows written directly (for tests that measure lists, not the sending itself)."""

from __future__ import annotations

import datetime
import uuid

from adv.tenancy.context import tenant_context
from einvoicing.models import EReport, StatusEvent, Submission, SupplierInvoice

MOMENT = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


def platform_rows(tenant, invoices) -> None:
    """Each invoice submitted to the platform with two statuses (déposée, approuvée), a sent
    payment report, and a supplier invoice received."""
    with tenant_context(tenant):
        for invoice in invoices:
            tracking = uuid.uuid4().hex
            submission = Submission.objects.create(
                invoice=invoice, channel="xp_z12_013", tracking_id=tracking, state="submitted",
                platform_id=f"FLW-{tracking[:8]}", attempts=1, submitted_at=MOMENT, status="205", status_at=MOMENT,
            )
            for index, code in enumerate(("200", "205")):
                StatusEvent.objects.create(
                    submission=submission, invoice=invoice, code=code, event_id=f"{tracking}-{index}",
                    occurred_at=MOMENT + datetime.timedelta(minutes=index),
                )
            EReport.objects.create(
                kind="payment", key=tracking, invoice=invoice, state="sent", attempts=1, sent_at=MOMENT,
                payload={"paid_on": "2026-11-20", "amount": "10.00", "currency": "EUR", "amounts": []},
            )
            SupplierInvoice.objects.create(
                platform_id=f"IN-{tracking[:8]}", seller_siren="841234503", seller_name="Fournisseur", number=tracking[:12],
                issue_date=MOMENT.date(), month=MOMENT.date().replace(day=1), total_net=10, total_vat=2, total_gross=12,
                received_at=MOMENT, match="unknown_supplier",
            )
